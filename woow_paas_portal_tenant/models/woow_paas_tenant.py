from odoo import models


class WoowPaasTenant(models.Model):
    _inherit = "woow.paas.tenant"

    def _paas_portal_open_url(self):
        """Override of ``woow_paas_portal``: a database tenant opens at
        ``<code>.<platform domain>`` (a suspended one read-only); a shared
        tenant's app lives in the platform itself and keeps the portal's
        answer unless an app built on the tenant layer overrides this."""
        self.ensure_one()
        if self.paas_url and self.state in ("active", "suspended"):
            return self.paas_url
        return super()._paas_portal_open_url()
