import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookiejar import DefaultCookiePolicy

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools import webhook as wh

_logger = logging.getLogger(__name__)

CRON_XMLID = "woow_paas_api.ir_cron_woow_paas_webhook_deliver"
CONCURRENCY_PARAM = "woow_paas_api.webhook_concurrency"
RETENTION_PARAM = "woow_paas_api.webhook_retention_days"
DEFAULT_RETENTION = 30
DEFAULT_CONCURRENCY = 16
DEFAULT_BATCH = 200
# A claimed delivery that is not recorded within this time (a crashed
# worker) is claimed again: at-least-once.
LEASE = timedelta(minutes=5)
# An endpoint that has failed without a single success for this long is
# disabled and its owner told through a webhook.endpoint_disabled event.
DISABLE_AFTER = timedelta(days=5)
STATES = [
    ("pending", "Pending"),
    ("delivering", "Delivering"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("disabled", "Endpoint Disabled"),
]

_sessions = {}
_sessions_lock = threading.Lock()


def _session(guarded, pool_size):
    """One keep-alive session per kind and process, shared by the threads."""
    with _sessions_lock:
        session = _sessions.get((guarded, pool_size))
        if session is None:
            session = wh.new_session(guarded=guarded, pool_size=pool_size)
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            _sessions[guarded, pool_size] = session
        return session


class WoowPaasWebhookDelivery(models.Model):
    """One event to send to one endpoint: the outbox row of the worker.

    Deliveries are inserted by the fan-out in the transaction that creates
    the event, so an event and its deliveries commit (or vanish) together.
    The worker claims due rows with ``FOR UPDATE SKIP LOCKED`` (any number
    of workers and servers may run it), posts them concurrently outside any
    lock and records each attempt. ``webhook_id`` stays the same across
    retries and redeliveries, so that receivers can deduplicate.
    """

    _name = "woow.paas.webhook.delivery"
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
        restarted (and the same webhook-id). The caller must be allowed to
        change their endpoints."""
        self.endpoint_id.check_access("write")
        disabled = self.endpoint_id.filtered(lambda e: not e.enabled)
        if disabled:
            raise UserError(
                self.env._("Enable the endpoint %s before redelivering.", disabled[0].url)
            )
        self.sudo().write(
            {"state": "pending", "attempts": 0, "next_attempt_at": fields.Datetime.now()}
        )
        self._trigger_worker()
        return True

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
            {"endpoint_id": endpoint.id, "is_test": True, "next_attempt_at": False,
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

    # ------------------------------------------------------------------
    # Worker
    # ------------------------------------------------------------------
    @api.model
    def _cron_deliver(self, time_budget=50, batch_size=DEFAULT_BATCH):
        """Deliver what is due for up to ``time_budget`` seconds.

        This cron commits: once after each claim (so that other workers skip
        the claimed rows while this one posts them, without holding locks
        during HTTP calls) and once per recorded batch (so that a crash loses
        at most one batch's results, which are then sent again).
        """
        deadline = time.monotonic() + time_budget
        Cron = self.env["ir.cron"]
        done = 0
        while time.monotonic() < deadline:
            try:
                with self.env.cr.savepoint(flush=False):
                    deliveries = self._claim_due(batch_size)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # Another worker claimed rows of our snapshot: claim again
                # from a fresh one.
                Cron._commit_progress()
                continue
            if not deliveries:
                break
            Cron._commit_progress()  # commit the claim: no row lock is held while posting
            deliveries._deliver()
            done += len(deliveries)
            if Cron._commit_progress(len(deliveries)) < 5:
                break
        self._schedule_next_run()
        return done

    @api.model
    def _claim_due(self, limit=DEFAULT_BATCH):
        """Lease up to ``limit`` due deliveries of enabled endpoints to this
        worker and return them. Rows locked by another worker are skipped."""
        now = fields.Datetime.now()
        self.flush_model()
        query = SQL(
            """UPDATE woow_paas_webhook_delivery d
                  SET state = 'delivering', next_attempt_at = %(lease)s
                WHERE d.id IN (
                    SELECT d2.id FROM woow_paas_webhook_delivery d2
                      JOIN woow_paas_webhook_endpoint e ON e.id = d2.endpoint_id
                     WHERE d2.state IN ('pending', 'delivering')
                       AND d2.next_attempt_at <= %(now)s AND e.enabled
                     ORDER BY d2.next_attempt_at, d2.id
                     LIMIT %(limit)s
                       FOR UPDATE OF d2 SKIP LOCKED)
            RETURNING d.id""",
            now=now, lease=now + LEASE, limit=limit,
        )  # fmt: skip
        self.env.cr.execute(query, log_exceptions=False)  # a conflict is retried
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["state", "next_attempt_at"])
        return self.browse(sorted(ids))

    @api.model
    def _schedule_next_run(self):
        """Wake the worker for the next retry due before the next minute."""
        self.env.cr.execute(
            """SELECT min(next_attempt_at) FROM woow_paas_webhook_delivery
                WHERE state = 'pending'"""
        )
        (next_at,) = self.env.cr.fetchone()
        if next_at and next_at < fields.Datetime.now() + timedelta(minutes=1):
            self._trigger_worker(next_at)

    def _deliver(self):
        """Post these deliveries now, concurrently, and record the results.

        Does not commit: the cron commits around it, tests call it directly.
        The threads only do HTTP (no ORM): requests are prepared before and
        results written after, in bulk.
        """
        if not self:
            return
        jobs = self._prepare_requests()
        size = int(
            self.env["ir.config_parameter"].sudo().get_param(CONCURRENCY_PARAM)
            or DEFAULT_CONCURRENCY
        )
        size = max(1, min(size, 64))

        def run(job):
            if job.get("refused"):
                return None, 0, "", None, job["refused"]
            return wh.post(_session(job["guarded"], size), job["url"], job["body"],
                           job["headers"])  # fmt: skip

        if len(jobs) == 1 or size == 1:
            results = [run(job) for job in jobs]
        else:
            with ThreadPoolExecutor(max_workers=min(size, len(jobs))) as pool:
                results = list(pool.map(run, jobs))
        self._record(jobs, results)

    def _prepare_requests(self):
        """One job per delivery: URL, signed body and headers. A delivery whose
        message cannot be built is refused alone (its attempt says why)."""
        now = fields.Datetime.now()
        timestamp = str(int(time.time()))
        secrets_by_endpoint, headers_by_endpoint = {}, {}
        jobs = []
        for delivery in self.sudo():
            endpoint = delivery.endpoint_id
            job = {
                "id": delivery.id, "endpoint_id": endpoint.id, "url": endpoint.url,
                "guarded": not endpoint.allow_private_network, "attempts": delivery.attempts,
                "is_test": delivery.is_test,
            }  # fmt: skip
            jobs.append(job)
            if not endpoint.enabled and not delivery.is_test:
                job["refused"] = "The endpoint is disabled."
                continue
            try:
                if endpoint.id not in secrets_by_endpoint:
                    secrets_by_endpoint[endpoint.id] = endpoint._signing_secrets(now)
                    headers_by_endpoint[endpoint.id] = endpoint._parsed_headers()
                body = json.dumps(
                    delivery._body(), separators=(",", ":"), default=str, ensure_ascii=False
                ).encode()
            except Exception as exc:  # one bad message must not stop the batch
                _logger.warning("Webhook delivery %s cannot be built", delivery.id, exc_info=True)
                job["refused"] = f"The message could not be built: {exc}"[:500]
                continue
            job["body"] = body
            job["headers"] = {
                **headers_by_endpoint[endpoint.id],
                "Content-Type": "application/json",
                "webhook-id": delivery.webhook_id,
                "webhook-timestamp": timestamp,
                "webhook-signature": wh.signature_header(
                    secrets_by_endpoint[endpoint.id], delivery.webhook_id, timestamp, body
                ),
            }
        return jobs

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

    def _record(self, jobs, results):
        """Write one attempt per result and each delivery's new state, in
        bulk; disable endpoints that answered 410 or failed for too long."""
        now = fields.Datetime.now()
        rows = {k: [] for k in ("id", "state", "attempts", "next", "status", "latency",
                                "excerpt", "error", "delivered")}  # fmt: skip
        attempts = []
        gone, failing, succeeding = {}, set(), set()
        for job, (status, latency, excerpt, retry_after, error) in zip(jobs, results, strict=True):
            count = job["attempts"] + 1
            next_at = None
            if status is not None and 200 <= status < 300:
                state = "delivered"
                succeeding.add(job["endpoint_id"])
            else:
                if error is None:
                    error = f"HTTP {status}" + (" (redirects are not followed)"
                                                if 300 <= status < 400 else "")  # fmt: skip
                failing.add(job["endpoint_id"])
                delay = None if job["is_test"] else wh.backoff(count)
                if status == 410:
                    state = "disabled"
                    gone[job["endpoint_id"]] = f"The endpoint answered 410 Gone on {now} UTC."
                elif delay is None:
                    state = "failed"
                else:
                    state = "pending"
                    next_at = now + timedelta(seconds=max(delay, retry_after or 0))
            rows["id"].append(job["id"])
            rows["state"].append(state)
            rows["attempts"].append(count)
            rows["next"].append(next_at)
            rows["status"].append(status)
            rows["latency"].append(latency)
            rows["excerpt"].append(excerpt or None)
            rows["error"].append((error or "")[:500] or None)
            rows["delivered"].append(now if state == "delivered" else None)
            attempts.append(
                {"delivery_id": job["id"], "endpoint_id": job["endpoint_id"],
                 "attempted_at": now, "attempt_number": count, "status_code": status or 0,
                 "latency_ms": latency, "response_excerpt": excerpt or False,
                 "error": (error or "")[:500] or False, "success": state == "delivered"}
            )  # fmt: skip
        self.env.flush_all()
        query = SQL(
            """UPDATE woow_paas_webhook_delivery d
                  SET state = v.state, attempts = v.attempts, next_attempt_at = v.next_at,
                      last_status_code = v.status, last_latency_ms = v.latency,
                      last_response = v.excerpt, last_error = v.error,
                      last_attempt_at = %(now)s,
                      delivered_at = COALESCE(v.delivered, d.delivered_at),
                      write_date = %(now)s, write_uid = %(uid)s
                 FROM unnest(%(ids)s::int[], %(states)s::varchar[], %(attempts)s::int[],
                             %(next)s::timestamp[], %(status)s::int[], %(latency)s::int[],
                             %(excerpt)s::text[], %(error)s::varchar[],
                             %(delivered)s::timestamp[])
                      AS v(id, state, attempts, next_at, status, latency, excerpt, error,
                           delivered)
                WHERE d.id = v.id""",
            now=now, uid=self.env.uid, ids=rows["id"], states=rows["state"],
            attempts=rows["attempts"], next=rows["next"], status=rows["status"],
            latency=rows["latency"], excerpt=rows["excerpt"], error=rows["error"],
            delivered=rows["delivered"],
        )  # fmt: skip
        self.env.cr.execute(query)
        self.invalidate_model()
        self.env["woow.paas.webhook.attempt"].sudo().create(attempts)
        self._record_endpoint_health(now, gone, failing - succeeding, succeeding)

    @api.model
    def _record_endpoint_health(self, now, gone, failing, succeeding):
        Endpoint = self.env["woow.paas.webhook.endpoint"].sudo()
        if succeeding:
            Endpoint.browse(succeeding).filtered("failing_since").write({"failing_since": False})
        if failing:
            Endpoint.browse(failing).filtered(lambda e: not e.failing_since).write(
                {"failing_since": now}
            )
            for endpoint in Endpoint.browse(failing):
                if endpoint.enabled and endpoint.failing_since <= now - DISABLE_AFTER:
                    gone.setdefault(
                        endpoint.id,
                        f"Every delivery failed since {endpoint.failing_since} UTC.",
                    )
        if gone:
            Endpoint.browse(list(gone))._disable(gone)

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
