from odoo import fields, models


class WoowPaasSubscriptionCancel(models.TransientModel):
    """Asks why before cancelling: the reason is kept on the subscription."""

    _name = "woow.paas.subscription.cancel"
    _description = "Cancel Woow PaaS Subscriptions"

    subscription_ids = fields.Many2many("woow.paas.subscription", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.subscription_ids.action_cancel(reason=self.reason.strip())
        return {"type": "ir.actions.act_window_close"}
