from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import Q1, Q2, DashboardCase


@tagged("post_install", "-at_install")
class TestDashboard(DashboardCase):
    """The figures, charts and drill-downs of the half year of ``DashboardCase``."""

    def test_fixture_is_as_described(self):
        """The fixture ends where the table says: MRR 105 on three subscriptions."""
        subs = self.s1 | self.s2 | self.s3 | self.s4 | self.s5
        self.assertEqual(
            subs.mapped("state"), ["active", "cancelled", "active", "cancelled", "active"]
        )
        self.assertEqual(sum(subs.mapped("mrr")), 105.0)

    def test_stock_figures_at_the_end_of_the_period(self):
        """MRR, ARR, customers, ARPU and tenants are read at the period's end."""
        kpis = self._kpis(self._dashboard())
        self.assertEqual(kpis["mrr"]["value"], 105.0)
        self.assertEqual(kpis["arr"]["value"], 1260.0)
        self.assertEqual(kpis["customers"]["value"], 2)
        self.assertEqual(kpis["arpu"]["value"], 52.5)
        self.assertEqual(kpis["tenants"]["value"], 1)

    def test_flow_figures_of_the_period(self):
        """New and churned MRR (suspension included), rates and retention over Q2."""
        kpis = self._kpis(self._dashboard())
        self.assertEqual(kpis["new_mrr"]["value"], 30.0)
        self.assertEqual(kpis["churned_mrr"]["value"], 130.0)
        self.assertAlmostEqual(kpis["logo_churn"]["value"], 1 / 3)
        self.assertEqual(kpis["trials"]["value"], 0)
        self.assertIsNone(kpis["trial_conversion"]["value"])

    def test_retention_on_the_opening_base(self):
        """NRR, GRR and revenue churn over Q2, on the customers paying on
        April 1 (A 50, B 100, C 30: 180) netted per customer between April 1
        and June 30: A 50 → 70 (S1 down to 35, its new S5 at 35: +20), B
        100 → 0 (churn), C 30 → 35 (+5). Expansion 25, contraction 0, churn
        100: NRR (180 + 25 − 0 − 100) / 180, GRR (180 − 0 − 100) / 180.
        S5's suspension and reactivation inside the quarter are no churn of
        the base; its own MRR is not new MRR for retention but A's expansion."""
        kpis = self._kpis(self._dashboard())
        self.assertAlmostEqual(kpis["nrr"]["value"], 105 / 180)
        self.assertAlmostEqual(kpis["grr"]["value"], 80 / 180)
        self.assertAlmostEqual(kpis["revenue_churn"]["value"], 100 / 180)
        parts = {
            "mrr_start": 180.0, "base_expansion_mrr": 25.0, "base_contraction_mrr": 0.0,
            "base_churned_mrr": 100.0, "retained_mrr": 105.0,
        }  # fmt: skip
        for key in ("nrr", "grr", "revenue_churn"):
            self.assertEqual(kpis[key]["parts"], parts, key)
        self.assertEqual(
            self._records("revenue_churn"),
            {"res_model": "res.partner", "ids": [self.customer_b.id]},
        )
        self.assertEqual(
            set(self._records("grr")["ids"]),
            {self.customer_a.id, self.customer_b.id, self.customer_c.id},
        )
        # March: A 30 → 50 (S1 upgraded), B 100 → 100; C starts paying in
        # March, so it is not in the base: NRR 150 / 130, GRR 100 %.
        march = self._kpis(self._dashboard(("2026-03-01", "2026-03-31")))
        self.assertAlmostEqual(march["nrr"]["value"], 150 / 130)
        self.assertEqual(march["grr"]["value"], 1.0)
        self.assertEqual(march["revenue_churn"]["value"], 0.0)
        # June 15: S1 down from 50 to 35 while A's S5 goes from 30 to 35:
        # A nets 80 → 70, a contraction of 10; C 30 → 35.
        june = self._kpis(self._dashboard(("2026-06-01", "2026-06-30")))
        self.assertEqual(june["grr"]["parts"]["base_contraction_mrr"], 10.0)
        self.assertEqual(june["grr"]["parts"]["base_expansion_mrr"], 5.0)
        self.assertAlmostEqual(june["nrr"]["value"], 105 / 110)
        self.assertAlmostEqual(june["grr"]["value"], 100 / 110)

    def test_previous_period(self):
        """Q2's previous values are Q1's: the same figures asked for Q1."""
        q2 = self._dashboard()
        q1 = self._kpis(self._dashboard(Q1))
        self.assertEqual((q2["previous_from"], q2["previous_to"]), Q1)
        for kpi in q2["kpis"]:
            self.assertEqual(kpi["previous"], q1[kpi["key"]]["value"], kpi["key"])
        self.assertEqual(q1["mrr"]["value"], 180.0)
        self.assertEqual(q1["new_mrr"]["value"], 160.0)
        self.assertEqual(q1["churned_mrr"]["value"], 0.0)
        self.assertEqual(q1["customers"]["value"], 3)
        self.assertEqual(q1["arpu"]["value"], 60.0)
        self.assertEqual(q1["tenants"]["value"], 2)
        self.assertEqual(q1["trials"]["value"], 2)
        self.assertEqual(q1["trial_conversion"]["value"], 0.5)
        self.assertIsNone(q1["logo_churn"]["value"], "no customer at the start of Q1")
        self.assertIsNone(q1["nrr"]["value"])

    def test_monthly_trend_and_movements(self):
        """One point per month for the year ending in June; the movements add up."""
        data = self._dashboard()
        kpis = self._kpis(data)
        self.assertEqual(data["months"][0], "2025-07-01")
        self.assertEqual(data["months"][-1], "2026-06-01")
        self.assertEqual(
            kpis["mrr"]["trend"], [0.0] * 6 + [30.0, 130.0, 180.0, 110.0, 110.0, 105.0]
        )
        self.assertEqual(kpis["trials"]["trend"][-4:], [2, 0, 0, 0])
        moves = data["movements"]
        self.assertEqual(moves["fx_mrr"], [0.0] * 12, "one currency: no currency effect")
        self.assertEqual(moves["reactivation_mrr"][-2], 30.0)
        self.assertEqual(moves["expansion_mrr"][-4:], [20.0, 0.0, 0.0, 10.0])
        self.assertEqual(moves["contraction_mrr"][-1], 15.0)
        self.assertEqual(moves["churned_mrr"][-3:], [100.0, 30.0, 0.0])
        previous = 0.0
        for index, mrr in enumerate(moves["mrr"]):
            flows = (
                moves["new_mrr"][index] + moves["reactivation_mrr"][index]
                + moves["expansion_mrr"][index] - moves["contraction_mrr"][index]
                - moves["churned_mrr"][index]
            )  # fmt: skip
            self.assertAlmostEqual(previous + flows, mrr, msg=data["months"][index])
            previous = mrr

    def test_month_and_day_boundaries(self):
        """A month ending on the day before a change does not see it; periods
        that are not whole months compare with as many days before."""
        march = self._kpis(self._dashboard(("2026-03-01", "2026-03-14")))
        self.assertEqual(march["mrr"]["value"], 160.0, "upgrade of Mar 15 not yet")
        self.assertEqual(march["trial_conversion"]["value"], 1.0)
        data = self._dashboard(("2026-03-01", "2026-03-15"))
        self.assertEqual(self._kpis(data)["mrr"]["value"], 180.0)
        self.assertEqual((data["previous_from"], data["previous_to"]), ("2026-02-14", "2026-02-28"))
        self.assertEqual(self._kpis(data)["mrr"]["previous"], 130.0)

    def test_plan_filter(self):
        """With a plan filter, a move onto the plan is expansion, a move off it contraction."""
        q1 = self._kpis(self._dashboard(Q1, plan_ids=[self.plan_big.id]))
        self.assertEqual(q1["mrr"]["value"], 50.0)
        self.assertEqual(q1["new_mrr"]["value"], 0.0)
        self.assertEqual(q1["customers"]["value"], 1)
        q2 = self._dashboard(Q2, plan_ids=[self.plan_big.id])
        kpis = self._kpis(q2)
        self.assertEqual(kpis["mrr"]["value"], 0.0)
        self.assertEqual(kpis["revenue_churn"]["value"], 1.0)
        self.assertEqual(q2["movements"]["contraction_mrr"][-1], 50.0)
        yearly = self._kpis(self._dashboard(Q1, plan_ids=[self.plan_yearly.id]))
        self.assertEqual(yearly["mrr"]["value"], 100.0)
        self.assertEqual(yearly["tenants"]["value"], 1)

    def test_drill_down(self):
        """Each card opens the records behind its value, read when asked."""
        kpis = self._kpis(self._dashboard())
        self.assertEqual(
            kpis["mrr"]["drill"], {"res_model": "woow.paas.subscription", "kpi": "mrr"}
        )
        subs = {key: set(self._records(key)["ids"]) for key in ("mrr", "new_mrr", "churned_mrr")}
        self.assertEqual(subs["mrr"], set((self.s1 | self.s3 | self.s5).ids))
        self.assertEqual(subs["new_mrr"], {self.s5.id})
        self.assertEqual(subs["churned_mrr"], set((self.s2 | self.s5).ids))
        self.assertEqual(self._records("customers")["res_model"], "res.partner")
        self.assertEqual(
            set(self._records("customers")["ids"]), {self.customer_a.id, self.customer_c.id}
        )
        self.assertEqual(self._records("logo_churn")["ids"], [self.customer_b.id])
        self.assertEqual(
            self._records("tenants"), {"res_model": "woow.paas.tenant", "ids": [self.t1.id]}
        )
        with self.assertRaises(UserError):
            self._records("everything")
        with self.assertRaises(AccessError):
            self._records("mrr", user=self.outsider)

    def test_charts_by_plan_and_tenant_state(self):
        """Revenue by plan and tenants by state at each month's end (the
        trend's last six months are January to June)."""
        charts = self._dashboard()["charts"]
        by_plan = {line["key"]: line["values"][-6:] for line in charts["revenue_by_plan"]}
        self.assertEqual(by_plan[self.plan_monthly.id], [30, 30, 30, 60, 60, 105])
        self.assertEqual(by_plan[self.plan_big.id], [0, 0, 50, 50, 50, 0])
        self.assertEqual(by_plan[self.plan_yearly.id], [0, 100, 100, 0, 0, 0])
        self.assertEqual(charts["revenue_by_plan"][0]["key"], self.plan_monthly.id)
        by_state = {line["key"]: line["values"][-6:] for line in charts["tenants_by_state"]}
        self.assertEqual(by_state["active"], [1, 2, 2, 1, 1, 1])
        self.assertEqual(by_state["suspended"], [0, 0, 0, 1, 1, 1])
        # The chart and the card agree.
        kpis = self._kpis(self._dashboard())
        self.assertEqual(kpis["tenants"]["trend"][-6:], by_state["active"])
        self.assertEqual(
            kpis["mrr"]["trend"][-6:], [sum(v) for v in zip(*by_plan.values(), strict=True)]
        )

    def _chart_records(self, chart, period, key, user=None, plan_ids=None):
        with freeze_time("2026-06-30 18:00:00"):
            Dashboard = self.env["woow.paas.dashboard"].with_user(user or self.paas_user)
            return Dashboard.with_context(tz="UTC").get_chart_records(
                chart, *period, key, plan_ids=plan_ids
            )

    def test_chart_records(self):
        """Each chart segment opens the records behind it, as they were."""
        april = ("2026-04-01", "2026-04-30")
        may = ("2026-05-01", "2026-05-31")
        june = ("2026-06-01", "2026-06-30")
        expected = [
            ("plan", april, self.plan_monthly.id, self.s3 | self.s5),
            ("plan", april, self.plan_big.id, self.s1),
            ("plan", ("2026-02-01", "2026-02-28"), self.plan_yearly.id, self.s2),
            ("tenant_state", june, "suspended", self.t2),
            ("tenant_state", ("2026-02-01", "2026-02-28"), "active", self.t1 | self.t2),
            ("movement", ("2026-03-01", "2026-03-31"), "new", self.s3),
            ("movement", ("2026-03-01", "2026-03-31"), "expansion", self.s1),
            ("movement", april, "churn", self.s2),
            ("movement", april, "new", self.s5),
            ("movement", may, "churn", self.s5),
            ("movement", may, "reactivation", self.s5),
            ("movement", may, "new", self.s5.browse()),
            ("movement", june, "expansion", self.s3 | self.s5),
            ("movement", june, "contraction", self.s1),
            ("movement", june, "churn", self.s1.browse()),
        ]
        for chart, period, key, records in expected:
            drill = self._chart_records(chart, period, key)
            self.assertEqual(drill["res_model"], records._name, (chart, period, key))
            self.assertEqual(drill["ids"], sorted(records.ids), (chart, period, key))
        # With a plan filter: moving off the plan is contraction of that plan.
        drill = self._chart_records("movement", june, "contraction", plan_ids=self.plan_big.ids)
        self.assertEqual(drill["ids"], self.s1.ids)
        self.assertEqual(self._chart_records("plan", june, self.plan_big.id)["ids"], [])

    def test_chart_records_refused(self):
        for chart, key in (("movement", "everything"), ("plan", "7"), ("plan", True), ("nope", 1)):
            with self.assertRaises(UserError):
                self._chart_records(chart, Q2, key)
        with self.assertRaises(AccessError):
            self._chart_records("plan", Q2, self.plan_monthly.id, user=self.outsider)

    def test_as_of_a_past_date_ignores_later_changes(self):
        """Q1's MRR stays 180 although every subscription changed since."""
        with freeze_time("2026-06-30 18:00:00"):
            data = (
                self.env["woow.paas.dashboard"]
                .with_user(self.paas_manager)
                .get_dashboard("2026-01-01", "2026-03-31")
            )
        self.assertEqual(self._kpis(data)["mrr"]["value"], 180.0)

    def test_access(self):
        """PaaS users see the dashboard; portal and other internal users do not."""
        self.assertTrue(self._dashboard(user=self.paas_user)["kpis"])
        for user in (self.portal_a, self.outsider):
            with self.assertRaises(AccessError):
                self._dashboard(user=user)

    def test_period_before_the_first_subscription(self):
        """A period before the first payment keeps its figures (zeros): the
        dashboard says "nothing yet" only while no subscription ever
        started in the user's companies."""
        data = self._dashboard(("2025-01-01", "2025-01-31"))
        self.assertIs(data["has_subscriptions"], True)
        kpis = self._kpis(data)
        self.assertEqual((kpis["mrr"]["value"], kpis["customers"]["value"]), (0.0, 0))
        other = self.env["res.company"].create({"name": "Test Dash Empty Co"})
        self.paas_user.company_ids |= other
        Dashboard = (
            self.env["woow.paas.dashboard"]
            .with_user(self.paas_user)
            .with_context(allowed_company_ids=other.ids, tz="UTC")
        )
        with freeze_time("2026-06-30 18:00:00"):
            self.assertIs(Dashboard.get_dashboard(*Q2)["has_subscriptions"], False)

    def test_bad_arguments(self):
        """Bad dates and plan filters are refused with a sentence."""
        for period in (("2026-02-01", "2026-01-01"), ("yesterday", "2026-01-01")):
            with self.assertRaises(UserError):
                self._dashboard(period)
        with self.assertRaises(UserError):
            self._dashboard(plan_ids=["1; drop table"])

    def test_providers_add_figures(self):
        """Figures of other addons come through ``_paas_dashboard_providers``."""
        Dashboard = self.env.registry["woow.paas.dashboard"]

        def provider(ctx):
            return [{"key": "extra", "label": "Extra", "format": "integer",
                     "value": len(ctx["windows"]), "previous": None, "trend": [],
                     "drill": {"res_model": "woow.paas.plan", "domain": []}}]  # fmt: skip

        def providers(model):
            return [provider]

        self.patch(Dashboard, "_paas_dashboard_providers", providers)
        kpis = self._kpis(self._dashboard())
        self.assertEqual(kpis["extra"]["value"], 14)
