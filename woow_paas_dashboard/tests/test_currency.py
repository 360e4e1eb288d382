from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


@tagged("post_install", "-at_install")
class TestDashboardCurrencies(WoowPaasCase):
    """Two currencies, the rate of the second changing in mid-April.

    The company's own rates of the foreign currency F: 2 F for one unit of
    the company currency from January 1, 4 F from April 15 (1 F = 0.5, then
    0.25). A shared rate of 8 F from March 1 is ignored, as Odoo ignores
    shared rates where the company has its own.

    ==========  ===========================================  =============
    day         what happens                                 MRR
    ==========  ===========================================  =============
    Feb 10      S_F (customer E) at 100 F, S_C (customer G)  30 + 50 = 80
                at 30 in the company currency
    Mar 20      S_F upgraded to 200 F (+100 F × 0.5)         30 + 100 = 130
    Apr 15      the rate moves (currency effect −50)         30 + 50 = 80
    May 10      S_F cancelled (−200 F × 0.25)                30
    ==========  ===========================================  =============
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.main = cls.company.currency_id
        cls.foreign = cls.env.ref("base.EUR" if cls.main.name != "EUR" else "base.USD")
        cls.foreign.active = True
        Rate = cls.env["res.currency.rate"]
        # A clean history: whatever rates the database holds, only these count.
        Rate.search([("currency_id", "in", (cls.main | cls.foreign).ids)]).unlink()
        Rate.create(
            [
                {"currency_id": cls.foreign.id, "name": "2026-01-01", "rate": 2.0,
                 "company_id": cls.company.id},
                {"currency_id": cls.foreign.id, "name": "2026-04-15", "rate": 4.0,
                 "company_id": cls.company.id},
                {"currency_id": cls.foreign.id, "name": "2026-03-01", "rate": 8.0,
                 "company_id": False},
            ]
        )  # fmt: skip
        Plan = cls.env["woow.paas.plan"]
        cls.plan_f = Plan.create(
            {"name": "Test F", "code": "test-f", "price": 100.0, "currency_id": cls.foreign.id}
        )
        cls.plan_f_big = Plan.create(
            {"name": "Test F Big", "code": "test-f-big", "price": 200.0,
             "currency_id": cls.foreign.id}
        )  # fmt: skip
        Partner = cls.env["res.partner"]
        cls.customer_e = Partner.create({"name": "Customer E", "is_company": True})
        cls.customer_g = Partner.create({"name": "Customer G", "is_company": True})
        if "product.pricelist" in cls.env:
            # With billing, a subscription pays in its customer's pricelist currency.
            cls.customer_e.property_product_pricelist = cls.env["product.pricelist"].create(
                {"name": "Test F pricelist", "currency_id": cls.foreign.id}
            )
        with freeze_time("2026-02-10 12:00:00"):
            cls.sub_f = cls._subscription(cls.customer_e, cls.plan_f)
            cls.sub_c = cls._subscription(cls.customer_g)
            (cls.sub_f | cls.sub_c).action_activate()
        with freeze_time("2026-03-20 12:00:00"):
            cls.sub_f.action_change_plan(cls.plan_f_big)
        with freeze_time("2026-05-10 12:00:00"):
            cls.sub_f.action_cancel(reason="Too dear.")

    def _dashboard(self, date_from, date_to, currency_id=None):
        with freeze_time("2026-06-30 18:00:00"):
            data = (
                self.env["woow.paas.dashboard"]
                .with_user(self.paas_user)
                .with_context(tz="UTC")
                .get_dashboard(date_from, date_to, currency_id=currency_id)
            )
        return data, {kpi["key"]: kpi for kpi in data["kpis"]}

    def test_fixture_currencies(self):
        """S_F pays in F, S_C in the company currency."""
        self.assertEqual(self.sub_f.currency_id, self.foreign)
        self.assertEqual(self.sub_c.currency_id, self.main)

    def test_rates_are_odoo_rates_of_each_day(self):
        """The dashboard's rate of a day is Odoo's conversion rate of that day."""
        Dashboard = self.env["woow.paas.dashboard"]
        for day in ("2025-12-31", "2026-01-01", "2026-02-28", "2026-03-01", "2026-04-14",
                    "2026-04-15", "2026-12-31"):  # fmt: skip
            rates = {cid: rate for cid, rate, _digits in Dashboard._paas_currency_rates(day)}
            odoo_rate = self.foreign._get_conversion_rate(
                self.foreign, self.main, self.company, day
            )
            self.assertAlmostEqual(rates[self.foreign.id], odoo_rate, msg=day)
            self.assertEqual(rates[self.main.id], 1.0)
        rates = {cid: rate for cid, rate, _digits in Dashboard._paas_currency_rates("2026-03-05")}
        self.assertEqual(rates[self.foreign.id], 0.5, "the company's own rates first")

    def test_mrr_at_the_rate_of_its_day(self):
        """MRR at the end of a period uses the rate of that day, not today's."""
        expected = {
            ("2026-02-01", "2026-02-28"): 80.0,
            ("2026-03-01", "2026-03-31"): 130.0,
            ("2026-04-01", "2026-04-14"): 130.0,
            ("2026-04-01", "2026-04-15"): 80.0,
            ("2026-04-01", "2026-04-30"): 80.0,
            ("2026-05-01", "2026-05-31"): 30.0,
        }
        for period, mrr in expected.items():
            _data, kpis = self._dashboard(*period)
            self.assertEqual(kpis["mrr"]["value"], mrr, period)
        self.assertEqual(
            self.foreign._convert(200, self.main, self.company, date(2026, 3, 31)) + 30, 130.0
        )

    def test_movements_at_the_rate_of_their_day(self):
        """New, expansion and churned MRR at the rate of the day they happen,
        and the currency effect where no movement explains the change."""
        data, kpis = self._dashboard("2026-01-01", "2026-06-30")
        moves = data["movements"]
        self.assertEqual(moves["mrr"][-6:], [0.0, 80.0, 130.0, 80.0, 30.0, 30.0])
        self.assertEqual(moves["new_mrr"][-6:], [0.0, 80.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(moves["expansion_mrr"][-6:], [0.0, 0.0, 50.0, 0.0, 0.0, 0.0])
        self.assertEqual(moves["churned_mrr"][-6:], [0.0, 0.0, 0.0, 0.0, 50.0, 0.0])
        self.assertEqual(moves["fx_mrr"][-6:], [0.0, 0.0, 0.0, -50.0, 0.0, 0.0])
        self.assertEqual(kpis["new_mrr"]["value"], 80.0)
        self.assertEqual(kpis["churned_mrr"]["value"], 50.0)

    def test_retention_with_a_rate_change(self):
        """April: the base (E 100, G 30) keeps its subscriptions, but E's 200 F
        are worth 50 at the end instead of 100: a contraction of 50.
        Q2: E churns, its opening 100 is churned MRR of the base."""
        _data, april = self._dashboard("2026-04-01", "2026-04-30")
        self.assertAlmostEqual(april["nrr"]["value"], 80 / 130)
        self.assertAlmostEqual(april["grr"]["value"], 80 / 130)
        self.assertAlmostEqual(april["revenue_churn"]["value"], 50 / 130)
        self.assertEqual(april["grr"]["parts"]["base_contraction_mrr"], 50.0)
        with freeze_time("2026-06-30 18:00:00"):
            drill = (
                self.env["woow.paas.dashboard"]
                .with_user(self.paas_user)
                .with_context(tz="UTC")
                .get_kpi_records("revenue_churn", "2026-04-01", "2026-04-30")
            )
        self.assertEqual(drill["ids"], [self.customer_e.id])
        _data, q2 = self._dashboard("2026-04-01", "2026-06-30")
        self.assertAlmostEqual(q2["nrr"]["value"], 30 / 130)
        self.assertAlmostEqual(q2["grr"]["value"], 30 / 130)
        self.assertEqual(q2["grr"]["parts"]["base_churned_mrr"], 100.0)
        self.assertAlmostEqual(q2["logo_churn"]["value"], 1 / 2)

    def test_figures_in_another_currency(self):
        """Shown in F, the company currency's amounts are converted at F's
        rate of each date (2 F, then 4 F from April 15) and F's stay as
        they are: the same history, other figures."""
        expected = {
            ("2026-02-01", "2026-02-28"): 100 + 30 * 2,
            ("2026-03-01", "2026-03-31"): 200 + 30 * 2,
            ("2026-04-01", "2026-04-15"): 200 + 30 * 4,
            ("2026-05-01", "2026-05-31"): 30 * 4,
        }
        for period, mrr in expected.items():
            data, kpis = self._dashboard(*period, currency_id=self.foreign.id)
            self.assertEqual(kpis["mrr"]["value"], mrr, period)
            self.assertEqual(data["currency"]["id"], self.foreign.id)
        self.assertIn(self.foreign.id, [c["id"] for c in data["currencies"]])
        data, kpis = self._dashboard("2026-01-01", "2026-06-30", currency_id=self.foreign.id)
        self.assertEqual(kpis["new_mrr"]["value"], 160.0)
        # Expansion at the rate of its day; the rate move is no currency
        # effect for F's own amounts but for the company currency's.
        self.assertEqual(data["movements"]["expansion_mrr"][-6:], [0, 0, 100, 0, 0, 0])
        self.assertEqual(data["movements"]["fx_mrr"][-6:], [0, 0, 0, 60, 0, 0])
        # The default is still the company currency.
        _data, kpis = self._dashboard("2026-03-01", "2026-03-31")
        self.assertEqual(kpis["mrr"]["value"], 130.0)

    def test_currency_must_be_active(self):
        inactive = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("active", "=", False)], limit=1)
        )
        for bad in (inactive.id, "EUR", 10**9):
            with self.assertRaises(UserError, msg=bad):
                self._dashboard("2026-03-01", "2026-03-31", currency_id=bad)
