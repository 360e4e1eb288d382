from odoo import models


class WoowPaasSubscription(models.Model):
    _name = "woow.paas.subscription"
    _inherit = ["woow.paas.subscription", "portal.mixin"]

    def _compute_access_url(self):
        super()._compute_access_url()
        for subscription in self:
            subscription.access_url = f"/my/subscriptions/{subscription.id}"
