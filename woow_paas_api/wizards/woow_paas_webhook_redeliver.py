from datetime import timedelta

from odoo import fields, models


class WoowPaasWebhookRedeliver(models.TransientModel):
    """Redeliver an endpoint's failed deliveries created since a date."""

    _name = "woow.paas.webhook.redeliver"
    _description = "Redeliver Failed PaaS Webhook Deliveries"

    endpoint_id = fields.Many2one(
        "woow.paas.webhook.endpoint", required=True, ondelete="cascade", readonly=True
    )
    since = fields.Datetime(
        required=True,
        default=lambda self: fields.Datetime.now() - timedelta(days=1),
        help="Failed deliveries created at or after this moment are sent again.",
    )

    def action_redeliver(self):
        self.ensure_one()
        count = self.endpoint_id._redeliver_failed(self.since)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if count else "info",
                "title": self.env._("Redelivery queued"),
                "message": self.env._("%s failed deliveries queued again.", count),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
