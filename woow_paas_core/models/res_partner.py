from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_paas_customer = fields.Boolean(
        string="PaaS Customer",
        index=True,
        help="Listed under PaaS > Customers; set when the partner first subscribes.",
    )
    # Hidden from users outside the PaaS groups (an export or an RPC read of
    # partners by them skips these fields instead of failing).
    paas_subscription_ids = fields.One2many(
        "woow.paas.subscription",
        "commercial_partner_id",
        string="PaaS Subscriptions",
        groups="woow_paas_core.group_paas_user",
    )
    paas_tenant_ids = fields.One2many(
        "woow.paas.tenant",
        "commercial_partner_id",
        string="PaaS Tenants",
        groups="woow_paas_core.group_paas_user",
    )
    paas_subscription_count = fields.Integer(
        compute="_compute_paas_counts", groups="woow_paas_core.group_paas_user"
    )
    paas_tenant_count = fields.Integer(
        compute="_compute_paas_counts", groups="woow_paas_core.group_paas_user"
    )

    @api.depends("paas_subscription_ids", "paas_tenant_ids")
    def _compute_paas_counts(self):
        commercial = self.commercial_partner_id
        domain = [("commercial_partner_id", "in", commercial.ids)]
        subs = dict(
            self.env["woow.paas.subscription"]._read_group(
                domain, ["commercial_partner_id"], ["__count"]
            )
        )
        tenants = dict(
            self.env["woow.paas.tenant"]._read_group(domain, ["commercial_partner_id"], ["__count"])
        )
        for partner in self:
            partner.paas_subscription_count = subs.get(partner.commercial_partner_id, 0)
            partner.paas_tenant_count = tenants.get(partner.commercial_partner_id, 0)

    def _paas_open(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_view_paas_subscriptions(self):
        return self._paas_open("woow_paas_core.woow_paas_subscription_action")

    def action_view_paas_tenants(self):
        return self._paas_open("woow_paas_core.woow_paas_tenant_action")
