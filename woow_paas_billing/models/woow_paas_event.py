from odoo import api, models


class WoowPaasEvent(models.Model):
    _inherit = "woow.paas.event"

    @api.model
    def _paas_event_types(self):
        """Override of ``woow_paas_core``: the billing layer's events."""
        types = super()._paas_event_types()
        _ = self.env._
        types.update(
            {
                "subscription.plan_change_scheduled": {
                    "label": _("Plan change scheduled"),
                    "customer": True,
                },
                "subscription.cancel_scheduled": {
                    "label": _("Cancellation scheduled"),
                    "customer": True,
                },
                "invoice.posted": {"label": _("Invoice posted"), "customer": True},
                "invoice.paid": {"label": _("Invoice paid"), "customer": True},
                "payment.failed": {"label": _("Payment failed"), "customer": True},
                # Emitted on the sender (a user), not on a customer's record.
                "usage.rejected": {"label": _("Usage events rejected"), "customer": False},
                "billing_run.done": {"label": _("Billing run done"), "customer": False},
            }
        )
        return types
