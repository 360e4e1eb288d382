from odoo import api, models


class WoowPaasEvent(models.Model):
    _inherit = "woow.paas.event"

    @api.model
    def _paas_event_types(self):
        """Override of ``woow_paas_core``: the tenant layer's events."""
        types = super()._paas_event_types()
        _ = self.env._
        types.update(
            {
                "tenant.restored": {"label": _("Tenant restored"), "customer": True},
                "tenant.archive_deleted": {
                    "label": _("Tenant archive deleted"),
                    "customer": True,
                },
                # An audit trail of who got in: the payload never carries the link.
                "tenant.signin_link_issued": {
                    "label": _("Tenant sign-in link issued"),
                    "customer": True,
                },
                "quota.warning": {"label": _("Quota almost reached"), "customer": True},
                "quota.exceeded": {"label": _("Quota exceeded"), "customer": True},
            }
        )
        return types
