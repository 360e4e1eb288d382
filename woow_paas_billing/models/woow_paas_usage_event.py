from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .const import (
    DEFAULT_MAX_BATCH,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    PARAM_MAX_BATCH,
)

# Also imported from this module by bench/bench_billing.py.
from .usage_tools import _rollup_upsert


class WoowPaasUsageEvent(models.Model):
    """One usage report of a tenant: ``quantity`` of a metric at ``timestamp``.

    Written by :meth:`ingest` in bulk with raw SQL (a few statements per
    batch). The pair (tenant, idempotency key) is unique for as long as the
    events are kept, so a retried report is counted once, however often and
    from however many workers it arrives. Daily rollups
    (``woow.paas.usage.rollup``) are kept current in the same statement, so
    sums, counts, minima, maxima and last values never scan these rows.

    Append-only: only the superuser may change or delete events, and deleting
    rebuilds the affected rollups.
    """

    _name = "woow.paas.usage.event"
    _description = "PaaS Usage Event"
    _inherit = [
        "woow.paas.usage.event.ingest.mixin",
        "woow.paas.usage.event.aggregate.mixin",
    ]
    # The primary key follows arrival: a list sorted on it needs no extra index
    # on a table of hundreds of millions of rows.
    _order = "id desc"
    _rec_name = "idempotency_key"
    _log_access = False

    tenant_id = fields.Many2one("woow.paas.tenant", required=True, ondelete="restrict")
    metric_id = fields.Many2one("woow.paas.metric", required=True, ondelete="restrict")
    quantity = fields.Float(required=True, digits=(16, 6))
    unit = fields.Char(related="metric_id.unit")
    metric_digits = fields.Integer(related="metric_id.digits")
    timestamp = fields.Datetime(required=True, help="When the usage happened (UTC).")
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, help="When the platform stored it."
    )
    idempotency_key = fields.Char(
        required=True,
        help="Chosen by the sender; the same key for the same tenant is counted once.",
    )
    properties = fields.Json(help="Free attributes of the event, e.g. the user id.")
    # The tenant's company, not stored: one foreign key less per row on the
    # hottest insert of the platform; the multi-company rule joins the tenant.
    company_id = fields.Many2one(related="tenant_id.company_id")

    _tenant_key_uniq = models.Constraint(
        "UNIQUE(tenant_id, idempotency_key)",
        "This idempotency key was already used for this tenant.",
    )
    _quantity_check = models.Constraint("CHECK(quantity >= 0)", "A quantity cannot be negative.")
    _tenant_metric_time_idx = models.Index('(tenant_id, metric_id, "timestamp")')
    _timestamp_brin_idx = models.Index('USING brin ("timestamp")')

    # ------------------------------------------------------------------
    # CRUD: the slow path, for corrections by hand
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and self.env.user.share:
            raise AccessError(self.env._("Send usage through ingest(), which validates it."))
        events = super().create(vals_list)
        self.env.cr.execute(
            _rollup_upsert(
                SQL("(SELECT * FROM woow_paas_usage_event WHERE id = ANY(%s))", events.ids)
            )
        )
        self.env["woow.paas.usage.rollup"].invalidate_model()
        return events

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Usage events are append-only: they cannot change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_superuser(self):
        if not self.env.su:
            raise AccessError(self.env._("Usage events are append-only: they cannot be deleted."))

    def unlink(self):
        self.env.cr.execute(
            SQL(
                'SELECT DISTINCT tenant_id, metric_id, "timestamp"::date'
                " FROM woow_paas_usage_event WHERE id = ANY(%s)",
                self.ids,
            )
        )
        keys = self.env.cr.fetchall()
        result = super().unlink()
        self._rollup_rebuild(keys)
        return result

    # ------------------------------------------------------------------
    # Ingestion
    # ------------------------------------------------------------------
    @api.model
    def ingest(self, events):
        """Store a batch of usage events; return one result per event, in order.

        ``events`` is a list of dicts ``{"tenant": code, "metric": code,
        "quantity": n, "timestamp": iso8601, "idempotency_key": str,
        "properties": {...}}`` (properties optional). Each result is
        ``{"idempotency_key", "status", "reason"}`` with status ``accepted``,
        ``duplicate`` (already stored, or repeated in the batch: counted once)
        or ``rejected`` (with the reason; nothing stored). A bad event never
        drops the good ones. A batch that is not a list of objects raises a
        ``UserError``.

        Internal users send for the tenants of their companies; other users
        (portal, API customers) only for the tenants of their own customer.
        """
        self.check_access("create")
        if not isinstance(events, list | tuple):
            raise UserError(self.env._("Usage must be sent as a list of events."))
        max_batch = self._ingest_param(PARAM_MAX_BATCH, DEFAULT_MAX_BATCH)
        if len(events) > max_batch:
            raise UserError(
                self.env._(
                    "A batch holds at most %(max)s usage events; this one has %(count)s.",
                    max=max_batch,
                    count=len(events),
                )
            )
        for index, event in enumerate(events):
            if not isinstance(event, dict):
                raise UserError(
                    self.env._(
                        "Usage event #%(index)s is not an object: each event must be a dict "
                        "with tenant, metric, quantity, timestamp and idempotency_key.",
                        index=index + 1,
                    )
                )
        if not events:
            return []
        return self._ingest(events)

    @api.model
    def _ingest_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value not in (None, False, "") else default
        except ValueError:
            return default

    @api.model
    def _ingest_reasons(self):
        """Messages of the refusal codes (translated once per batch)."""
        _ = self.env._
        return {
            "missing_key": _("idempotency_key is missing: it must be a non-empty string."),
            "key_too_long": _(
                "idempotency_key is longer than %(max)s characters.",
                max=MAX_IDEMPOTENCY_KEY_LENGTH,
            ),
            "unknown_tenant": _("Unknown tenant."),
            "foreign_tenant": _("This tenant belongs to another customer."),
            "foreign_company": _("This tenant belongs to a company you do not have access to."),
            "tenant_not_running": _("The tenant is not running (draft, failed or archived)."),
            "unknown_metric": _("Unknown or archived metric."),
            "bad_quantity": _("quantity must be a number."),
            "negative_quantity": _("quantity cannot be negative."),
            "quantity_too_large": _("quantity is out of range."),
            "bad_timestamp": _("timestamp must be an ISO 8601 date and time."),
            "future_timestamp": _("timestamp is in the future."),
            "late_timestamp": _("timestamp is older than the late-arrival window."),
            "bad_properties": _("properties must be a JSON object."),
            "missing_property": _("properties lack the key this unique count metric counts."),
            "repeated": _("Repeated in the same batch: counted once."),
            "already_received": _("Already received: counted once."),
        }
