from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WoowPaasApiKey(models.Model):
    """Override of ``woow_paas_api``: a key may act for one tenant, whose
    ``api_calls`` quota and plan rate its calls count toward."""

    _inherit = "woow.paas.api.key"

    paas_tenant_id = fields.Many2one(
        "woow.paas.tenant",
        string="Tenant",
        index="btree_not_null",
        ondelete="cascade",
        help="Calls with this key count toward this tenant's API Calls quota and its "
        "plan's rate; a customer's key may only name one of its own tenants.",
    )

    @api.constrains("paas_tenant_id", "user_id")
    def _check_paas_tenant(self):
        for key in self.sudo():
            tenant = key.paas_tenant_id
            if tenant and key.user_id.share and tenant.commercial_partner_id != key.partner_id:
                raise ValidationError(
                    self.env._(
                        "Key %(key)s belongs to %(customer)s: it may only act for that "
                        "customer's tenants.",
                        key=key.name,
                        customer=key.partner_id.display_name,
                    )
                )
