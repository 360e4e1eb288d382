from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

INTERVAL_DELTA = {"month": relativedelta(months=1), "year": relativedelta(years=1)}


class WoowPaasSubscriptionStateMixin(models.AbstractModel):
    """The moves of ``woow.paas.subscription`` (draft → trial → active ⇄
    past_due → suspended → cancelled), each an ``action_*`` method built on
    ``woow.paas.lifecycle.mixin``'s transitions, and the periods they open.
    Layers hook into a move by overriding its method on
    ``woow.paas.subscription``."""

    _name = "woow.paas.subscription.state.mixin"
    _description = "Woow PaaS Subscription State Machine"

    def _paas_check_start_date(self):
        today = fields.Date.context_today(self)
        future = self.filtered(lambda s: s.date_start and s.date_start > today)
        if future:
            raise UserError(
                self.env._(
                    "Subscription %(sub)s starts on %(date)s: start its trial or activate it "
                    "on that day, or set an earlier start date.",
                    sub=future[0].name,
                    date=future[0].date_start,
                )
            )

    def action_start_trial(self):
        """Start the plan's free trial (draft → trial) on the start date.

        The trial end date is the first day after the trial (like period
        ends): a 14-day trial started on the 10th ends on the 24th and the
        subscription is past due from that day unless activated.
        """
        self._paas_check_transition("trial")
        no_trial = self.filtered(lambda s: s.plan_id.trial_days <= 0)
        if no_trial:
            raise UserError(
                self.env._(
                    "Plan %(plan)s has no free trial; activate the subscription instead.",
                    plan=no_trial[0].plan_id.name,
                )
            )
        self._paas_check_start_date()
        today = fields.Date.context_today(self)
        for (days, start), subs in self.grouped(
            lambda s: (s.plan_id.trial_days, s.date_start or today)
        ).items():
            subs._paas_transition(
                "trial",
                "subscription.trial_started",
                vals={"date_start": start, "trial_end_date": start + relativedelta(days=days)},
            )
        return True

    def action_activate(self):
        """Start paying (draft/trial → active) and open the first period:
        from the start date for a draft, from today at the end of a trial.

        Past-due and suspended subscriptions come back through
        :meth:`action_register_payment` and :meth:`action_reactivate`.
        """
        self._paas_check_transition("active")
        resuming = self.filtered(lambda s: s.state not in ("draft", "trial"))
        if resuming:
            raise UserError(
                self.env._(
                    "Subscription %(sub)s is %(state)s: use Payment Received (past due) or "
                    "Reactivate (suspended) to bring it back.",
                    sub=resuming[0].name,
                    state=self._paas_state_label(resuming[0].state),
                )
            )
        self._paas_check_start_date()
        today = fields.Date.context_today(self)
        for (start, interval, is_draft), subs in self.grouped(
            lambda s: (
                (s.date_start or today) if s.state == "draft" else today,
                s.billing_interval,
                s.state == "draft",
            )
        ).items():
            vals = self._paas_period_vals(start, interval)
            if is_draft:
                vals["date_start"] = start
            subs._paas_transition("active", "subscription.activated", vals=vals)
        return True

    @api.model
    def _paas_period_vals(self, start, interval):
        """A new period anchored on ``start``."""
        return {
            "period_anchor_date": start,
            "current_period_start": start,
            "current_period_end": start + INTERVAL_DELTA[interval],
        }

    def _paas_check_manager(self):
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_manager"):
            raise AccessError(
                self.env._("Only a PaaS Manager can bring a subscription back to active.")
            )

    def action_register_payment(self):
        """Payment received by hand for a past-due subscription (past due →
        active). PaaS Managers only; billing calls
        :meth:`_paas_payment_received` when a payment is confirmed."""
        self._paas_check_manager()
        return self._paas_payment_received()

    def _paas_payment_received(self):
        """Past due → active; opens a new period from today when the
        subscription has none running (a trial that expired unpaid)."""
        self._paas_check_resume("past_due")
        return self._paas_resume()

    def action_reactivate(self):
        """Bring a suspended subscription back (suspended → active), with a
        new period from today, and the tenants its suspension stopped.

        Missed periods are not renewed one by one: the customer pays again
        from the reactivation date. PaaS Managers only.
        """
        self._paas_check_manager()
        self._paas_check_resume("suspended")
        return self._paas_resume()

    def _paas_check_resume(self, source):
        self._paas_check_transition("active")
        other = self.filtered(lambda s: s.state != source)
        if other:
            raise UserError(
                self.env._(
                    "Subscription %(sub)s is %(state)s, not %(expected)s.",
                    sub=other[0].name,
                    state=self._paas_state_label(other[0].state),
                    expected=self._paas_state_label(source),
                )
            )

    def _paas_resume(self):
        today = fields.Date.context_today(self)
        for (needs_period, interval), subs in self.grouped(
            lambda s: (
                not s.current_period_end or s.current_period_end <= today,
                s.billing_interval,
            )
        ).items():
            vals = self._paas_period_vals(today, interval) if needs_period else {}
            subs._paas_transition("active", "subscription.reactivated", vals=vals)
        # A tenant suspended because of its subscription comes back with it.
        self.tenant_ids.filtered(
            lambda t: t.state == "suspended" and t.suspended_by_subscription
        )._paas_reactivate()
        return True

    def action_mark_past_due(self):
        """Payment is overdue (trial ended or renewal unpaid): active → past_due."""
        return self._paas_transition("past_due", "subscription.past_due")

    def action_suspend(self):
        """Suspend the service; the subscription's running tenants are suspended too."""
        self._paas_transition("suspended", "subscription.suspended")
        self.tenant_ids.filtered(lambda t: t.state == "active")._paas_suspend(by_subscription=True)
        return True

    def action_open_cancel_wizard(self):
        """The form's Cancel button: ask why, then :meth:`action_cancel`."""
        self._paas_check_transition("cancelled")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Subscription"),
            "res_model": "woow.paas.subscription.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_subscription_ids": self.ids},
        }

    def action_cancel(self, reason=None):
        """Cancel for good, keeping ``reason``; running tenants are suspended
        (their data is kept). Always cancels: the form's button opens the
        wizard through :meth:`action_open_cancel_wizard`."""
        reason = (reason or "").strip() or False
        self._paas_transition(
            "cancelled",
            "subscription.cancelled",
            vals={"cancel_date": fields.Date.context_today(self), "cancel_reason": reason},
            note=reason,
            payload={"reason": reason or ""},
        )
        self.tenant_ids.filtered(lambda t: t.state == "active")._paas_suspend(by_subscription=True)
        return True
