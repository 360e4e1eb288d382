from odoo import api, models


class WoowPaasEvent(models.Model):
    _inherit = "woow.paas.event"

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `woow_paas_core` to fan the new events out to the
        webhook endpoints that accept them, in the same transaction."""
        events = super().create(vals_list)
        self.env["woow.paas.webhook.delivery"].sudo()._fan_out(events)
        return events

    @api.model
    def _paas_event_types(self):
        """Override of ``woow_paas_core``: the webhook layer's own event (a
        customer's endpoint tells its customer)."""
        types = super()._paas_event_types()
        types["webhook.endpoint_disabled"] = {
            "label": self.env._("Webhook endpoint disabled"),
            "customer": True,
        }
        return types
