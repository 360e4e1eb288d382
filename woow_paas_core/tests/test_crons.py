from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.woow_paas_core.models.woow_paas_subscription import WoowPaasSubscription

from .common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestCronRobustness(WoowPaasCase):
    """One record that raises neither blocks the others nor fails the cron."""

    def _due(self, count):
        with freeze_time("2026-01-10"):
            subs = self.env["woow.paas.subscription"].create(
                [{"partner_id": self.customer_a.id, "plan_id": self.plan_monthly.id}] * count
            )
            subs.action_activate()
        return subs

    @mute_logger("odoo.addons.woow_paas_core.models.woow_paas_lifecycle_mixin")
    def test_renewal_isolates_a_failing_record(self):
        """A renewal hook that raises for one subscription renews the others and
        logs the failure on the record and as an event; it is left alone for an hour."""
        subs = self._due(5)
        bad = subs[2]
        original = WoowPaasSubscription._paas_renew

        def renew(records):
            if bad in records:
                raise ValueError("card declined by the test")
            return original(records)

        with patch.object(WoowPaasSubscription, "_paas_renew", renew), \
                freeze_time("2026-02-10 08:00:00"):  # fmt: skip
            done = self.env["woow.paas.subscription"]._cron_renew_periods()
            self.assertEqual(done, subs - bad)
            again = self.env["woow.paas.subscription"]._cron_renew_periods()
            self.assertFalse(again, "the failing record waits for its retry time")
        self.assertEqual(len(self._events(subs - bad, "subscription.renewed")), 4)
        self.assertFalse(self._events(bad, "subscription.renewed"))
        failure = self.assertEmitted(bad, "subscription.renewal_failed", count=1)
        self.assertIn("card declined", failure.payload["error"])
        self.assertTrue(bad.paas_retry_at)
        self.assertIn("card declined", bad.message_ids[0].body)
        with freeze_time("2026-02-10 09:30:00"):
            self.env["woow.paas.subscription"]._cron_renew_periods()
        self.assertEmitted(bad, "subscription.renewed", count=1)

    @mute_logger("odoo.addons.woow_paas_core.models.woow_paas_lifecycle_mixin")
    def test_trial_expiry_isolates_a_failing_record(self):
        """The same isolation holds for the end of trials (billing charges there)."""
        with freeze_time("2026-01-01"):
            subs = self._subscription() | self._subscription() | self._subscription()
            subs.action_start_trial()
        bad = subs[0]
        original = WoowPaasSubscription._paas_on_trial_expired

        def expire(records):
            if bad in records:
                raise ValueError("charge failed")
            return original(records)

        # On the registry's class: core's hook even where a layer overrides it.
        registry_class = type(self.env["woow.paas.subscription"])
        with patch.object(registry_class, "_paas_on_trial_expired", expire), \
                freeze_time("2026-02-01"):  # fmt: skip
            self.env["woow.paas.subscription"]._cron_expire_trials()
        self.assertEqual((subs - bad).mapped("state"), ["past_due", "past_due"])
        self.assertEqual(bad.state, "trial")
        self.assertEmitted(bad, "subscription.trial_expiry_failed", count=1)

    def test_renewal_is_batched(self):
        """Renewing 200 subscriptions costs about the queries of renewing 10."""
        small, large = self._due(10), self._due(200)
        counts = {}
        for subs in (small, large):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time("2026-02-10"), self._core_hooks("_paas_renew"):
                subs._paas_renew()
            self.env.flush_all()
            counts[len(subs)] = self.env.cr.sql_log_count - before
        self.assertGreater(counts[10], 0)
        self.assertLessEqual(counts[200], counts[10] + 10, counts)
        self.assertEqual(len(self._events(large, "subscription.renewed")), 200)
