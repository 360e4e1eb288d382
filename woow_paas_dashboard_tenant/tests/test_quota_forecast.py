from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.woow_paas_tenant.tests.common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestQuotaForecast(WoowPaasTenantCase):
    """On 11 March, tenant A used 400 of its 1,000 API calls since its period
    started on 1 March (40 a day: 600 left last 15 days, 26 March); tenant B
    has 5 users of 5 (at its limit today) and no API call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._plan_limit(cls.plan_monthly, "api_calls", 1000)
        cls._plan_limit(cls.plan_monthly, "users", 5)
        (cls.tenant_a | cls.tenant_b)._paas_quota_sync()
        quotas = (cls.tenant_a | cls.tenant_b).quota_ids
        cls.api_a = quotas.filtered(
            lambda q: q.tenant_id == cls.tenant_a and q.resource_code == "api_calls"
        )
        cls.users_b = quotas.filtered(
            lambda q: q.tenant_id == cls.tenant_b and q.resource_code == "users"
        )
        cls.api_a._paas_set_usage(400)
        cls.users_b._paas_set_usage(5)
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE woow_paas_tenant_quota SET period_start = '2026-03-01' WHERE id = %s",
            [cls.api_a.id],
        )
        cls.env.cr.execute(
            "UPDATE woow_paas_subscription SET current_period_start = '2026-03-01',"
            " current_period_end = '2026-03-31' WHERE id = %s",
            [cls.sub_a.id],
        )
        cls.env.invalidate_all()
        cls.plan_plus = cls.env["woow.paas.plan"].create(
            {"name": "Test Plus", "code": "test-plus", "price": 60.0}
        )

    def _forecast(self):
        with freeze_time("2026-03-11 12:00:00"):
            return (
                self.env["woow.paas.dashboard"]
                .with_user(self.paas_user)
                .with_context(tz="UTC")
                .get_dashboard("2026-03-01", "2026-03-31")["forecast"]
            )

    def test_nearest_quotas_and_run_out_days(self):
        """Lines nearest their limit first, each with its run-out day and its
        figures as the reader writes them; quotas not used at all (A's
        users, B's calls: 0 %) are not listed."""
        quotas = self._forecast()["quotas"]
        self.assertEqual(len(quotas), 2, "two resources limited for two tenants, two in use")
        first, second = quotas
        self.assertEqual((first["tenant_id"], first["ratio"]), (self.tenant_b.id, 1.0))
        self.assertEqual(first["runs_out"], "2026-03-11", "at its limit today")
        self.assertEqual(first["usage_text"], "5 / 5 users")
        self.assertEqual((second["tenant_id"], second["ratio"]), (self.tenant_a.id, 0.4))
        self.assertEqual(second["runs_out"], "2026-03-26")
        self.assertEqual(second["usage_text"], "400 / 1,000 calls / month")

    def test_period_ends_first(self):
        """A consumption that resets before it meets the limit never runs out."""
        self.env.cr.execute(
            "UPDATE woow_paas_subscription SET current_period_start = '2026-03-01',"
            " current_period_end = '2026-03-20' WHERE id = %s",
            [self.sub_a.id],
        )
        self.env.invalidate_all()
        self.assertIsNone(self._forecast()["quotas"][1]["runs_out"])

    def test_near_quota_first_among_expansion_candidates(self):
        """Subscription B (a tenant at its users limit) comes before A."""
        expansion = self._forecast()["expansion"]
        self.assertEqual(
            [row["subscription_id"] for row in expansion], [self.sub_b.id, self.sub_a.id]
        )
        self.assertEqual([row["near_quota"] for row in expansion], [True, False])
        self.assertEqual(expansion[0]["expansion_mrr"], 30.0)

    def test_quota_saturation_chart(self):
        """Tenants by their fullest quota: A at 40 %, B at its limit; each
        bucket opens its tenants."""
        saturation = self._forecast()["saturation"]
        self.assertEqual(
            [(bucket["key"], bucket["count"]) for bucket in saturation],
            [("low", 1), ("half", 0), ("near", 0), ("full", 1)],
        )
        Dashboard = self.env["woow.paas.dashboard"].with_user(self.paas_user)
        drill = Dashboard.get_chart_records("saturation", "2026-03-01", "2026-03-31", "full")
        self.assertEqual(drill, {"res_model": "woow.paas.tenant", "ids": self.tenant_b.ids})
        drill = Dashboard.get_chart_records("saturation", "2026-03-01", "2026-03-31", "low")
        self.assertEqual(drill["ids"], self.tenant_a.ids)
        # Other charts still reach the dashboard's own.
        drill = Dashboard.get_chart_records("tenant_state", "2026-03-01", "2026-03-31", "active")
        self.assertEqual(drill["res_model"], "woow.paas.tenant")
        with self.assertRaises(UserError):
            Dashboard.get_chart_records("saturation", "2026-03-01", "2026-03-31", ["full"])
