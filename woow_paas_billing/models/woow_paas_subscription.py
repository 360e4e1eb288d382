from odoo import models


class WoowPaasSubscription(models.Model):
    _inherit = "woow.paas.subscription"

    def _paas_usage(self, metric, date_from, date_to):
        """Usage of ``metric`` by all the tenants of these subscriptions from
        ``date_from`` (included) to ``date_to`` (excluded); a Decimal. See
        ``woow.paas.tenant._paas_usage``."""
        self.check_access("read")
        tenants = self.with_context(active_test=False).tenant_ids
        return tenants._paas_usage(metric, date_from, date_to)
