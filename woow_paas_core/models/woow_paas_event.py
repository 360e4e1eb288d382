import csv
import io
import json
import uuid
from datetime import date, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request

# Seven years: what tax and commercial law commonly ask books to be kept for.
DEFAULT_RETENTION_DAYS = 2557
RETENTION_PARAM = "woow_paas_core.event_retention_days"


class WoowPaasEvent(models.Model):
    """Append-only log of every business event of the platform.

    It is the seam between the layers: webhooks, the dashboard and the audit
    trail read it, and no layer calls another one to notify it. Rows are
    written by :meth:`_emit` in the transaction of the business change, so an
    event exists if and only if the change committed (a transactional outbox).
    """

    _name = "woow.paas.event"
    _description = "PaaS Event"
    _order = "occurred_at desc, id desc"
    _rec_name = "event_type"

    uuid = fields.Char(
        string="Event ID",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: f"evt_{uuid.uuid4().hex}",
        help="Stable public identifier, used by webhooks and the API.",
    )
    event_type = fields.Char(
        string="Type",
        required=True,
        readonly=True,
        index=True,
        help="Dotted name such as tenant.created or subscription.activated.",
    )
    occurred_at = fields.Datetime(
        required=True, readonly=True, index=True, default=fields.Datetime.now
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    # Most events concern only some of these: sparse indexes stay small.
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    subscription_id = fields.Many2one(
        "woow.paas.subscription", readonly=True, index="btree_not_null", ondelete="set null"
    )
    tenant_id = fields.Many2one(
        "woow.paas.tenant", readonly=True, index="btree_not_null", ondelete="set null"
    )
    plan_id = fields.Many2one(
        "woow.paas.plan", readonly=True, index="btree_not_null", ondelete="set null"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Done By", readonly=True, ondelete="set null")
    origin = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="Where the change came from: http, cron: <name>, job: <id>, or system.",
    )
    remote_addr = fields.Char(string="Remote Address", readonly=True)
    user_agent = fields.Char(readonly=True)
    payload = fields.Json(readonly=True)
    payload_display = fields.Text(string="Payload (JSON)", compute="_compute_payload_display")

    _uuid_uniq = models.Constraint("UNIQUE(uuid)", "An event ID must be unique.")
    _type_date_idx = models.Index("(event_type, occurred_at DESC)")
    _document_idx = models.Index("(res_model, res_id)")

    @api.depends("payload")
    def _compute_payload_display(self):
        for event in self:
            event.payload_display = (
                json.dumps(event.payload, indent=2, sort_keys=True, default=str)
                if event.payload
                else ""
            )

    @api.depends("event_type", "res_model", "res_id")
    def _compute_display_name(self):
        for event in self:
            event.display_name = event.event_type or ""

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("Platform events are append-only: they cannot be modified.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_superuser(self):
        if not self.env.su:
            raise AccessError(
                self.env._("Platform events are append-only: they cannot be deleted.")
            )

    @api.model
    def _paas_event_types(self):
        """The event types the platform emits, as ``{type: {"label": str,
        "customer": bool}}``: the registry that webhook forms, filters and
        documentation read.

        ``customer`` says whether the event concerns one customer (its
        ``partner_id`` is set), so that a customer's webhook endpoint can
        receive it; the others (plans, the log's purge) reach operators
        only. Every layer that emits an event type declares it here:
        override, call ``super()`` and add yours::

            def _paas_event_types(self):
                types = super()._paas_event_types()
                types["invoice.paid"] = {"label": self.env._("Invoice paid"),
                                         "customer": True}
                return types
        """
        _ = self.env._

        def customer(label):
            return {"label": label, "customer": True}

        def operator(label):
            return {"label": label, "customer": False}

        return {
            "tenant.created": customer(_("Tenant created")),
            "tenant.updated": customer(_("Tenant updated")),
            "tenant.provisioning": customer(_("Tenant provisioning started")),
            "tenant.provisioned": customer(_("Tenant provisioned")),
            "tenant.failed": customer(_("Tenant provisioning failed")),
            "tenant.suspended": customer(_("Tenant suspended")),
            "tenant.reactivated": customer(_("Tenant reactivated")),
            "tenant.archived": customer(_("Tenant archived")),
            "subscription.created": customer(_("Subscription created")),
            "subscription.updated": customer(_("Subscription updated")),
            "subscription.trial_started": customer(_("Trial started")),
            "subscription.activated": customer(_("Subscription activated")),
            "subscription.past_due": customer(_("Subscription past due")),
            "subscription.suspended": customer(_("Subscription suspended")),
            "subscription.reactivated": customer(_("Subscription reactivated")),
            "subscription.cancelled": customer(_("Subscription cancelled")),
            "subscription.plan_changed": customer(_("Plan changed")),
            "subscription.price_changed": customer(_("Price changed")),
            "subscription.renewed": customer(_("Subscription renewed")),
            "subscription.renewal_failed": customer(_("Renewal failed")),
            "subscription.trial_expiry_failed": customer(_("Trial end failed")),
            "plan.updated": operator(_("Plan updated")),
            "plan.quota_changed": operator(_("Plan quota changed")),
            "event.purged": operator(_("Old events purged")),
        }

    @api.model
    def _emit(self, event_type, records, payload=None):
        """Record ``event_type`` for each of ``records`` and return the events.

        This is the one way to emit a platform event. ``payload`` is a
        JSON-serialisable dict stored on every event, or a function of the
        record returning each one's dict. The links to the customer,
        subscription, tenant and plan come from each record's
        ``_paas_event_links()`` when it has one; who did it and from where
        come from the environment. Layers that react to events (webhooks,
        notifications) override this method or ``create`` and call
        ``super()``, so they join the same transaction. The events are
        returned in the caller's environment.
        """
        if not records:
            return self.browse()
        actor = self._paas_actor_vals()
        vals_list = []
        for record in records:
            data = payload(record) if callable(payload) else payload
            vals = {
                "event_type": event_type,
                "res_model": record._name,
                "res_id": record.id,
                "payload": dict(data or {}),
                "company_id": self.env.company.id,
                **actor,
            }
            if hasattr(record, "_paas_event_links"):
                # Links are facts about the record, not a read by the caller.
                vals.update(record.sudo()._paas_event_links())
            vals_list.append(vals)
        return self.sudo().create(vals_list).with_env(self.env)

    @api.model
    def _emit_changes(self, event_type, records, before):
        """Emit ``event_type`` for each record whose audited values changed.

        ``before`` maps each record id to ``{field: value before}``; the
        payload is ``{"changes": {field: {"before": ..., "after": ...}}}``.
        """
        changes = {}
        for record in records:
            diff = {
                name: {
                    "before": self._paas_audit_value(old),
                    "after": self._paas_audit_value(record[name]),
                }
                for name, old in before.get(record.id, {}).items()
                if old != record[name]
            }
            if diff:
                changes[record.id] = diff
        changed = records.filtered(lambda r: r.id in changes)
        return self._emit(event_type, changed, lambda r: {"changes": changes[r.id]})

    @api.model
    def _paas_audit_value(self, value):
        if isinstance(value, models.BaseModel):
            return {"id": value.id, "name": value.display_name} if value else None
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return value

    @api.model
    def _paas_actor_vals(self):
        """Who acts, and from where: the user, and the HTTP request, cron or
        queued job that runs the change."""
        vals = {"user_id": self.env.uid, "origin": "system"}
        context = self.env.context
        if context.get("cron_id"):
            cron = self.env["ir.cron"].sudo().browse(context["cron_id"])
            vals["origin"] = f"cron: {cron.cron_name or cron.id}"
        elif context.get("job_uuid"):
            vals["origin"] = f"job: {context['job_uuid']}"
        elif request and getattr(request, "httprequest", None):
            http = request.httprequest
            vals.update(
                origin="http",
                remote_addr=http.remote_addr,
                user_agent=(http.user_agent.string or "")[:512] or False,
            )
        return vals

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    @api.model
    def _paas_retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            days = int(value)
        except (TypeError, ValueError):
            return DEFAULT_RETENTION_DAYS
        return days if days > 0 else DEFAULT_RETENTION_DAYS

    @api.model
    def _purge_expired(self, batch_size=10000):
        """Delete the events older than the retention period (default 7
        years, setting ``woow_paas_core.event_retention_days``), and record
        the purge itself as an ``event.purged`` event. Superuser only: this
        is the one documented way to delete events."""
        if not self.env.su:
            raise AccessError(self.env._("Only the superuser may purge platform events."))
        days = self._paas_retention_days()
        cutoff = fields.Datetime.now() - timedelta(days=days)
        purged = 0
        while True:
            old = self.search([("occurred_at", "<", cutoff)], limit=batch_size, order="id")
            if not old:
                break
            purged += len(old)
            old.unlink()
        if purged:
            self._emit(
                "event.purged",
                self.env.company,
                {"count": purged, "before": cutoff.isoformat(), "retention_days": days},
            )
        return purged

    # ------------------------------------------------------------------
    # Views
    # ------------------------------------------------------------------
    def action_export_csv(self):
        """Download the selected events as CSV (the audit trail's export)."""
        if not self:
            return False
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = [
            "uuid", "occurred_at", "event_type", "user", "origin", "remote_addr", "customer",
            "subscription", "tenant", "plan", "res_model", "res_id", "payload",
        ]  # fmt: skip
        writer.writerow(columns)
        for event in self:
            writer.writerow(
                [event.uuid, fields.Datetime.to_string(event.occurred_at), event.event_type,
                 event.user_id.login or "", event.origin or "", event.remote_addr or "",
                 event.partner_id.display_name or "", event.subscription_id.name or "",
                 event.tenant_id.code or "", event.plan_id.code or "", event.res_model or "",
                 event.res_id or "", json.dumps(event.payload or {}, sort_keys=True, default=str)]
            )  # fmt: skip
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"paas-events-{fields.Date.context_today(self)}.csv",
                "raw": buffer.getvalue().encode(),
                "mimetype": "text/csv",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_open_document(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "views": [(False, "form")],
        }
