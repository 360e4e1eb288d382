from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from .const import SUBSCRIPTION_PAYING, SUBSCRIPTION_RUNNING


class WoowPaasSubscriptionPlanMixin(models.AbstractModel):
    """Plan changes and price updates of ``woow.paas.subscription``
    (billing prorates and the tenant layer applies quotas by overriding
    :meth:`action_change_plan` on ``woow.paas.subscription``)."""

    _name = "woow.paas.subscription.plan.mixin"
    _description = "Woow PaaS Subscription Plan Changes"

    def _paas_check_plan_change(self, plan):
        """Refuse ``plan`` for ``self`` with a sentence saying why."""
        if not plan.active:
            raise UserError(self.env._("Plan %s is archived: it takes no subscription.", plan.name))
        if not plan.is_public and not (
            self.env.su or self.env.user.has_group("woow_paas_core.group_paas_manager")
        ):
            raise UserError(
                self.env._("Plan %s is private: only a PaaS Manager can offer it.", plan.name)
            )
        for sub in self:
            if sub.state not in ("draft", *SUBSCRIPTION_RUNNING):
                raise UserError(
                    self.env._(
                        "Subscription %(sub)s is %(state)s: only a draft or running "
                        "subscription can change plan.",
                        sub=sub.name,
                        state=self._paas_state_label(sub.state),
                    )
                )
            if plan.company_id and plan.company_id != sub.company_id:
                raise UserError(
                    self.env._(
                        "Plan %(plan)s belongs to another company than subscription %(sub)s.",
                        plan=plan.name,
                        sub=sub.name,
                    )
                )
            if sub.state != "draft" and plan._paas_price_in(sub.currency_id) is None:
                raise UserError(
                    self.env._(
                        "Plan %(plan)s has no price in %(old)s, the currency subscription "
                        "%(sub)s pays in: choose a plan sold in %(old)s.",
                        plan=plan.name,
                        sub=sub.name,
                        old=sub.currency_id.name,
                    )
                )

    def action_change_plan(self, plan):
        """Move ``self`` to ``plan`` and record the change.

        Running subscriptions take the new plan's price; when the billing
        interval changes, a new period starts today (re-anchored) so that a
        year is a year. The billing layer overrides this to prorate; the
        tenant layer to apply the new quotas.
        """
        plan = self.env["woow.paas.plan"].browse(getattr(plan, "id", plan)).exists()
        if not plan:
            raise UserError(self.env._("Choose an existing plan."))
        self.check_access("write")
        changing = self.filtered(lambda s: s.plan_id != plan)
        changing._paas_check_plan_change(plan)
        drafts = changing.filtered(lambda s: s.state == "draft")
        drafts.write({"plan_id": plan.id})
        today = fields.Date.context_today(self)
        Event = self.env["woow.paas.event"]
        for (old_plan, old_price, old_interval, state), subs in (
            (changing - drafts)
            .grouped(lambda s: (s.plan_id, s.price, s.billing_interval, s.state))
            .items()
        ):
            vals = {"plan_id": plan.id}
            reanchor = state in SUBSCRIPTION_PAYING and old_interval != plan.billing_interval
            if reanchor:
                vals.update(self._paas_period_vals(today, plan.billing_interval))
            subs.sudo().write(vals)
            subs._message_log_batch(
                bodies=dict.fromkeys(
                    subs.ids,
                    Markup("%s")
                    % self.env._(
                        "Plan changed from %(old)s to %(new)s", old=old_plan.name, new=plan.name
                    ),
                )
            )
            payload = {
                "from_plan": old_plan.code,
                "to_plan": plan.code,
                "before": {"price": old_price, "interval": old_interval},
                "after": {"price": subs[0].price, "interval": plan.billing_interval},
            }
            if reanchor:
                payload["period_start"] = today.isoformat()
            Event._emit("subscription.plan_changed", subs, payload)
        return True

    def _paas_update_price(self):
        """Move running subscriptions to their plan's current price (same
        currency and interval), with an event each; see the plan's action."""
        Event = self.env["woow.paas.event"]
        for (plan, currency, old_price), subs in (
            self.filtered(lambda s: s.plan_id._paas_price_in(s.currency_id) not in (None, s.price))
            .grouped(lambda s: (s.plan_id, s.currency_id, s.price))
            .items()
        ):
            new_price = plan._paas_price_in(currency)
            subs.sudo().write({"price": new_price})
            subs._message_log_batch(
                bodies=dict.fromkeys(
                    subs.ids,
                    Markup("%s")
                    % self.env._(
                        "Price updated from %(old)s to %(new)s",
                        old=old_price,
                        new=new_price,
                    ),
                )
            )
            Event._emit(
                "subscription.price_changed",
                subs,
                {"before": old_price, "after": new_price, "currency": currency.name},
            )
        return True
