import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

CRON_XMLID = "woow_paas_api.ir_cron_woow_paas_webhook_deliver"
RETENTION_PARAM = "woow_paas_api.webhook_retention_days"
DEFAULT_RETENTION = 30
STATES = [
    ("pending", "Pending"),
    ("delivering", "Delivering"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("disabled", "Endpoint Disabled"),
]


class WoowPaasWebhookDelivery(models.Model):
    """One event to send to one endpoint: the outbox row of the worker.

    Deliveries are inserted by the fan-out in the transaction that creates
    the event, so an event and its deliveries commit (or vanish) together.
    The worker claims due rows with ``FOR UPDATE SKIP LOCKED`` (any number
    of workers and servers may run it; see
    ``woow.paas.webhook.delivery.scheduler``), posts them concurrently
    outside any lock and records each attempt (``...delivery.sender``).
    ``webhook_id`` stays the same across retries and redeliveries, so that
    receivers can deduplicate.
    """

    _name = "woow.paas.webhook.delivery"
    _inherit = ["woow.paas.webhook.delivery.scheduler", "woow.paas.webhook.delivery.sender"]
    _description = "PaaS Webhook Delivery"
    _order = "id desc"
    _rec_name = "webhook_id"

    endpoint_id = fields.Many2one(
        "woow.paas.webhook.endpoint", required=True, readonly=True, ondelete="cascade",
        index=True,
    )  # fmt: skip
    event_id = fields.Many2one(
        "woow.paas.event", readonly=True, ondelete="cascade", index="btree_not_null",
        help="Empty for a test message.",
    )  # fmt: skip
    event_type = fields.Char(compute="_compute_event_type", search="_search_event_type")
    webhook_id = fields.Char(string="Webhook ID", required=True, readonly=True, index=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True)
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer(string="Last Status", readonly=True)
    last_latency_ms = fields.Integer(string="Last Latency (ms)", readonly=True)
    last_response = fields.Text(string="Last Response Excerpt", readonly=True)
    last_error = fields.Char(readonly=True)
    is_test = fields.Boolean(readonly=True)
    attempt_ids = fields.One2many("woow.paas.webhook.attempt", "delivery_id", readonly=True)

    _event_endpoint_uniq = models.UniqueIndex(
        "(event_id, endpoint_id) WHERE event_id IS NOT NULL",
        "An event is delivered once per endpoint.",
    )
    _due_idx = models.Index("(next_attempt_at, id) WHERE state IN ('pending', 'delivering')")
    # The order rule looks up an endpoint's waiting deliveries.
    _endpoint_waiting_idx = models.Index(
        "(endpoint_id, id) WHERE state IN ('pending', 'delivering')"
    )

    @api.depends("event_id", "is_test")
    def _compute_event_type(self):
        for delivery in self:
            delivery.event_type = (
                "webhook.test" if delivery.is_test else delivery.event_id.sudo().event_type
            )

    def _search_event_type(self, operator, value):
        return [("event_id.event_type", operator, value)]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_redeliver(self):
        """Send these deliveries again, soon, with their schedule of retries
        restarted (and the same webhook-id). Deliveries still waiting to be
        sent and test messages are left as they are. The caller must be
        allowed to change their endpoints. Returns how many were queued."""
        self.endpoint_id.check_access("write")
        disabled = self.endpoint_id.filtered(lambda e: not e.enabled)
        if disabled:
            raise UserError(
                self.env._("Enable the endpoint %s before redelivering.", disabled[0].url)
            )
        deliveries = self.filtered(
            lambda d: d.state not in ("pending", "delivering") and not d.is_test
        )
        deliveries.sudo()._requeue()
        return len(deliveries)

    def _requeue(self):
        """Make these deliveries due now with a fresh schedule of retries."""
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE woow_paas_webhook_delivery
                      SET state = 'pending', attempts = 0, next_attempt_at = %s,
                          write_date = %s, write_uid = %s
                    WHERE id IN %s AND state NOT IN ('pending', 'delivering')""",
                fields.Datetime.now(),
                fields.Datetime.now(),
                self.env.uid,
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["state", "attempts", "next_attempt_at"])
        self._trigger_worker()

    # ------------------------------------------------------------------
    # Fan-out
    # ------------------------------------------------------------------
    @api.model
    def _fan_out(self, events):
        """Insert the deliveries of ``events`` to every enabled endpoint that
        accepts them, in one ``INSERT ... SELECT``, and wake the worker.

        Routing: an endpoint's patterns match the type (empty: all); a
        customer's endpoint takes only events whose ``partner_id`` is its
        customer, an operator's only events of its company. Returns the
        number of deliveries inserted.
        """
        Endpoint = self.env["woow.paas.webhook.endpoint"]
        table = Endpoint._routing_table()
        if not table or not events:
            return 0
        Endpoint.flush_model(["enabled"])
        endpoint_ids, event_ids, webhook_ids = [], [], []
        for event in events:
            event_type, partner_id = event.event_type, event.partner_id.id
            company_id = event.company_id.id
            for endpoint_id, patterns, customer_id, endpoint_company in table:
                if customer_id is not None:
                    if partner_id != customer_id:
                        continue
                elif company_id and company_id != endpoint_company:
                    continue
                if patterns and not self.env["woow.paas.webhook.endpoint"]._matches(
                    patterns, event_type
                ):
                    continue
                endpoint_ids.append(endpoint_id)
                event_ids.append(event.id)
                webhook_ids.append(self._webhook_id(event.uuid, endpoint_id))
        if not endpoint_ids:
            return 0
        now = fields.Datetime.now()
        query = SQL(
            """INSERT INTO woow_paas_webhook_delivery
                   (endpoint_id, event_id, webhook_id, state, attempts, next_attempt_at,
                    is_test, create_uid, create_date, write_uid, write_date)
               SELECT v.endpoint_id, v.event_id, v.webhook_id, 'pending', 0, %(now)s,
                      false, %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(endpoints)s::int[], %(events)s::int[],
                             %(webhook_ids)s::varchar[])
                      AS v(endpoint_id, event_id, webhook_id)
                 JOIN woow_paas_webhook_endpoint e ON e.id = v.endpoint_id AND e.enabled
               ON CONFLICT DO NOTHING""",
            now=now, uid=self.env.uid, endpoints=endpoint_ids, events=event_ids,
            webhook_ids=webhook_ids,
        )  # fmt: skip
        self.env.cr.execute(query)
        inserted = self.env.cr.rowcount
        # One wake-up per transaction is enough: the worker takes all that is due.
        if inserted and not self.env.cr.precommit.data.get("woow_paas_webhook_triggered"):
            self.env.cr.precommit.data["woow_paas_webhook_triggered"] = True
            self._trigger_worker()
        return inserted

    @api.model
    def _fan_out_window(self, endpoint, start, end):
        """Insert ``endpoint``'s deliveries of the events it accepts that
        occurred in ``[start, end]`` (a replay), in event order, in one
        statement; an event it already has is skipped (both bounds are
        included: an event of the second it was disabled or re-enabled is
        then neither lost nor sent twice). Returns how many.

        The routing is :meth:`_fan_out`'s, in SQL: its patterns (letters,
        digits, ``._-`` and the ``*`` wildcard) become ``LIKE`` patterns.
        """
        endpoint = endpoint.sudo()
        patterns = [
            p.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%").replace("*", "%")
            for p in endpoint._event_patterns()
        ]
        if endpoint.is_customer_endpoint:
            audience = SQL("ev.partner_id = %s", endpoint.partner_id.id)
        else:
            audience = SQL("(ev.company_id IS NULL OR ev.company_id = %s)", endpoint.company_id.id)
        kinds = SQL("ev.event_type LIKE ANY(%s)", patterns) if patterns else SQL("TRUE")
        now = fields.Datetime.now()
        self.flush_model()
        self.env["woow.paas.event"].flush_model()
        query = SQL(
            """INSERT INTO woow_paas_webhook_delivery
                   (endpoint_id, event_id, webhook_id, state, attempts, next_attempt_at,
                    is_test, create_uid, create_date, write_uid, write_date)
               SELECT %(endpoint)s, ev.id,
                      'msg_' || regexp_replace(ev.uuid, '^evt_', '') || '_' || %(endpoint)s,
                      'pending', 0, %(now)s, false, %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM woow_paas_event ev
                WHERE ev.occurred_at >= %(start)s AND ev.occurred_at <= %(end)s
                  AND %(audience)s AND %(kinds)s
                ORDER BY ev.id
               ON CONFLICT DO NOTHING""",
            endpoint=endpoint.id, now=now, uid=self.env.uid, start=start, end=end,
            audience=audience, kinds=kinds,
        )  # fmt: skip
        self.env.cr.execute(query)
        inserted = self.env.cr.rowcount
        if inserted:
            self._trigger_worker()
        return inserted

    @api.model
    def _webhook_id(self, event_uuid, endpoint_id):
        return f"msg_{(event_uuid or '').removeprefix('evt_')}_{endpoint_id}"

    @api.model
    def _trigger_worker(self, at=None):
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at)

    @api.model
    def _create_test(self, endpoint):
        return self.create(
            {"endpoint_id": endpoint.id, "is_test": True,
             "next_attempt_at": fields.Datetime.now(),
             "webhook_id": f"msg_test_{uuid.uuid4().hex}"}
        )  # fmt: skip

    @api.model
    def _cancel_pending(self, endpoints):
        """Mark the waiting deliveries of disabled ``endpoints``."""
        self.flush_model()
        query = SQL(
            """UPDATE woow_paas_webhook_delivery SET state = 'disabled',
                      next_attempt_at = NULL, write_date = %s, write_uid = %s
                WHERE endpoint_id IN %s AND state IN ('pending', 'delivering')""",
            fields.Datetime.now(),
            self.env.uid,
            tuple(endpoints.ids) or (0,),
        )
        self.env.cr.execute(query)
        self.invalidate_model(["state", "next_attempt_at"])

    @api.autovacuum
    def _gc_finished(self):
        """Delete finished deliveries (and their attempts) older than
        ``woow_paas_api.webhook_retention_days`` (default 30) days; the events
        themselves stay in the event log."""
        try:
            days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM) or 0)
        except ValueError:
            days = 0
        cutoff = fields.Datetime.now() - timedelta(days=days if days > 0 else DEFAULT_RETENTION)
        self.flush_model()
        query = SQL(
            """DELETE FROM woow_paas_webhook_delivery
                WHERE state IN ('delivered', 'failed', 'disabled') AND create_date < %s""",
            cutoff,
        )
        self.env.cr.execute(query)
        self.invalidate_model()
        return self.env.cr.rowcount

    def _body(self):
        """The Standard Webhooks body: ``{"type", "timestamp", "data"}``; ``data``
        is the event as ``GET /api/v1/events/{id}`` returns it."""
        self.ensure_one()
        if self.is_test:
            return {
                "type": "webhook.test",
                "timestamp": fields.Datetime.now().isoformat() + "Z",
                "data": {"endpoint_id": self.endpoint_id.id,
                         "message": "A test message from Woow PaaS."},
            }  # fmt: skip
        event = self.event_id
        occurred = event.occurred_at.isoformat() + "Z"
        return {
            "type": event.event_type,
            "timestamp": occurred,
            "data": {
                "id": event.uuid,
                "type": event.event_type,
                "occurred_at": occurred,
                "customer_id": event.partner_id.id or None,
                "subscription_id": event.subscription_id.id or None,
                "tenant_id": event.tenant_id.id or None,
                "plan": event.plan_id.code or None,
                "payload": event.payload or {},
            },
        }

    def _delivery_summary(self):
        """For the REST API and the portal."""
        self.ensure_one()
        return {
            "id": self.id, "endpoint_id": self.endpoint_id.id,
            "event_id": self.event_id.sudo().uuid or None, "event_type": self.event_type,
            "webhook_id": self.webhook_id, "state": self.state, "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at or None,
            "last_attempt_at": self.last_attempt_at or None,
            "delivered_at": self.delivered_at or None,
            "last_status_code": self.last_status_code or None,
            "last_latency_ms": self.last_latency_ms if self.last_attempt_at else None,
            "last_response": self.last_response or None, "last_error": self.last_error or None,
            "created_at": self.create_date,
        }  # fmt: skip
