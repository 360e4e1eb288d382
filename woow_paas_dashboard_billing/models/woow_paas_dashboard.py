from odoo import api, models


class WoowPaasDashboard(models.AbstractModel):
    _inherit = "woow.paas.dashboard"

    @api.model
    def _paas_dashboard_providers(self):
        """Override of ``woow_paas_dashboard`` to add the usage by metric."""
        providers = super()._paas_dashboard_providers()
        providers.append(self.env["woow.paas.dashboard.usage"]._paas_usage_kpis)
        return providers

    @api.model
    def _paas_refresh_snapshot(self, full=False):
        """Override of ``woow_paas_dashboard`` to refresh the usage per day too."""
        super()._paas_refresh_snapshot(full=full)
        self.env["woow.paas.dashboard.usage"]._paas_refresh_usage_snapshot(full=full)
