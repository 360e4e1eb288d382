from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .const import PARAM_ALLOW_REPEAT_TRIALS


class WoowPaasSubscriptionStartMixin(models.AbstractModel):
    """Starts asked by customers (REST API, portal sign-up) of
    ``woow.paas.subscription``: which start a customer may get (one free
    trial per customer and plan), serialized per customer. Layers extend
    :meth:`_paas_check_customer_start` on ``woow.paas.subscription``."""

    _name = "woow.paas.subscription.start.mixin"
    _description = "Woow PaaS Subscription Customer Starts"

    def _paas_start(self, start):
        """Start this draft subscription the way ``start`` asks
        (``"draft"``: leave it, ``"trial"``, ``"active"``) and return the
        start it got. The one path of the customer-facing entry points (REST
        API, portal sign-up), which create the subscription as superuser:
        when the acting user is a customer (a portal or public user, even
        through ``sudo()``), :meth:`_paas_check_customer_start` decides
        what it may start; operators start what they ask. A trial asked on a
        plan without one is an activation."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Subscription %s is already started.", self.name))
        if self.env.user.share:
            start = self._paas_check_customer_start(start)
        elif start == "trial" and self.plan_id.trial_days <= 0:
            start = "active"
        if start == "trial":
            self.action_start_trial()
        elif start == "active":
            self.action_activate()
        return start

    def _paas_check_customer_start(self, start):
        """Hook: the start (``"draft"``, ``"trial"`` or ``"active"``) a
        customer gets when it asks ``start`` for this draft subscription,
        or a ``UserError`` saying why it may not. Core: a trial on a plan
        without one is an activation, and one free trial per customer and
        plan unless the system parameter ``woow_paas_core.allow_repeat_trials``
        allows more. Billing extends it: a paid plan needs a usable payment
        method, else it starts as a trial. Override: adjust ``start``, then
        return ``super()``'s answer."""
        self.ensure_one()
        if start == "trial" and self.plan_id.trial_days <= 0:
            start = "active"
        if start == "trial" and not self._paas_repeat_trials_allowed():
            self._paas_lock_customer()
            if self._paas_had_trial():
                raise UserError(
                    self.env._(
                        "%(customer)s already had the free trial of %(plan)s: subscribe "
                        "with a payment method instead.",
                        customer=self.commercial_partner_id.display_name,
                        plan=self.plan_id.name,
                    )
                )
        return start

    @api.model
    def _paas_repeat_trials_allowed(self):
        return bool(
            self.env["ir.config_parameter"].sudo().get_param(PARAM_ALLOW_REPEAT_TRIALS, False)
        )

    def _paas_had_trial(self):
        """Whether this customer started a trial of this plan on another
        subscription (cancelled ones included)."""
        self.ensure_one()
        return bool(
            self.sudo().search_count(
                [
                    ("id", "!=", self.id),
                    ("commercial_partner_id", "=", self.commercial_partner_id.id),
                    ("plan_id", "=", self.plan_id.id),
                    ("trial_end_date", "!=", False),
                ],
                limit=1,
            )
        )

    def _paas_lock_customer(self):
        """Serialize the starts of one customer: its row is updated, so a
        concurrent start of the same customer waits for this transaction
        and then fails to serialize (Odoo retries the request, which then
        sees this start)."""
        partner = self.commercial_partner_id
        partner.flush_recordset(["is_paas_customer"])
        self.env.cr.execute(
            SQL("UPDATE res_partner SET is_paas_customer = TRUE WHERE id = %s", partner.id)
        )
        partner.invalidate_recordset(["is_paas_customer"])
