from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import WoowPaasCase

# What the design allows, written out independently of the model's own table.
ALLOWED = {
    "draft": {"trial", "active", "cancelled"},
    "trial": {"active", "past_due", "cancelled"},
    "active": {"past_due", "suspended", "cancelled"},
    "past_due": {"active", "suspended", "cancelled"},
    "suspended": {"active", "cancelled"},
    "cancelled": set(),
}
ACTIONS = {
    "trial": "action_start_trial",
    "active": "_activate_any",
    "past_due": "action_mark_past_due",
    "suspended": "action_suspend",
    "cancelled": "action_cancel",
}
PATHS = {
    "draft": [],
    "trial": ["trial"],
    "active": ["active"],
    "past_due": ["active", "past_due"],
    "suspended": ["active", "past_due", "suspended"],
    "cancelled": ["cancelled"],
}


@tagged("post_install", "-at_install")
class TestSubscriptionLifecycle(WoowPaasCase):
    def _move(self, sub, target):
        if target == "cancelled":
            return sub.action_cancel(reason="Test reason")
        if target == "active":
            # Each way back to active has its own move (see test_ways_back_to_active).
            return {
                "past_due": sub.action_register_payment,
                "suspended": sub.action_reactivate,
            }.get(sub.state, sub.action_activate)()
        return getattr(sub, ACTIONS[target])()

    def _in_state(self, state):
        sub = self._subscription()
        for step in PATHS[state]:
            self._move(sub, step)
        self.assertEqual(sub.state, state)
        return sub

    def test_every_transition(self):
        """Each (state, move) pair is allowed or refused exactly as designed."""
        Event = self.env["woow.paas.event"]
        # The subscription's own events: layers add theirs (invoices, ...).
        own = [("event_type", "=like", "subscription.%")]
        for source, targets in ALLOWED.items():
            for target in ACTIONS:
                with self.subTest(source=source, target=target):
                    sub = self._in_state(source)
                    events_before = Event.search_count(own)
                    messages_before = len(sub.message_ids)
                    if target in targets:
                        self._move(sub, target)
                        self.assertEqual(sub.state, target)
                        self.assertEqual(Event.search_count(own), events_before + 1)
                        self.assertEqual(len(sub.message_ids), messages_before + 1)
                    else:
                        with self.assertRaises(UserError):
                            self._move(sub, target)
                        self.assertEqual(sub.state, source)
                        self.assertEqual(Event.search_count(own), events_before)
                        self.assertEqual(len(sub.message_ids), messages_before)

    def test_refused_batch_writes_nothing(self):
        """One refused record in a batch leaves every record of it untouched."""
        good = self._subscription()
        bad = self._in_state("cancelled")
        with self.assertRaises(UserError):
            (good | bad).action_activate()
        self.assertEqual(good.state, "draft")
        self.assertFalse(good.current_period_start)
        self.assertFalse(self._events(good, "subscription.activated"))

    @freeze_time("2026-03-10")
    def test_trial_then_activation(self):
        """A trial lasts the plan's trial days; activation opens the first period."""
        sub = self._subscription()
        sub.action_start_trial()
        self.assertEqual(sub.date_start, date(2026, 3, 10))
        self.assertEqual(sub.trial_end_date, date(2026, 3, 24))
        event = self.assertEmitted(sub, "subscription.trial_started", count=1)
        self.assertEqual(event.payload, {"from": "draft", "to": "trial"})
        self.assertEqual(event.partner_id, self.customer_a)
        self.assertEqual(event.subscription_id, sub)
        self.assertEqual(event.plan_id, self.plan_monthly)
        sub.action_activate()
        self.assertEqual(sub.current_period_start, date(2026, 3, 10))
        self.assertEqual(sub.current_period_end, date(2026, 4, 10))
        self.assertEqual(sub.date_start, date(2026, 3, 10))
        self.assertEqual(
            self.assertEmitted(sub, "subscription.activated").payload,
            {"from": "trial", "to": "active"},
        )

    @freeze_time("2026-03-10")
    def test_yearly_period_and_recurring_amount(self):
        """A yearly plan opens a one-year period and counts 1/12 of its price per month."""
        sub = self._subscription(plan=self.plan_yearly)
        self.assertEqual(sub.recurring_monthly, 100.0)
        sub.action_activate()
        self.assertEqual(sub.current_period_end, date(2027, 3, 10))
        monthly = self._subscription()
        self.assertEqual(monthly.recurring_monthly, 30.0)

    def test_no_trial_on_plan_without_trial(self):
        """Starting a trial on a plan without one is refused."""
        sub = self._subscription(plan=self.plan_yearly)
        with self.assertRaises(UserError):
            sub.action_start_trial()
        self.assertEqual(sub.state, "draft")

    def test_recovery_and_reactivation_events(self):
        """Coming back to active from past due or suspended is a reactivation."""
        sub = self._in_state("past_due")
        sub.action_register_payment()
        self.assertEqual(
            self.assertEmitted(sub, "subscription.reactivated", count=1).payload["from"],
            "past_due",
        )
        self.assertEmitted(sub, "subscription.past_due", count=1)
        sub.action_mark_past_due()
        sub.action_suspend()
        self.assertEmitted(sub, "subscription.suspended", count=1)
        sub.action_reactivate()
        self.assertEqual(len(self._events(sub, "subscription.reactivated")), 2)

    def test_cancel_keeps_reason_and_wizard(self):
        """Cancelling from the UI asks why; the reason is stored and sent in the event."""
        sub = self._in_state("active")
        action = sub.action_open_cancel_wizard()
        self.assertEqual(action["res_model"], "woow.paas.subscription.cancel")
        self.assertEqual(sub.state, "active")
        wizard = (
            self.env["woow.paas.subscription.cancel"]
            .with_context(action["context"])
            .create({"reason": "  Too expensive  "})
        )
        wizard.action_confirm()
        self.assertEqual(sub.state, "cancelled")
        self.assertEqual(sub.cancel_reason, "Too expensive")
        self.assertTrue(sub.cancel_date)
        event = self.assertEmitted(sub, "subscription.cancelled", count=1)
        self.assertEqual(event.payload["reason"], "Too expensive")

    def test_tenants_follow_subscription(self):
        """Suspending a subscription suspends its running tenants and
        reactivating it brings back only those it suspended."""
        sub = self._in_state("active")
        auto = self._tenant("auto-tenant", sub)
        manual = self._tenant("manual-tenant", sub)
        (auto | manual).action_provision()
        manual.action_suspend(reason="Abuse report")
        sub.action_suspend()
        self.assertEqual(auto.state, "suspended")
        self.assertTrue(auto.suspended_by_subscription)
        self.assertFalse(manual.suspended_by_subscription)
        sub.action_reactivate()
        self.assertEqual(auto.state, "active")
        self.assertEqual(manual.state, "suspended")
        self.assertEmitted(auto, "tenant.reactivated", count=1)

    def test_cancel_suspends_tenants(self):
        """Cancelling stops the tenants but keeps their data (suspended, not archived)."""
        sub = self._in_state("active")
        tenant = self._tenant("cancel-tenant", sub)
        tenant.action_provision()
        sub.action_cancel(reason="Leaving")
        self.assertEqual(tenant.state, "suspended")
        with self.assertRaises(UserError):
            tenant.action_activate()

    def test_change_plan(self):
        """A running subscription changes plan only through action_change_plan."""
        sub = self._in_state("active")
        with self.assertRaises(UserError):
            sub.with_user(self.paas_user).plan_id = self.plan_yearly
        self.assertEqual(sub.plan_id, self.plan_monthly)
        sub.action_change_plan(self.plan_yearly)
        self.assertEqual(sub.plan_id, self.plan_yearly)
        self.assertEqual(sub.recurring_monthly, 100.0)
        event = self.assertEmitted(sub, "subscription.plan_changed", count=1)
        self.assertEqual(event.payload["from_plan"], "test-monthly")
        self.assertEqual(event.payload["to_plan"], "test-yearly")
        self.assertEqual(event.payload["before"], {"price": 30.0, "interval": "month"})
        self.assertEqual(event.payload["after"], {"price": 1200.0, "interval": "year"})
        sub.action_change_plan(self.plan_yearly)  # same plan: nothing recorded
        self.assertEqual(len(self._events(sub, "subscription.plan_changed")), 1)
        sub.action_cancel(reason="Gone")
        with self.assertRaises(UserError):
            sub.action_change_plan(self.plan_monthly)

    def test_draft_plan_is_editable(self):
        """A draft subscription's plan is a plain field."""
        sub = self._subscription()
        sub.plan_id = self.plan_yearly
        self.assertEqual(sub.plan_id, self.plan_yearly)

    def test_trial_expiry_cron(self):
        """The cron moves trials past their end date to past due, and only those."""
        with freeze_time("2026-01-01"):
            expired = self._in_state("trial")
        with freeze_time("2026-01-10"):
            running = self._in_state("trial")
        with freeze_time("2026-01-20"), self._core_hooks("_paas_on_trial_expired"):
            self.env["woow.paas.subscription"]._cron_expire_trials()
        self.assertEqual(expired.state, "past_due")
        self.assertEqual(running.state, "trial")

    def test_trial_expiry_cron_batches(self):
        """A full batch leaves the rest for a re-triggered run, and nothing twice."""
        with freeze_time("2026-01-01"):
            subs = self._subscription() | self._subscription() | self._subscription()
            subs.action_start_trial()
        cron = self.env.ref("woow_paas_core.ir_cron_expire_trials")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with freeze_time("2026-02-01"), self._core_hooks("_paas_on_trial_expired"):
            self.env["woow.paas.subscription"]._cron_expire_trials(batch_size=2)
            self.assertEqual(subs.mapped("state").count("past_due"), 2)
            self.assertEqual(
                self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
                triggers + 1,
            )
            self.env["woow.paas.subscription"]._cron_expire_trials(batch_size=2)
        self.assertEqual(set(subs.mapped("state")), {"past_due"})
        self.assertEqual(len(self._events(subs, "subscription.past_due")), 3)

    def test_unlink_only_draft_or_cancelled(self):
        """Running subscriptions cannot be deleted; drafts can."""
        sub = self._in_state("active")
        with self.assertRaises(UserError):
            sub.unlink()
        self.assertTrue(sub.exists())
        draft = self._subscription()
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_reference_and_customer_flag(self):
        """Each subscription gets its own reference and flags its customer."""
        subs = self._subscription() | self._subscription(partner=self.contact_b)
        self.assertTrue(all(name.startswith("SUB/") for name in subs.mapped("name")))
        self.assertEqual(len(set(subs.mapped("name"))), 2)
        self.assertTrue(self.customer_a.is_paas_customer)
        self.assertTrue(self.customer_b.is_paas_customer)
        self.assertEqual(self.customer_b.paas_subscription_count, 1)
        self.assertEqual(self.contact_b.paas_subscription_count, 1)
        batch = self.env["woow.paas.subscription"].create(
            [{"partner_id": self.customer_a.id, "plan_id": self.plan_monthly.id}] * 5
        )
        numbers = [int(name.rsplit("/", 1)[1]) for name in batch.mapped("name")]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 5)))

    def test_user_runs_lifecycle(self):
        """A PaaS User (not manager) can run the whole lifecycle."""
        sub = self._subscription().with_user(self.paas_user)
        sub.action_start_trial()
        sub.action_activate()
        sub.action_cancel(reason="Done")
        self.assertEqual(sub.state, "cancelled")
        moves = self._events(sub).filtered(lambda e: e.event_type != "subscription.created")
        self.assertEqual(moves.user_id, self.paas_user)
        # Bringing a subscription back is a manager's decision (or billing's).
        for method in ("action_register_payment", "action_reactivate"):
            with self.assertRaises(AccessError):
                getattr(self._in_state("past_due").with_user(self.paas_user), method)()

    def test_renewal(self):
        """A due period renews once per call, in order, and emits the period."""
        with freeze_time("2026-01-31"):
            sub = self._in_state("active")
            draft = self._subscription()
        self.assertEqual(sub.current_period_end, date(2026, 2, 28))
        with freeze_time("2026-03-01"):
            self.env["woow.paas.subscription"]._cron_renew_periods()
        self.assertEqual(sub.current_period_start, date(2026, 2, 28))
        # Periods stay anchored on the 31st, not drifting to the 28th.
        self.assertEqual(sub.current_period_end, date(2026, 3, 31))
        event = self.assertEmitted(sub, "subscription.renewed", count=1)
        self.assertEqual(
            event.payload,
            {"period_start": "2026-02-28", "period_end": "2026-03-31", "amount": 30.0,
             "currency": sub.currency_id.name},
        )  # fmt: skip
        with freeze_time("2026-03-01"):
            self.env["woow.paas.subscription"]._cron_renew_periods()
        self.assertEqual(len(self._events(sub, "subscription.renewed")), 1)
        with freeze_time("2026-04-01"):
            self.env["woow.paas.subscription"]._cron_renew_periods()
        self.assertEqual(sub.current_period_end, date(2026, 4, 30))
        with self.assertRaises(UserError):
            draft._paas_renew()

    def test_change_plan_wizard(self):
        """The form's Change Plan wizard records the change like the method."""
        sub = self._in_state("active").with_user(self.paas_user)
        action = self.env.ref("woow_paas_core.woow_paas_subscription_change_plan_action")
        Wizard = self.env[action.res_model].with_user(self.paas_user)
        wizard = Wizard.with_context(default_subscription_id=sub.id).create(
            {"plan_id": self.plan_yearly.id}
        )
        self.assertEqual(wizard.current_plan_id, self.plan_monthly)
        self.assertEqual(wizard.recurring_monthly, 100.0)
        wizard.action_confirm()
        self.assertEqual(sub.plan_id, self.plan_yearly)
        self.assertEmitted(sub, "subscription.plan_changed", count=1)
        same = Wizard.create({"subscription_id": sub.id, "plan_id": self.plan_yearly.id})
        with self.assertRaises(UserError):
            same.action_confirm()
