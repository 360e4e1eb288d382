from odoo import models


class WoowPaasSubscription(models.Model):
    _inherit = "woow.paas.subscription"

    def action_change_plan(self, plan):
        """Override of ``woow_paas_core`` to apply the new plan's limits at once.

        The limits of the tenants' quota lines follow the plan by themselves
        (stored computes); this adds the lines for resources the new plan
        limits and announces thresholds a lower limit puts usage past.
        """
        res = super().action_change_plan(plan)
        self.tenant_ids._paas_quota_sync()
        return res
