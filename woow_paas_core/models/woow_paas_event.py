import json
import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError


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
    res_model = fields.Char(string="Document Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    subscription_id = fields.Many2one(
        "woow.paas.subscription", readonly=True, index=True, ondelete="set null"
    )
    tenant_id = fields.Many2one("woow.paas.tenant", readonly=True, index=True, ondelete="set null")
    plan_id = fields.Many2one(
        "woow.paas.plan", readonly=True, index="btree_not_null", ondelete="set null"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Done By", readonly=True, ondelete="set null")
    payload = fields.Json(readonly=True)
    payload_display = fields.Text(string="Payload (JSON)", compute="_compute_payload_display")

    _uuid_uniq = models.Constraint("UNIQUE(uuid)", "An event ID must be unique.")
    _type_date_idx = models.Index("(event_type, occurred_at DESC)")

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
    def _emit(self, event_type, records, payload=None):
        """Record ``event_type`` for each of ``records`` and return the events.

        This is the one way to emit a platform event. ``payload`` is a
        JSON-serialisable dict stored as is on every event. The links to the
        customer, subscription, tenant and plan come from each record's
        ``_paas_event_links()`` when it has one. Layers that react to events
        (webhooks, notifications) override this method or ``create`` and call
        ``super()``, so they join the same transaction.
        """
        vals_list = []
        for record in records:
            vals = {
                "event_type": event_type,
                "res_model": record._name,
                "res_id": record.id,
                "payload": dict(payload or {}),
                "user_id": self.env.uid,
                "company_id": self.env.company.id,
            }
            if hasattr(record, "_paas_event_links"):
                vals.update(record._paas_event_links())
            vals_list.append(vals)
        return self.sudo().create(vals_list)

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
