from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestPeriodsAndPrices(WoowPaasCase):
    """Every way into active leaves a current period; prices are kept per subscription."""

    def _cron(self, name):
        return getattr(self.env["woow.paas.subscription"], name)()

    def test_trial_expired_then_paid_renews_on_time(self):
        """trial → past due (expired) → paid: a period from the payment day that renews."""
        with freeze_time("2026-03-10"):
            sub = self._subscription()
            sub.action_start_trial()
        self.assertEqual(sub.trial_end_date, date(2026, 3, 24))
        with freeze_time("2026-03-23"), self._core_hooks("_paas_on_trial_expired"):
            self._cron("_cron_expire_trials")
        self.assertEqual(sub.state, "trial", "a 14-day trial from the 10th runs to the 23rd")
        with freeze_time("2026-03-24"), self._core_hooks("_paas_on_trial_expired"):
            self._cron("_cron_expire_trials")
        self.assertEqual(sub.state, "past_due")
        self.assertFalse(sub.current_period_end)
        with freeze_time("2026-03-28"):
            sub.with_user(self.paas_manager).action_register_payment()
        self.assertEqual(sub.state, "active")
        self.assertEqual(
            (sub.current_period_start, sub.current_period_end),
            (date(2026, 3, 28), date(2026, 4, 28)),
        )
        with freeze_time("2026-04-28"):
            self._cron("_cron_renew_periods")
        self.assertEqual(sub.current_period_end, date(2026, 5, 28))
        self.assertEmitted(sub, "subscription.renewed", count=1)

    def test_reactivation_after_months_starts_a_new_period(self):
        """Six months suspended: reactivation opens one period from that day, no catch-up."""
        with freeze_time("2026-01-05"):
            sub = self._subscription()
            sub.action_activate()
            sub.action_suspend()
        with freeze_time("2026-07-20"):
            sub.with_user(self.paas_manager).action_reactivate()
            self.assertEqual(
                (sub.current_period_start, sub.current_period_end, sub.period_anchor_date),
                (date(2026, 7, 20), date(2026, 8, 20), date(2026, 7, 20)),
            )
            for _run in range(3):
                self._cron("_cron_renew_periods")
        self.assertFalse(self._events(sub, "subscription.renewed"))

    def test_activation_honours_start_date(self):
        """A start date in the future is refused; one in the past anchors the first period."""
        with freeze_time("2026-05-10"):
            later = self._subscription(date_start="2026-06-01")
            for method in ("action_activate", "action_start_trial"):
                with self.assertRaises(UserError):
                    getattr(later, method)()
            self.assertEqual(later.state, "draft")
            earlier = self._subscription(date_start="2026-05-01")
            earlier.action_activate()
        self.assertEqual(earlier.current_period_start, date(2026, 5, 1))
        self.assertEqual(earlier.current_period_end, date(2026, 6, 1))

    def test_unsuitable_plans_refused(self):
        """Archived, private (for a PaaS User), other-currency, other-company plans are refused."""
        sub = self._subscription()
        sub.action_activate()
        Plan = self.env["woow.paas.plan"]
        other_currency = self.env.ref("base.EUR")
        if other_currency == sub.currency_id:
            other_currency = self.env.ref("base.USD")
        other_currency.active = True
        archived = Plan.create({"name": "Old", "code": "old", "price": 10, "active": False})
        private = Plan.create({"name": "Deal", "code": "deal", "price": 20, "is_public": False})
        foreign = Plan.create(
            {"name": "Foreign", "code": "foreign", "price": 25, "currency_id": other_currency.id}
        )
        elsewhere = Plan.create(
            {"name": "Elsewhere", "code": "elsewhere", "price": 25,
             "company_id": self.env["res.company"].create({"name": "Plans Co"}).id}
        )  # fmt: skip
        for plan in (archived, private, foreign, elsewhere):
            with self.subTest(plan=plan.code), self.assertRaises(UserError):
                sub.with_user(self.paas_user).action_change_plan(plan)
        self.assertEqual(sub.plan_id, self.plan_monthly)
        self.assertEqual(sub.currency_id, self.plan_monthly.currency_id)
        self.assertFalse(self._events(sub, "subscription.plan_changed"))
        sub.with_user(self.paas_manager).action_change_plan(private)
        self.assertEqual(sub.plan_id, private)

    def test_interval_change_reanchors(self):
        """Monthly → yearly starts a full year today at the yearly price."""
        with freeze_time("2026-01-15"):
            sub = self._subscription()
            sub.action_activate()
        with freeze_time("2026-03-20"):
            sub.action_change_plan(self.plan_yearly)
        self.assertEqual(
            (sub.period_anchor_date, sub.current_period_start, sub.current_period_end),
            (date(2026, 3, 20), date(2026, 3, 20), date(2027, 3, 20)),
        )
        self.assertEqual((sub.price, sub.billing_interval), (1200.0, "year"))
        event = self.assertEmitted(sub, "subscription.plan_changed", count=1)
        self.assertEqual(event.payload["period_start"], "2026-03-20")

    def test_grandfathered_price(self):
        """Raising a plan's price changes no started subscription until the
        explicit update, which records each change; drafts follow the plan."""
        running = self._subscription()
        running.action_activate()
        cancelled = self._subscription()
        cancelled.action_activate()
        cancelled.action_cancel(reason="Gone")
        draft = self._subscription()
        self.plan_monthly.with_user(self.paas_manager).price = 45.0
        self.assertEqual(running.price, 30.0)
        self.assertEqual(running.mrr, 30.0)
        self.assertEqual(cancelled.price, 30.0)
        self.assertEqual(draft.price, 45.0)
        self.plan_monthly.with_user(self.paas_manager).action_update_subscription_prices()
        self.assertEqual(running.price, 45.0)
        self.assertEqual(running.mrr, 45.0)
        self.assertEqual(cancelled.price, 30.0)
        event = self.assertEmitted(running, "subscription.price_changed", count=1)
        self.assertEqual(event.payload, {"before": 30.0, "after": 45.0,
                                         "currency": running.currency_id.name})  # fmt: skip
        self.assertFalse(self._events(cancelled, "subscription.price_changed"))
        # Running again changes nothing more.
        self.plan_monthly.action_update_subscription_prices()
        self.assertEqual(len(self._events(running, "subscription.price_changed")), 1)

    def test_plan_terms_locked_while_running(self):
        """A plan with running subscriptions keeps its currency and interval."""
        sub = self._subscription()
        sub.action_activate()
        with self.assertRaises(UserError):
            self.plan_monthly.billing_interval = "year"
        self.assertEqual(self.plan_monthly.billing_interval, "month")
        self.plan_yearly.billing_interval = "month"  # no subscription: free
        self.assertEqual(self.plan_yearly.billing_interval, "month")

    def test_mrr_counts_paying_subscriptions_only(self):
        """MRR counts active and past-due subscriptions; the others count zero."""
        states = {}
        for state in ("draft", "trial", "active", "past_due", "suspended", "cancelled"):
            sub = self._subscription()
            if state == "trial":
                sub.action_start_trial()
            elif state != "draft":
                sub.action_activate()
                if state in ("past_due", "suspended"):
                    sub.action_mark_past_due()
                if state == "suspended":
                    sub.action_suspend()
                if state == "cancelled":
                    sub.action_cancel()
            states[state] = sub
        self.assertEqual(
            {state: sub.mrr for state, sub in states.items()},
            {"draft": 0, "trial": 0, "active": 30.0, "past_due": 30.0, "suspended": 0,
             "cancelled": 0},
        )  # fmt: skip
        self.assertEqual(states["cancelled"].state, "cancelled", "no reason: still cancels")

    def test_yearly_recurring_amount(self):
        """A yearly subscription counts a twelfth of its price per month."""
        sub = self._subscription(plan=self.plan_yearly)
        sub.action_activate()
        self.assertEqual((sub.recurring_monthly, sub.mrr), (100.0, 100.0))
