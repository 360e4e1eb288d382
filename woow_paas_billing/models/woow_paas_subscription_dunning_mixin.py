from odoo import models
from odoo.exceptions import UserError

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING


class WoowPaasSubscriptionDunningMixin(models.AbstractModel):
    """The payment side of ``woow.paas.subscription``: whether it costs
    anything, the payment method it is charged with, and its moves on
    payment (dunning suspension, settlement). Its fields
    (``payment_token_id``, ``paas_suspended_for_payment``) are on the
    subscription."""

    _name = "woow.paas.subscription.dunning.mixin"
    _description = "Woow PaaS Subscription Payments and Dunning"

    def _paas_is_paid(self):
        """Whether this subscription costs anything: a recurring price or
        billable usage prices."""
        self.ensure_one()
        return bool(
            self.price > 0
            or self.plan_id.sudo().metric_price_ids.filtered(lambda p: p.metric_id.billable)
        )

    def _paas_check_customer_plan_change(self, plan):
        """A customer (a portal or public user, even through ``sudo()``)
        moves a running free subscription to a paid plan only with a usable
        payment method, as when it starts one: otherwise the change would
        hand it the paid plan against an invoice nobody will charge. A
        subscription already paid keeps its way of paying; a trial converts
        at its end through the same rule."""
        new_is_paid = plan.price > 0 or plan.sudo().metric_price_ids.filtered(
            lambda p: p.metric_id.billable
        )
        if not new_is_paid:
            return
        for sub in self.sudo():
            if (
                sub.state in SUBSCRIPTION_PAYING
                and not sub._paas_is_paid()
                and not (sub._paas_payment_token())
            ):
                raise UserError(
                    self.env._(
                        "Plan %(plan)s is paid: add a payment method before you move "
                        "%(sub)s to it.",
                        plan=plan.name,
                        sub=sub.name,
                    )
                )

    def _paas_payment_tokens(self):
        """``{subscription: token}``: the chosen method, else the customer's
        latest active one (one query for the whole batch)."""
        result = {sub: sub.payment_token_id for sub in self if sub.payment_token_id.active}
        missing = self.filtered(lambda s: s not in result)
        if missing:
            partners = missing.commercial_partner_id
            tokens = (
                self.env["payment.token"]
                .sudo()
                .search(
                    [("partner_id", "child_of", partners.ids), ("active", "=", True)],
                    order="id desc",
                )
            )
            latest = {}
            for token in tokens:
                latest.setdefault(token.partner_id.commercial_partner_id, token)
            for sub in missing:
                result[sub] = latest.get(sub.commercial_partner_id, tokens.browse())
        return result

    def _paas_payment_token(self):
        self.ensure_one()
        return self._paas_payment_tokens()[self]

    def _paas_dunning_suspend(self):
        """The dunning schedule ran out: suspend (core suspends the running
        tenants) and remember why, so a payment brings it back."""
        subs = self.filtered(lambda s: s.state in ("active", "past_due"))
        if subs:
            subs.action_suspend()
            subs.sudo().paas_suspended_for_payment = True
        return subs

    def _paas_payment_settled(self):
        """Every posted invoice is paid: past due → active, or back from a
        suspension that dunning caused, with the tenants it stopped."""
        past_due = self.filtered(lambda s: s.state == "past_due")
        if past_due:
            past_due._paas_payment_received()
        suspended = self.filtered(lambda s: s.state == "suspended" and s.paas_suspended_for_payment)
        if suspended:
            suspended._paas_check_resume("suspended")
            suspended._paas_resume()
            suspended.sudo().paas_suspended_for_payment = False
        return past_due | suspended

    def _paas_send_template(self, xmlid):
        template = self.env.ref(f"woow_paas_billing.{xmlid}", raise_if_not_found=False)
        if template:
            for sub in self:
                template.sudo().send_mail(sub.id)
