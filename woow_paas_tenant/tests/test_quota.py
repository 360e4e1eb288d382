import contextlib

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestQuota(WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._plan_limit(cls.plan_monthly, "api_calls", 100)
        cls.plan_big = cls.env["woow.paas.plan"].create(
            {"name": "Test Big", "code": "test-big", "price": 90.0}
        )
        cls._plan_limit(cls.plan_big, "api_calls", 1000)

    def _line(self, tenant, code="api_calls"):
        return tenant.quota_ids.filtered(lambda q: q.resource_code == code)

    def _warnings(self, tenant):
        return self._events(tenant, "quota.warning").sorted("id")

    def _thresholds(self, tenant):
        return [event.payload["threshold"] for event in self._warnings(tenant)]

    def test_soft_thresholds_once_each(self):
        """80 % and 100 % are each announced once per period, with their figures."""
        tenant = self.tenant_a
        tenant._paas_quota_consume("api_calls", 79)
        self.assertFalse(self._warnings(tenant))
        tenant._paas_quota_consume("api_calls", 1)
        tenant._paas_quota_consume("api_calls", 5)
        warnings = self._warnings(tenant)
        self.assertEqual(warnings.mapped("payload"), [
            {"resource": "api_calls", "threshold": 80, "usage": 80.0, "limit": 100.0,
             "period_start": self.sub_a.current_period_start.isoformat()},
        ])  # fmt: skip
        tenant._paas_quota_consume("api_calls", 15)
        tenant._paas_quota_consume("api_calls", -3)
        tenant._paas_quota_consume("api_calls", 3)
        self.assertEqual(self._thresholds(tenant), [80, 100])
        line = self._line(tenant)
        self.assertEqual((line.usage, line.effective_limit, line.usage_percent), (100, 100, 100))
        self.assertFalse(self._warnings(self.tenant_b))

    def test_jump_announces_both_thresholds(self):
        """Going from 0 to 100 % at once announces 80 % and 100 %."""
        self.tenant_a._paas_quota_consume("api_calls", 100)
        self.assertEqual(self._thresholds(self.tenant_a), [80, 100])

    def test_hard_limit_refused_with_figures(self):
        """Past the limit the call is refused, naming the limit, the use and a
        plan that lifts it; nothing is counted."""
        self.tenant_a._paas_quota_consume("api_calls", 98)
        with self.assertRaises(UserError) as caught:
            self.tenant_a._paas_quota_consume("api_calls", 5)
        message = str(caught.exception)
        self.assertIn("the limit is 100", message)
        self.assertIn("98 are already used", message)
        self.assertIn("5 more requested", message)
        self.assertIn("Plan Test Big allows 1,000 calls / month", message)
        self.assertEqual(self._line(self.tenant_a).usage, 98)
        with self.assertRaises(UserError):
            self.tenant_a._paas_quota_check("api_calls", 3)
        self.assertTrue(self.tenant_a._paas_quota_check("api_calls", 2))

    def test_exceeded_event_survives_rollback(self):
        """``quota.exceeded`` is recorded even though the refused transaction
        rolls back, and only once."""
        self.tenant_a._paas_quota_consume("api_calls", 100)
        errors = []
        with self.enter_registry_test_mode():
            # A transaction of its own, rolled back by the UserError (as an RPC call is).
            try:
                with self.registry.cursor() as cr:
                    tenant = self.tenant_a.with_env(self.env(cr=cr, user=self.user_a))
                    tenant._paas_quota_consume("api_calls", 1)
            except UserError as error:
                errors.append(error)
        self.assertEqual(len(errors), 1)
        events = self._events(self.tenant_a, "quota.exceeded")
        self.assertEqual(len(events), 1)
        self.assertEqual(events.payload["resource"], "api_calls")
        self.assertEqual(events.payload["usage"], 100)
        self.assertEqual(events.payload["upgrade_plan"], "test-big")
        self.assertEqual(events.user_id, self.user_a)
        self.assertEqual(self._line(self.tenant_a).usage, 100)

    def test_exceeded_event_kept_when_caller_commits(self):
        """A caller that catches the refusal and goes on keeps the event, once."""
        self.tenant_a._paas_quota_consume("api_calls", 100)
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            tenant = self.tenant_a.with_env(self.env(cr=cr))
            with contextlib.suppress(UserError):
                tenant._paas_quota_consume("api_calls", 1)
        self.assertEqual(len(self._events(self.tenant_a, "quota.exceeded")), 1)

    def test_plan_change_applies_new_limit_at_once(self):
        """Moving to a bigger plan lifts the limit in the same transaction."""
        self.tenant_a._paas_quota_consume("api_calls", 100)
        with self.assertRaises(UserError):
            self.tenant_a._paas_quota_consume("api_calls", 50)
        self.sub_a.action_change_plan(self.plan_big)
        self.assertEqual(self._line(self.tenant_a).effective_limit, 1000)
        self.tenant_a._paas_quota_consume("api_calls", 50)
        self.assertEqual(self._line(self.tenant_a).usage, 150)

    def test_plan_change_lower_limit_warns(self):
        """A smaller limit that puts usage past 80 % is announced at once."""
        self.sub_a.action_change_plan(self.plan_big)
        self.tenant_a._paas_quota_consume("api_calls", 90)
        self.assertFalse(self._warnings(self.tenant_a))
        self.sub_a.action_change_plan(self.plan_monthly)
        self.assertEqual(self._thresholds(self.tenant_a), [80])

    def test_override_beats_plan(self):
        """A tenant's override replaces the plan's limit; removing it restores it."""
        self.tenant_a._paas_quota_set_override("api_calls", 10)
        with self.assertRaises(UserError):
            self.tenant_a._paas_quota_consume("api_calls", 11)
        self.tenant_a._paas_quota_set_override("api_calls", None)
        self.tenant_a._paas_quota_consume("api_calls", 11)
        self.assertEqual(self._line(self.tenant_a).effective_limit, 100)

    def test_unlimited_resource(self):
        """A resource the plan does not limit is never refused nor warned."""
        self.tenant_a._paas_quota_consume("storage_mb", 10**9)
        line = self._line(self.tenant_a, "storage_mb")
        self.assertTrue(line.is_unlimited)
        self.assertFalse(self._warnings(self.tenant_a))

    def test_new_period_resets_consumption(self):
        """API calls restart from zero each billing period, and so do warnings."""
        self.tenant_a._paas_quota_consume("api_calls", 90)
        self.sub_a._paas_renew()
        self.tenant_a._paas_quota_consume("api_calls", 5)
        self.assertEqual(self._line(self.tenant_a).usage, 5)
        self.tenant_a._paas_quota_consume("api_calls", 80)
        warnings = self._warnings(self.tenant_a)
        self.assertEqual([w.payload["threshold"] for w in warnings], [80, 80])
        periods = [w.payload["period_start"] for w in warnings]
        self.assertNotEqual(periods[0], periods[1])

    def test_tenant_app_user_consumes(self):
        """Tenant app code running as a plain internal user can count usage."""
        self.tenant_a.with_user(self.user_a)._paas_quota_consume("api_calls", 3)
        self.assertEqual(self._line(self.tenant_a).usage, 3)

    def test_tenants_per_subscription(self):
        """A subscription gets no more tenants than its plan's ``tenants`` limit;
        archived ones do not count."""
        self._plan_limit(self.plan_monthly, "tenants", 1)
        with self.assertRaisesRegex(UserError, "allows 1 tenants and 1 are already in use"):
            self._tenant("tenant-a2", self.sub_a)
        self.tenant_a.action_archive()
        self.assertTrue(self._tenant("tenant-a2", self.sub_a))

    def test_cron_measures_users(self):
        """The cron counts the internal users of each tenant and warns at the limit."""
        self._plan_limit(self.plan_monthly, "users", 2)
        self.env["woow.paas.tenant"]._cron_measure_usage()
        self.assertEqual(self._line(self.tenant_a, "users").usage, 2)  # user_a, user_ab
        self.assertEqual(self._line(self.tenant_b, "users").usage, 2)  # user_b, user_ab
        self.assertEqual(self._thresholds(self.tenant_a), [80, 100])
        self.assertTrue(self.tenant_a.paas_usage_measured_at)

    def test_measured_over_limit_announced(self):
        """A measure finding more users than the limit (made where nothing
        could refuse them) emits quota.exceeded once, notes it on the tenant
        and flags the line until a measure finds it back within; nothing
        is suspended."""
        self._plan_limit(self.plan_monthly, "users", 1)
        Tenant = self.env["woow.paas.tenant"]
        Tenant._cron_measure_usage()
        line = self._line(self.tenant_a, "users")
        self.assertEqual((line.usage, line.effective_limit), (2, 1))
        self.assertTrue(line.over_limit_since)
        events = self._events(self.tenant_a, "quota.exceeded")
        self.assertEqual(events.mapped("payload"), [
            {"resource": "users", "limit": 1.0, "usage": 2.0, "requested": 0, "measured": True,
             "upgrade_plan": "test-big"},  # no users limit there
        ])  # fmt: skip
        self.assertIn("Measured over its limit", self.tenant_a.message_ids[0].body)
        self.assertEqual(self.tenant_a.state, "active")
        self.tenant_a.paas_usage_measured_at = False
        Tenant._cron_measure_usage()
        self.assertEqual(len(self._events(self.tenant_a, "quota.exceeded")), 1)
        self.tenant_a._paas_quota_set_override("users", 5)
        self.tenant_a.paas_usage_measured_at = False
        Tenant._cron_measure_usage()
        self.assertFalse(line.over_limit_since)
        self.tenant_a._paas_quota_set_override("users", None)
        self.tenant_a.paas_usage_measured_at = False
        Tenant._cron_measure_usage()
        self.assertTrue(line.over_limit_since)
        self.assertEqual(len(self._events(self.tenant_a, "quota.exceeded")), 2)

    def test_cron_bounded_batches(self):
        """Each run measures one batch, least recently measured first."""
        self._plan_limit(self.plan_monthly, "users", 5)
        Tenant = self.env["woow.paas.tenant"]
        Tenant._cron_measure_usage(batch_size=1)
        measured = (self.tenant_a | self.tenant_b).filtered("paas_usage_measured_at")
        self.assertEqual(len(measured), 1)
        Tenant._cron_measure_usage(batch_size=1)
        self.assertTrue(all((self.tenant_a | self.tenant_b).mapped("paas_usage_measured_at")))
