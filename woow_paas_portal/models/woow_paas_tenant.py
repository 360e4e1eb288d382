from odoo import models


class WoowPaasTenant(models.Model):
    _name = "woow.paas.tenant"
    _inherit = ["woow.paas.tenant", "portal.mixin"]

    def _compute_access_url(self):
        super()._compute_access_url()
        for tenant in self:
            tenant.access_url = f"/my/tenants/{tenant.id}"

    def _paas_portal_open_url(self):
        """Where the portal's "Open" button leads. Core has no tenant URL, so
        it is the tenant's portal page; the tenant bridge answers its host."""
        self.ensure_one()
        return self.access_url

    def _paas_portal_can_suspend(self):
        """Whether the customer may suspend this tenant (core's rules)."""
        return self._paas_customer_can("suspend")

    def _paas_portal_can_resume(self):
        """Whether the customer may resume it: only a tenant they suspended
        themselves, under a running subscription (core's rules)."""
        return self._paas_customer_can("resume")

    def _paas_portal_suspend(self):
        """Suspend as the customer; raises a UserError with the reason when
        core's rules refuse it."""
        return self._paas_customer_suspend(
            reason=self.env._("Suspended by the customer from the portal.")
        )

    def _paas_portal_resume(self):
        return self._paas_customer_resume()
