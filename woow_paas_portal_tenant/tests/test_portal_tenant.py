import re
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase
from odoo.addons.woow_paas_portal.tests.common import PortalFiguresMixin

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortalTenant(PortalFiguresMixin, WoowPaasCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.plan_db = cls.env["woow.paas.plan"].create(
            {
                "name": "Test Dedicated",
                "code": "test-dedicated",
                "price": 90.0,
                "paas_isolation": "database",
                "quota_ids": [
                    Command.create(
                        {"resource_id": ref("woow_paas_core.resource_users").id, "limit": 10}
                    ),
                    Command.create(
                        {"resource_id": ref("woow_paas_core.resource_api_calls").id, "limit": 1000}
                    ),
                ],
            }
        )
        cls.sub_a = cls._subscription(cls.customer_a, plan=cls.plan_db)
        cls.sub_b = cls._subscription(cls.customer_b, plan=cls.plan_db)
        cls.tenant_a = cls._tenant("alpha-ptenant", cls.sub_a)
        cls.tenant_b = cls._tenant("bravo-ptenant", cls.sub_b)
        # Running tenants (as the superuser: the moves themselves are the
        # tenant layer's business, tested there).
        (cls.tenant_a | cls.tenant_b).write({"state": "active"})
        cls.tenant_a._paas_quota_set_usage("users", {cls.tenant_a.id: 4})
        Key = cls.env["woow.paas.config.key"]
        cls.key_projects = Key.create(
            {"name": "Maximum projects", "code": "ptest_max_projects", "value_type": "integer",
             "default_value": "5", "customer_editable": True,
             "description": "How many projects your team may open."}
        )  # fmt: skip
        cls.key_dark = Key.create(
            {"name": "Dark mode", "code": "ptest_dark_mode", "value_type": "boolean",
             "default_value": "true", "customer_editable": True}
        )  # fmt: skip
        cls.key_theme = Key.create(
            {"name": "Theme", "code": "ptest_theme", "value_type": "selection",
             "selection_values": "light,dark", "customer_editable": True}
        )  # fmt: skip
        cls.key_internal = Key.create(
            {"name": "Internal flag", "code": "ptest_internal", "value_type": "text",
             "default_value": "staff only"}
        )  # fmt: skip

    def _csrf(self, url):
        return CSRF_RE.search(self.url_open(url).text).group(1)

    def test_tenant_page_shows_url_quotas_settings(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(f"/my/tenants/{self.tenant_a.id}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(self.tenant_a.paas_url, page)
        self.assertIn("alpha-ptenant.", self.tenant_a.paas_url)
        self.assertRegex(page, rf'o_paas_tenant_open" href="{re.escape(self.tenant_a.paas_url)}"')
        # Users 4 of 10: an accessible bar at 40 %.
        self.assertRegex(
            page, r'role="progressbar"[^>]*aria-valuenow="40"[^>]*aria-valuetext="40 %"'
        )
        self.assertRegex(page, r"4\s*/ 10\s*users")
        self.assertIn('name="config_ptest_max_projects"', page)
        self.assertIn('value="5"', page)
        self.assertIn("How many projects your team may open.", page)
        self.assertIn('name="config_ptest_theme"', page)
        self.assertNotIn("ptest_internal", page)
        self.assertNotIn("staff only", page)

    def test_quota_figures_read_as_the_customer_reads(self):
        """Usage against limits in the reader's numbers and units: storage
        in GB rather than 20480 MB, thousands grouped, the unit said once,
        no long decimals."""
        self.plan_db.quota_ids = [
            Command.create({"resource_id": self.env.ref("woow_paas_core.resource_storage_mb").id,
                            "limit": 20480}),
        ]  # fmt: skip
        self.tenant_a._paas_quota_sync()
        self.tenant_a._paas_quota_set_usage("storage_mb", {self.tenant_a.id: 1536.123456})
        self.tenant_a._paas_quota_set_usage("api_calls", {self.tenant_a.id: 1000})
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(f"/my/tenants/{self.tenant_a.id}")
        text = self.assertReadableFigures(response.text, "tenant page")
        self.assertIn("Storage 1.5 / 20 GB", text)
        self.assertIn("API Calls 1,000 / 1,000 calls / month", text)
        self.assertNotIn("20480", text)

    def test_other_customer_and_public(self):
        """Another customer's tenant answers 404 (page and settings) and its
        quota lines stay out of reach; the public user is sent to log in."""
        self.authenticate("test_portal_b", "test_portal_b")
        csrf = self._csrf(f"/my/tenants/{self.tenant_b.id}")
        self.assertEqual(self.url_open(f"/my/tenants/{self.tenant_a.id}").status_code, 404)
        response = self.url_open(
            f"/my/tenants/{self.tenant_a.id}/settings",
            data={"csrf_token": csrf, "config_ptest_max_projects": "99"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.tenant_a._paas_get_config("ptest_max_projects"), 5)
        Quota = self.env["woow.paas.tenant.quota"].with_user(self.portal_b)
        self.assertFalse(Quota.search([("tenant_id", "=", self.tenant_a.id)]))
        self.assertTrue(Quota.search([("tenant_id", "=", self.tenant_b.id)]))
        Key = self.env["woow.paas.config.key"].with_user(self.portal_b)
        self.assertNotIn(self.key_internal, Key.search([]))
        self.authenticate(None, None)
        for url in (f"/my/tenants/{self.tenant_a.id}", "/my/tenants"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])

    def test_settings_are_checked_and_saved_through_the_tenant_layer(self):
        self.authenticate("test_portal_a", "test_portal_a")
        url = f"/my/tenants/{self.tenant_a.id}"
        csrf = self._csrf(url)
        response = self.url_open(
            f"{url}/settings",
            data={"csrf_token": csrf, "config_ptest_max_projects": "many",
                  "config_ptest_theme": "neon", "config_ptest_dark_mode": "on"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertRegex(
            response.text, r'id="config_ptest_max_projects_error"[^>]*>[^<]*whole number'
        )
        self.assertRegex(response.text, r'id="config_ptest_theme_error"[^>]*>[^<]*light, dark')
        self.assertFalse(self.tenant_a.config_ids)
        response = self.url_open(
            f"{url}/settings",
            data={"csrf_token": csrf, "config_ptest_max_projects": "12",
                  "config_ptest_theme": "dark", "config_ptest_internal": "hacked"},
            allow_redirects=False,
        )  # fmt: skip
        self.assertEqual(response.status_code, 303)
        tenant = self.tenant_a
        self.assertEqual(tenant._paas_get_config("ptest_max_projects"), 12)
        self.assertEqual(tenant._paas_get_config("ptest_theme"), "dark")
        # The checkbox was left unticked: the customer turned dark mode off.
        self.assertIs(tenant._paas_get_config("ptest_dark_mode"), False)
        self.assertEqual(tenant._paas_get_config("ptest_internal"), "staff only")
        # What a database tenant receives.
        params = tenant._paas_agent_params()
        self.assertEqual(params["woow_paas_agent.config.ptest_max_projects"], "12")
        self.assertEqual(params["woow_paas_agent.config.ptest_dark_mode"], "false")
        # Emptied: back to the default.
        self.url_open(
            f"{url}/settings",
            data={"csrf_token": csrf, "config_ptest_max_projects": "",
                  "config_ptest_theme": "dark"},
        )  # fmt: skip
        self.assertEqual(tenant._paas_get_config("ptest_max_projects"), 5)
        self.assertIn("Your settings are saved.", self.url_open(f"{url}?settings=saved").text)

    def test_runs_out(self):
        """Levels follow their daily samples; consumptions their period."""
        today = fields.Date.today()
        users = self.tenant_a.quota_ids.filtered(lambda q: q.resource_code == "users")
        calls = self.tenant_a.quota_ids.filtered(lambda q: q.resource_code == "api_calls")
        Sample = self.env["woow.paas.tenant.quota.sample"]
        self.assertIsNone(users._paas_runs_out(today)[users.id], "one point is no trend")
        # 2 users ten days ago, 3 five days ago, 4 today: +0.2 a day, 6 to go.
        Sample.create([
            {"quota_id": users.id, "day": today - timedelta(days=10), "usage": 2},
            {"quota_id": users.id, "day": today - timedelta(days=5), "usage": 3},
        ])  # fmt: skip
        self.assertEqual(users._paas_runs_out(today)[users.id], today + timedelta(days=30))
        calls.write({"period_start": today - timedelta(days=10), "usage": 100})
        self.sub_a.sudo().write({"current_period_end": today + timedelta(days=200)})
        # 10 a day, 900 to go.
        self.assertEqual(calls._paas_runs_out(today)[calls.id], today + timedelta(days=90))
        self.sub_a.sudo().write({"current_period_end": today + timedelta(days=20)})
        self.assertIsNone(calls._paas_runs_out(today)[calls.id], "the period resets first")
        users._paas_set_usage(10)
        self.assertEqual(users._paas_runs_out(today)[users.id], today)
        self.authenticate("test_portal_a", "test_portal_a")
        self.assertIn("Limit reached.", self.url_open(f"/my/tenants/{self.tenant_a.id}").text)

    def test_sample_cron_keeps_one_row_a_day(self):
        Sample = self.env["woow.paas.tenant.quota.sample"]
        Sample._cron_sample()
        Sample._cron_sample()
        users = self.tenant_a.quota_ids.filtered(lambda q: q.resource_code == "users")
        samples = Sample.search([("quota_id", "=", users.id)])
        self.assertEqual(len(samples), 1)
        self.assertEqual(samples.usage, 4)
        self.assertFalse(
            Sample.search([("quota_id.resource_code", "=", "api_calls")]),
            "consumptions need no samples",
        )

    def test_tenant_list_usage_column_in_bounded_queries(self):
        """/my/tenants shows each tenant's fullest quota, in as many queries
        for 40 tenants as for 1."""
        self.authenticate("test_portal_a", "test_portal_a")
        page = self.url_open("/my/tenants").text
        self.assertRegex(page, r"Users · 40 %")

        def queries():
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self.assertEqual(self.url_open("/my/tenants").status_code, 200)
            return self.env.cr.sql_log_count - before

        queries()
        small = queries()
        plan = self.plan_db
        subs = self.env["woow.paas.subscription"].create(
            [{"partner_id": self.customer_a.id, "plan_id": plan.id} for _i in range(39)]
        )
        tenants = self.env["woow.paas.tenant"].create(
            [{"name": f"Many {i}", "code": f"many-ptenant-{i}", "partner_id": self.customer_a.id,
              "subscription_id": sub.id} for i, sub in enumerate(subs)]
        )  # fmt: skip
        tenants._paas_quota_set_usage("users", {t.id: 1 + i % 9 for i, t in enumerate(tenants)})
        queries()  # the first visit gives each new tenant its portal access token
        large = queries()
        self.assertEqual(self.url_open("/my/tenants").text.count("o_paas_tenant_usage"), 40)
        self.assertLessEqual(large, small + 2, f"{small} queries for 1 tenant, {large} for 40")
