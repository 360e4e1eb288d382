from odoo import models


class WoowPaasTenant(models.Model):
    _name = "woow.paas.tenant"
    _inherit = ["woow.paas.tenant", "portal.mixin"]

    def _compute_access_url(self):
        super()._compute_access_url()
        for tenant in self:
            tenant.access_url = f"/my/tenants/{tenant.id}"
