from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WoowPaasOauthClient(models.Model):
    """Override of ``woow_paas_api``: a client may act for one tenant, whose
    ``api_calls`` quota and plan rate its calls count toward."""

    _inherit = "woow.paas.oauth.client"

    paas_tenant_id = fields.Many2one(
        "woow.paas.tenant",
        string="Tenant",
        index="btree_not_null",
        ondelete="cascade",
        help="Calls with this client's tokens count toward this tenant's API Calls quota "
        "and its plan's rate.",
    )

    @api.constrains("paas_tenant_id", "partner_id")
    def _check_paas_tenant(self):
        for client in self.sudo():
            tenant = client.paas_tenant_id
            partner = client.partner_id.commercial_partner_id
            if tenant and partner and tenant.commercial_partner_id != partner:
                raise ValidationError(
                    self.env._(
                        "Client %(client)s belongs to %(customer)s: it may only act for "
                        "that customer's tenants.",
                        client=client.name,
                        customer=partner.display_name,
                    )
                )
