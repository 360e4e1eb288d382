from odoo import models


class WoowPaasSubscription(models.Model):
    _name = "woow.paas.subscription"
    _inherit = ["woow.paas.subscription", "portal.mixin"]

    def _compute_access_url(self):
        super()._compute_access_url()
        for subscription in self:
            subscription.access_url = f"/my/subscriptions/{subscription.id}"

    def _paas_portal_can_cancel(self):
        """Whether the customer may cancel it now from the portal."""
        self.ensure_one()
        return "cancelled" in self._paas_allowed_transitions().get(self.state, ())

    def _paas_portal_can_reactivate(self):
        """Whether the customer may bring it back from the portal. Core lets
        only managers reactivate (a suspended subscription needs a payment);
        the billing bridge opens it for a cancellation at period end."""
        self.ensure_one()
        return False

    def _paas_portal_cancel(self, reason):
        """Cancel now as the customer (the controller checked ownership)."""
        self.ensure_one()
        return self.sudo().action_cancel(reason=reason)

    def _paas_portal_reactivate(self):
        self.ensure_one()
        return False
