from odoo import models


class WoowPaasTenant(models.Model):
    _inherit = "woow.paas.tenant"

    def _paas_portal_open_url(self):
        """Where the customer opens this tenant from the portal, or False.

        Database tenants are served at ``<code>.<platform domain>``; a
        shared tenant's app lives in the platform itself, which has no
        customer-facing URL of its own here: an app built on the tenant
        layer overrides this to give one. Only running tenants open (a
        suspended database tenant opens read-only)."""
        self.ensure_one()
        if self.state not in ("active", "suspended"):
            return False
        return self.paas_url or False
