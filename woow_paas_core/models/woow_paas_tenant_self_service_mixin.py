from odoo import models
from odoo.exceptions import AccessError, UserError

from .const import SUBSCRIPTION_RUNNING


class WoowPaasTenantSelfServiceMixin(models.AbstractModel):
    """Self-service of ``woow.paas.tenant``: the customer suspends and
    resumes their tenant, under the rules of :meth:`_paas_customer_check`."""

    _name = "woow.paas.tenant.self.service.mixin"
    _description = "PaaS Tenant Self-service"

    def _paas_customer_check(self, action):
        """Refuse what the customer may not do themselves: ``action`` is
        ``"suspend"`` or ``"resume"``. The one place of these rules, asked by
        every customer-facing entry point (portal, REST API) before it acts.

        A customer suspends an active tenant only where its plan allows
        self-suspension (``portal_self_suspend``), and resumes only a tenant
        they suspended themselves, under a running subscription: never one
        the platform suspended (an operator, dunning, a stopped subscription).
        Raises :class:`AccessError` for what the customer may never do here
        and :class:`UserError` for what the tenant's status refuses now.
        """
        self.ensure_one()
        self.check_access("read")  # the caller's own tenant, under its rules
        tenant = self.sudo()
        if action == "suspend":
            if not tenant.plan_id.portal_self_suspend:
                raise AccessError(
                    self.env._(
                        "The plan of tenant %(tenant)s does not let customers suspend it.",
                        tenant=tenant.name,
                    )
                )
            if tenant.state != "active":
                raise UserError(
                    self.env._(
                        "Only an active tenant can be suspended: %(tenant)s is %(state)s.",
                        tenant=tenant.name,
                        state=self._paas_state_label(tenant.state),
                    )
                )
        elif action == "resume":
            if tenant.state != "suspended":
                raise UserError(
                    self.env._(
                        "Tenant %(tenant)s is %(state)s, not suspended.",
                        tenant=tenant.name,
                        state=self._paas_state_label(tenant.state),
                    )
                )
            if not tenant.paas_customer_suspended:
                raise AccessError(
                    self.env._(
                        "Tenant %(tenant)s was suspended by the platform: only the platform "
                        "can resume it.",
                        tenant=tenant.name,
                    )
                )
            if not tenant.plan_id.portal_self_suspend:
                raise AccessError(
                    self.env._(
                        "The plan of tenant %(tenant)s does not let customers resume it.",
                        tenant=tenant.name,
                    )
                )
            if tenant.subscription_id.state not in SUBSCRIPTION_RUNNING:
                raise UserError(
                    self.env._(
                        "Tenant %(tenant)s cannot be resumed while its subscription is not "
                        "running.",
                        tenant=tenant.name,
                    )
                )
        else:
            raise ValueError(f"Unknown self-service action {action!r}")
        return True

    def _paas_customer_can(self, action):
        """Whether :meth:`_paas_customer_check` lets the customer ``action``."""
        try:
            return self._paas_customer_check(action)
        except UserError:  # AccessError too
            return False

    def _paas_customer_suspend(self, reason=None):
        """Suspend as the customer, under :meth:`_paas_customer_check`; only
        such a suspension may be resumed by the customer."""
        self._paas_customer_check("suspend")
        reason = reason or self.env._("Suspended by the customer.")
        return self.sudo()._paas_suspend(reason=reason, by_customer=True)

    def _paas_customer_resume(self):
        """Resume as the customer a tenant they suspended themselves."""
        self._paas_customer_check("resume")
        return self.sudo()._paas_reactivate()
