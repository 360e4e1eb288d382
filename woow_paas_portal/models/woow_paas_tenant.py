from odoo import fields, models
from odoo.exceptions import UserError


class WoowPaasTenant(models.Model):
    _name = "woow.paas.tenant"
    _inherit = ["woow.paas.tenant", "portal.mixin"]

    paas_customer_suspended = fields.Boolean(
        string="Suspended by the Customer",
        readonly=True,
        copy=False,
        help="Suspended from the portal by the customer, who may resume it.",
    )

    def _compute_access_url(self):
        super()._compute_access_url()
        for tenant in self:
            tenant.access_url = f"/my/tenants/{tenant.id}"

    def _paas_protected_fields(self):
        fields_ = super()._paas_protected_fields()
        fields_["paas_customer_suspended"] = (None, self.env._("it follows the portal's buttons"))
        return fields_

    def _paas_portal_open_url(self):
        """Where the portal's "Open" button leads. Core has no tenant URL, so
        it is the tenant's portal page; the tenant bridge answers its host."""
        self.ensure_one()
        return self.access_url

    def _paas_portal_can_suspend(self):
        """Whether the customer may suspend this tenant from the portal."""
        self.ensure_one()
        return self.state == "active" and self.plan_id.portal_self_suspend

    def _paas_portal_can_resume(self):
        """Whether the customer may resume it: only a tenant they suspended
        themselves, under a running subscription."""
        self.ensure_one()
        return (
            self.state == "suspended"
            and self.paas_customer_suspended
            and self.plan_id.portal_self_suspend
            and self.subscription_id.state in ("trial", "active", "past_due")
        )

    def _paas_portal_suspend(self):
        """Suspend as the customer (the controller checked ownership)."""
        self.ensure_one()
        if not self._paas_portal_can_suspend():
            raise self._paas_portal_refused()
        tenant = self.sudo()
        tenant.action_suspend(reason=self.env._("Suspended by the customer from the portal."))
        tenant.paas_customer_suspended = True
        return True

    def _paas_portal_resume(self):
        self.ensure_one()
        if not self._paas_portal_can_resume():
            raise self._paas_portal_refused()
        tenant = self.sudo()
        tenant.action_activate()
        tenant.paas_customer_suspended = False
        return True

    def _paas_portal_refused(self):
        return UserError(
            self.env._("This tenant cannot be suspended or resumed from the portal now.")
        )
