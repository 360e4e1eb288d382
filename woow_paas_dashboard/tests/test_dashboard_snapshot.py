from freezegun import freeze_time

from odoo.tests import tagged

from .common import Q1, Q2, DashboardCase


@tagged("post_install", "-at_install")
class TestDashboardSnapshot(DashboardCase):
    """The snapshot and the forecast over the half year of ``DashboardCase``."""

    def test_subscription_without_events(self):
        """An imported subscription with no lifecycle event counts from its dates."""
        with freeze_time("2026-06-30 18:00:00"):
            sub = self._subscription(self.customer_d, self.plan_big)
            self.env["woow.paas.event"].search([("subscription_id", "=", sub.id)]).unlink()
            self.env.cr.execute(
                "UPDATE woow_paas_subscription SET state = 'active', date_start = '2026-05-10'"
                " WHERE id = %s",
                [sub.id],
            )
            self.env.invalidate_all()
        q2 = self._kpis(self._dashboard())
        self.assertEqual(q2["mrr"]["value"], 155.0)
        self.assertEqual(q2["new_mrr"]["value"], 80.0)

    # ------------------------------------------------------------------
    # Snapshot
    # ------------------------------------------------------------------
    def _refresh(self):
        self.env["woow.paas.dashboard"]._paas_refresh_snapshot()
        self.env.cr.execute("SELECT COUNT(*) FROM woow_paas_dashboard_dirty")
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def _all_views(self, now="2026-06-30 18:00:00"):
        """Every period and filter the other tests look at, as JSON."""
        views = {}
        for period in (Q1, Q2, ("2026-03-01", "2026-03-14"), ("2025-07-01", "2026-06-30")):
            for plans in (None, [self.plan_big.id], [self.plan_yearly.id]):
                views[period, tuple(plans or ())] = self._dashboard(period, plans, now=now)
        return views

    def test_snapshot_gives_the_same_figures(self):
        """Figures read from the snapshot are those replayed from the event log."""
        self.env.cr.execute("SELECT COUNT(*) FROM woow_paas_dashboard_dirty")
        self.assertGreater(self.env.cr.fetchone()[0], 0, "the fixture marked its records")
        live = self._all_views()
        self._refresh()
        self.env.cr.execute("SELECT COUNT(*) FROM woow_paas_dashboard_segment")
        self.assertGreater(self.env.cr.fetchone()[0], 10)
        self.assertEqual(self._all_views(), live)
        # A full rebuild gives the same rows as the incremental one.
        self.env["woow.paas.dashboard"]._paas_refresh_snapshot(full=True)
        self.assertEqual(self._all_views(), live)

    def test_snapshot_stays_exact_after_later_changes(self):
        """Upgrades, downgrades, cancellations, suspensions and reactivations in
        July change July and leave the first half year as it was, whether the
        changed subscriptions are replayed live or read from the refreshed
        snapshot, and whatever moment the refresh ran at.

        July by hand, from MRR 105 (S1, S3, S5 at 35): Jul 1 S1 upgrades to
        big (+15) 120; Jul 3 S3 downgrades to small at 10 (−25) 95; Jul 5 S5
        cancelled (−35) 60; Jul 8 S3 suspended (−10) 50; Jul 12 S3
        reactivated (+10) 60.
        """
        small = self.env["woow.paas.plan"].create(
            {"name": "Test Small", "code": "test-small", "price": 10.0}
        )
        self._refresh()
        before = self._all_views()
        with freeze_time("2026-07-01 09:00:00"):
            self.s1.action_change_plan(self.plan_big)
        with freeze_time("2026-07-03 09:00:00"):
            self.s3.action_change_plan(small)
        # Half the changes in the snapshot, half replayed live.
        self._refresh()
        with freeze_time("2026-07-05 09:00:00"):
            self.s5.action_cancel(reason="Moving on.")
        with freeze_time("2026-07-08 09:00:00"):
            self.s3.action_suspend()
        with freeze_time("2026-07-12 09:00:00"):
            self.s3.action_reactivate()
        now = "2026-07-31 18:00:00"
        july = ("2026-07-01", "2026-07-31")
        for refresh in (False, True):
            if refresh:
                self._refresh()
            after = self._all_views(now)
            for key, data in before.items():
                for kpi, kpi_after in zip(data["kpis"], after[key]["kpis"], strict=True):
                    if kpi["key"] == "tenants" and key[1]:
                        continue  # tenants follow their current plan (documented)
                    self.assertEqual(kpi_after, kpi, key)
            data = self._dashboard(july, now=now)
            kpis = self._kpis(data)
            self.assertEqual(kpis["mrr"]["value"], 60.0)
            self.assertEqual(kpis["mrr"]["previous"], 105.0)
            self.assertEqual(kpis["new_mrr"]["value"], 0.0)
            self.assertEqual(kpis["churned_mrr"]["value"], 45.0)
            self.assertEqual(kpis["customers"]["value"], 2)
            # Per customer: A 70 → 50 (S5 cancelled, S1 up 15), C 35 → 10.
            self.assertAlmostEqual(kpis["revenue_churn"]["value"], (20 + 25) / 105)
            self.assertAlmostEqual(kpis["nrr"]["value"], 60 / 105)
            self.assertAlmostEqual(kpis["grr"]["value"], 60 / 105)
            moves = data["movements"]
            self.assertEqual(moves["expansion_mrr"][-1], 15.0)
            self.assertEqual(moves["contraction_mrr"][-1], 25.0)
            self.assertEqual(moves["reactivation_mrr"][-1], 10.0)
            self.assertEqual(moves["churned_mrr"][-1], 45.0)
            self.assertEqual(set(self._records("mrr", july)["ids"]), set((self.s1 | self.s3).ids))

    def test_snapshot_follows_raw_sql_and_purges(self):
        """Writes that bypass the ORM mark their records too (triggers)."""
        self._refresh()
        self.env.cr.execute(
            "UPDATE woow_paas_subscription SET price = 40 WHERE id = %s", [self.s3.id]
        )
        self.env.invalidate_all()
        kpis = self._kpis(self._dashboard())
        self.assertEqual(kpis["mrr"]["value"], 110.0, "S3 now at 40 since its last price change")
        self._refresh()
        self.assertEqual(self._kpis(self._dashboard())["mrr"]["value"], 110.0)
        self.env.cr.execute(
            "DELETE FROM woow_paas_event WHERE res_model = 'woow.paas.tenant' AND res_id = %s",
            [self.t1.id],
        )
        self._refresh()
        self.env.cr.execute(
            "UPDATE woow_paas_tenant SET create_date = '2026-04-20' WHERE id = %s", [self.t1.id]
        )
        for refresh in (False, True):
            if refresh:
                self._refresh()
            kpis = self._kpis(self._dashboard())
            self.assertEqual(kpis["tenants"]["value"], 1, "T1 counted from its creation now")
            self.assertEqual(kpis["tenants"]["previous"], 1, "T2 only at the end of Q1")
            self.assertEqual(kpis["tenants"]["trend"][-4:], [1, 1, 1, 1])

    # ------------------------------------------------------------------
    # Forecast
    # ------------------------------------------------------------------
    def test_forecast(self):
        """MRR of the next three months from today's base (105), the churn
        trend (revenue churn of March 0/130, April 100/180 and May 0/110:
        S5 was back by May's end, on average) and the trial that ends on
        July 9 (35) at last year's conversion (1 of 2)."""
        with freeze_time("2026-06-25 12:00:00"):
            trial = self._subscription(self.customer_d)
            trial.action_start_trial()
        self.assertEqual(str(trial.trial_end_date), "2026-07-09")
        forecast = self._dashboard()["forecast"]
        churn = (0 + 100 / 180 + 0) / 3
        self.assertEqual(forecast["base_mrr"], 105.0)
        self.assertAlmostEqual(forecast["churn_rate"], churn)
        self.assertEqual(forecast["trial_conversion"], 0.5)
        self.assertEqual(forecast["trial_mrr"], 35.0)
        july = 105 * (1 - churn) + 0.5 * 35
        expected = [round(july, 2), round(july * (1 - churn), 2), round(july * (1 - churn) ** 2, 2)]
        self.assertEqual([p["mrr"] for p in forecast["points"]], expected)
        self.assertEqual(
            [p["date"] for p in forecast["points"]], ["2026-07-30", "2026-08-30", "2026-09-30"]
        )
        self.assertEqual(forecast["quotas"], [], "no quota data without the tenant layer's bridge")

    def test_forecast_with_plan_filter(self):
        """With a plan filter the forecast starts from that plan's base."""
        forecast = self._dashboard(plan_ids=[self.plan_yearly.id])["forecast"]
        self.assertEqual(forecast["base_mrr"], 0.0)
        self.assertEqual([p["mrr"] for p in forecast["points"]], [0.0, 0.0, 0.0])
        self.assertEqual(forecast["expansion"], [])

    def test_expansion_candidates(self):
        """The paying subscriptions, by the MRR the next dearer plan would add."""
        expansion = self._dashboard()["forecast"]["expansion"]
        self.assertEqual(
            [row["subscription_id"] for row in expansion], (self.s1 | self.s3 | self.s5).ids
        )
        self.assertEqual({row["expansion_mrr"] for row in expansion}, {15.0})
        self.assertEqual({row["next_plan"] for row in expansion}, {"Test Big"})
        Dashboard = self.env.registry["woow.paas.dashboard"]
        s5 = self.s5

        def quotas(model, plan_ids, limit=10):
            return {"lines": [], "saturated_subscription_ids": s5.ids}

        self.patch(Dashboard, "_paas_dashboard_quotas", quotas)
        expansion = self._dashboard()["forecast"]["expansion"]
        self.assertEqual(expansion[0]["subscription_id"], self.s5.id, "near a quota: first")
        self.assertTrue(expansion[0]["near_quota"])
