from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.woow_paas_billing.tests.common import NOW, WoowPaasUsageCase


@tagged("post_install", "-at_install")
class TestUsageKpis(WoowPaasUsageCase):
    """Usage by metric on the dashboard, from billing's daily rollups."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(NOW):
            cls.Usage.ingest(
                [
                    cls._event("a1", quantity=5, timestamp="2026-03-10T10:00:00Z"),
                    cls._event("a2", quantity=7, timestamp="2026-03-14T23:30:00Z"),
                    cls._event("b1", tenant="usage-b", quantity=2,
                               timestamp="2026-02-20T08:00:00Z"),
                    cls._event("c1", metric="test_count", timestamp="2026-03-11T10:00:00Z"),
                    cls._event("c2", metric="test_count", timestamp="2026-03-12T10:00:00Z"),
                    cls._event("m1", metric="test_max", quantity=99,
                               timestamp="2026-03-12T10:00:00Z"),
                ]
            )  # fmt: skip

    def _kpis(self, plan_ids=None):
        with freeze_time(NOW):
            data = (
                self.env["woow.paas.dashboard"]
                .with_user(self.paas_user)
                .with_context(tz="UTC")
                .get_dashboard("2026-03-01", "2026-03-31", plan_ids=plan_ids)
            )
        return {kpi["key"]: kpi for kpi in data["kpis"]}

    def test_additive_metrics_get_a_card(self):
        """Sum and count metrics add up per period; a maximum gets no card."""
        kpis = self._kpis()
        self.assertEqual(kpis["usage_test_sum"]["value"], 12.0)
        self.assertEqual(kpis["usage_test_sum"]["previous"], 2.0)
        self.assertEqual(kpis["usage_test_sum"]["trend"][-2:], [2.0, 12.0])
        self.assertEqual(kpis["usage_test_count"]["value"], 2.0)
        self.assertNotIn("usage_test_max", kpis)
        drill = kpis["usage_test_sum"]["drill"]
        self.assertEqual(drill["res_model"], "woow.paas.usage.rollup")
        self.assertEqual(self.env[drill["res_model"]].search_count(drill["domain"]), 2)

    def test_cards_say_how_to_show_their_figures(self):
        """A count's card shows a whole number; a sum's card the metric's
        decimals (whole calls for a metric set to 0 decimals)."""
        kpis = self._kpis()
        self.assertEqual(
            (kpis["usage_test_count"]["format"], kpis["usage_test_count"]["digits"]), ("integer", 0)
        )
        self.assertEqual(
            (kpis["usage_test_sum"]["format"], kpis["usage_test_sum"]["digits"]), ("number", 2)
        )
        self.metrics["sum"].digits = 0
        self.assertEqual(self._kpis()["usage_test_sum"]["digits"], 0)

    def test_plan_filter(self):
        """The plan filter narrows usage to the tenants on those plans."""
        self.assertEqual(self._kpis([self.plan_yearly.id])["usage_test_sum"]["value"], 0.0)
        self.assertEqual(self._kpis([self.plan_monthly.id])["usage_test_sum"]["value"], 12.0)

    def test_snapshot_per_day_stays_exact(self):
        """Usage read from the snapshot per day equals the rollups', before and
        after a late event lands on a day already summed."""
        live = self._kpis()
        self.env["woow.paas.dashboard"]._paas_refresh_snapshot()
        self.env.cr.execute("SELECT COUNT(*) FROM woow_paas_dashboard_usage_dirty")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("SELECT COUNT(*) FROM woow_paas_dashboard_usage_day")
        self.assertGreater(self.env.cr.fetchone()[0], 0)
        self.assertEqual(self._kpis(), live)
        with freeze_time(NOW):
            self.Usage.ingest([self._event("a3", quantity=4, timestamp="2026-03-10T18:00:00Z")])
        for refresh in (False, True):
            if refresh:
                self.env["woow.paas.dashboard"]._paas_refresh_snapshot()
            kpis = self._kpis()
            self.assertEqual(kpis["usage_test_sum"]["value"], 16.0, f"refreshed: {refresh}")
            self.assertEqual(kpis["usage_test_sum"]["previous"], 2.0)
            self.assertEqual(self._kpis([self.plan_monthly.id])["usage_test_sum"]["value"], 16.0)
