from odoo import fields, models


class WoowPaasSubscriptionCancel(models.TransientModel):
    _inherit = "woow.paas.subscription.cancel"

    when = fields.Selection(
        [
            ("now", "Now, crediting the unused days"),
            ("period_end", "At the end of the paid period"),
        ],
        default="now",
        required=True,
    )

    def action_confirm(self):
        self.ensure_one()
        if self.when == "now":
            return super().action_confirm()
        subs = self.subscription_ids
        # Trials and drafts have no paid period to wait for.
        later = subs.filtered(lambda s: s.state in ("active", "past_due"))
        if subs - later:
            (subs - later).action_cancel(reason=self.reason.strip())
        if later:
            later.action_cancel_at_period_end()
            later.sudo().write({"cancel_reason": self.reason.strip()})
        return {"type": "ir.actions.act_window_close"}
