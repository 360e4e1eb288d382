from itertools import pairwise

from odoo.tests import tagged

from ..history import (
    HISTORY_COLUMNS,
    HISTORY_PAYLOAD_KEYS,
    TRANSITION_EVENTS,
    TRANSITION_KEYS,
    payload_value,
)
from .common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestHistoryContract(WoowPaasCase):
    """What ``woow_paas_core.history`` declares holds: the layers that
    rebuild the past rely on it."""

    def _history(self):
        """A subscription and a tenant through every change core records."""
        sub = self._subscription()
        sub.action_start_trial()
        sub.action_activate()
        sub.action_change_plan(self.plan_yearly)
        self.plan_yearly.price = 1500.0
        self.plan_yearly.action_update_subscription_prices()
        sub.action_mark_past_due()
        sub.action_suspend()
        sub.action_reactivate()
        sub.action_cancel(reason="Contract test")
        tenant = self._tenant("history-contract", self._subscription(partner=self.customer_b))
        tenant._paas_transition("provisioning", "tenant.provisioning")
        tenant._paas_transition("active", "tenant.provisioned")
        tenant._paas_transition("suspended", "tenant.suspended")
        tenant._paas_transition("archived", "tenant.archived")
        return sub, tenant

    def test_payload_keys(self):
        """Every event of a contracted type carries its declared keys."""
        sub, tenant = self._history()
        events = self._events(sub) | self._events(tenant)
        seen = set()
        for event in events:
            keys = HISTORY_PAYLOAD_KEYS.get(event.event_type, ())
            if event.event_type in TRANSITION_EVENTS[event.res_model]:
                keys += TRANSITION_KEYS
            for key in keys:
                with self.subTest(event=event.event_type, key=key):
                    self.assertIsNotNone(payload_value(event.payload, key))
            if keys:
                seen.add(event.event_type)
        # The history above went through every type it declares for a subscription.
        self.assertLessEqual(set(HISTORY_PAYLOAD_KEYS), seen)
        self.assertLessEqual(
            {"subscription.activated", "subscription.cancelled", "tenant.provisioned"}, seen
        )

    def test_state_changes_carry_from_and_to(self):
        """An event with ``to`` is a state change, and the states chain up:
        each one's ``from`` is the ``to`` before it, the last ``to`` is the
        record's state today."""
        sub, tenant = self._history()
        for record in (sub, tenant):
            changes = self._events(record).filtered(lambda e: "to" in (e.payload or {}))
            changes = changes.sorted(lambda e: (e.occurred_at, e.id))
            self.assertTrue(changes)
            states = dict(record._fields["state"]._description_selection(self.env))
            for before, after in pairwise(changes):
                self.assertEqual(after.payload["from"], before.payload["to"])
            for event in changes:
                self.assertIn(event.payload["from"], states)
                self.assertIn(event.payload["to"], states)
            self.assertEqual(changes[-1].payload["to"], record.state)
        # No other event of these records carries "to".
        others = (self._events(sub) | self._events(tenant)).filtered(
            lambda e: e.event_type not in TRANSITION_EVENTS[e.res_model]
        )
        self.assertFalse(others.filtered(lambda e: "to" in (e.payload or {})))

    def test_price_changes_carry_the_price_before(self):
        """The ``before`` values of a price or plan change are those the
        subscription had: prices unwind from today's."""
        sub = self._subscription()
        sub.action_activate()
        sub.action_change_plan(self.plan_yearly)
        self.plan_yearly.price = 1500.0
        self.plan_yearly.action_update_subscription_prices()
        changed = self._events(sub, "subscription.plan_changed")
        self.assertEqual(payload_value(changed.payload, "before.price"), 30.0)
        self.assertEqual(payload_value(changed.payload, "before.interval"), "month")
        self.assertEqual(changed.payload["from_plan"], self.plan_monthly.code)
        repriced = self._events(sub, "subscription.price_changed")
        self.assertEqual(repriced.payload["before"], 1200.0)
        self.assertEqual(repriced.payload["after"], sub.price)

    def test_columns_exist(self):
        """The declared columns are columns of core's tables."""
        for table, columns in HISTORY_COLUMNS.items():
            self.env.cr.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                [table],
            )
            existing = {name for (name,) in self.env.cr.fetchall()}
            with self.subTest(table=table):
                self.assertLessEqual(set(columns), existing)
