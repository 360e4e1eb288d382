"""The half year the dashboard's tests are worked out on by hand."""

from freezegun import freeze_time

from odoo.tests import new_test_user

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

Q1 = ("2026-01-01", "2026-03-31")
Q2 = ("2026-04-01", "2026-06-30")


class DashboardCase(WoowPaasCase):
    """A half year worked out by hand (monthly plan 30, then 35 from June 1;
    "big" plan 50; yearly plan 1200 = 100 a month):

    ==========  ====================================================  =====
    day         what happens                                          MRR
    ==========  ====================================================  =====
    Jan 10      S1 (A, monthly) activated, tenant T1                  30
    Feb 5       S2 (B, yearly) activated, tenant T2                   130
    Mar 1       S3 (C, monthly) starts its trial
    Mar 10      S3 converts                                           160
    Mar 15      S1 upgrades monthly → big (+20)                       180
    Mar 20      S4 (D, monthly) starts its trial
    Mar 25      S4 cancelled during its trial
    Apr 2       S2 cancelled (−100), T2 suspended with it             80
    Apr 10      S5 (A, monthly) activated                             110
    May 1       S5 past due (still counts)                            110
    May 5       S5 suspended (−30)                                    80
    May 20      S5 reactivated (+30)                                  110
    Jun 1       monthly price 30 → 35: S3 and S5 (+10)                120
    Jun 15      S1 downgrades big → monthly at 35 (−15)               105
    ==========  ====================================================  =====
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer_c = Partner.create({"name": "Customer C", "is_company": True})
        cls.customer_d = Partner.create({"name": "Customer D", "is_company": True})
        cls.plan_big = cls.env["woow.paas.plan"].create(
            {"name": "Test Big", "code": "test-big", "price": 50.0}
        )
        cls.outsider = new_test_user(cls.env, login="test_dash_internal", groups="base.group_user")

        def at(day):
            return freeze_time(f"2026-{day} 12:00:00")

        with at("01-10"):
            cls.s1 = cls._subscription(cls.customer_a)
            cls.s1.action_activate()
            cls.t1 = cls._tenant("dash-t1", cls.s1)
            cls.t1.action_provision()
        with at("02-05"):
            cls.s2 = cls._subscription(cls.customer_b, cls.plan_yearly)
            cls.s2.action_activate()
            cls.t2 = cls._tenant("dash-t2", cls.s2)
            cls.t2.action_provision()
        with at("03-01"):
            cls.s3 = cls._subscription(cls.customer_c)
            cls.s3.action_start_trial()
        with at("03-10"):
            cls.s3.action_activate()
        with at("03-15"):
            cls.s1.action_change_plan(cls.plan_big)
        with at("03-20"):
            cls.s4 = cls._subscription(cls.customer_d)
            cls.s4.action_start_trial()
        with at("03-25"):
            cls.s4.action_cancel(reason="Not for us.")
        with at("04-02"):
            cls.s2.action_cancel(reason="Budget cuts.")
        with at("04-10"):
            cls.s5 = cls._subscription(cls.customer_a)
            cls.s5.action_activate()
        with at("05-01"):
            cls.s5.action_mark_past_due()
        with at("05-05"):
            cls.s5.action_suspend()
        with at("05-20"):
            cls.s5.action_reactivate()
        with at("06-01"):
            cls.plan_monthly.price = 35.0
            (cls.s3 | cls.s5)._paas_update_price()
        with at("06-15"):
            cls.s1.action_change_plan(cls.plan_monthly)

    def _dashboard(self, period=Q2, plan_ids=None, user=None, now="2026-06-30 18:00:00"):
        with freeze_time(now):
            Dashboard = self.env["woow.paas.dashboard"].with_user(user or self.paas_user)
            return Dashboard.with_context(tz="UTC").get_dashboard(*period, plan_ids=plan_ids)

    def _kpis(self, data):
        return {kpi["key"]: kpi for kpi in data["kpis"]}

    def _records(self, key, period=Q2, plan_ids=None, user=None):
        """The records behind card ``key`` (read when the card is opened)."""
        with freeze_time("2026-06-30 18:00:00"):
            Dashboard = self.env["woow.paas.dashboard"].with_user(user or self.paas_user)
            return Dashboard.with_context(tz="UTC").get_kpi_records(key, *period, plan_ids=plan_ids)
