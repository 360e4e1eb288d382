from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase

from .common import WoowPaasPortalCase


@tagged("post_install", "-at_install")
class TestPortalRoutes(WoowPaasCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(cls.customer_a)
        cls.sub_b = cls._subscription(cls.customer_b)
        cls.tenant_a = cls._tenant("alpha-portal", cls.sub_a)
        cls.tenant_b = cls._tenant("bravo-portal", cls.sub_b)

    def test_lists_show_own_records_only(self):
        self.authenticate("test_portal_a", "test_portal_a")
        for url, own, other in (
            ("/my/subscriptions", self.sub_a.name, self.sub_b.name),
            ("/my/tenants", self.tenant_a.name, self.tenant_b.name),
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn(own, response.text)
            self.assertNotIn(other, response.text)

    def test_detail_pages_owner_other_public(self):
        pages = (
            (f"/my/subscriptions/{self.sub_a.id}", self.sub_a.name),
            (f"/my/tenants/{self.tenant_a.id}", self.tenant_a.code),
        )
        self.authenticate("test_portal_a", "test_portal_a")
        for url, text in pages:
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn(text, response.text)
        missing = self.env["woow.paas.tenant"].search([], order="id desc", limit=1).id + 1000
        self.authenticate("test_portal_b", "test_portal_b")
        for url, text in (*pages, (f"/my/tenants/{missing}", "")):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            if text:
                self.assertNotIn(text, response.text)
        self.authenticate(None, None)
        for url, _text in pages:
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])

    def test_home_counters(self):
        self.authenticate("test_portal_a", "test_portal_a")
        response = self.url_open(
            "/my/counters",
            data='{"params": {"counters": ["paas_subscription_count", "paas_tenant_count"]}}',
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(
            response.json()["result"], {"paas_subscription_count": 1, "paas_tenant_count": 1}
        )


@tagged("post_install", "-at_install")
class TestPortalActions(WoowPaasPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(cls.customer_a)
        cls.sub_a.action_start_trial()
        cls.tenant_a = cls._tenant("alpha-act", cls.sub_a)
        cls.tenant_a.action_provision()

    def test_pricing_page(self):
        """Public plans side by side, both prices with the saving, trial,
        quotas, features, recommended; no private plan; no login needed."""
        response = self.url_open("/paas/plans")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("Test Monthly", html)
        self.assertNotIn("Test Private", html)
        self.assertNotIn("test-private", html)
        self.assertIn('data-period="year"', html)
        self.assertIn("/paas/signup?plan=test-monthly-y", html)
        self.assertIn("save", html)
        self.assertIn("(17 %)", html)  # 30 × 12 = 360 against 300
        self.assertIn("14-day free trial", html)
        self.assertIn("Daily backups", html)
        self.assertIn("Recommended", html)
        # The yearly counterpart is shown inside its monthly plan's card only.
        self.assertEqual(html.count('data-plan-code="test-monthly-y"'), 0)
        # A plan without trial offers no sign-up without billing.
        self.assertIn("Contact us", html)

    def test_pricing_page_queries_bounded(self):
        """The page reads its plans in a fixed number of queries: ten more
        plans with quotas cost no more query."""

        def queries():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.assertEqual(self.url_open("/paas/plans").status_code, 200)
            return self.cr.sql_log_count - before

        queries()  # warm the registry's caches (views, assets)
        few = queries()
        plans = self.env["woow.paas.plan"].create(
            [{"name": f"Extra {i}", "code": f"extra-{i}", "price": 10 + i, "trial_days": 7,
              "portal_features": "A\nB"} for i in range(10)]
        )  # fmt: skip
        self.env["woow.paas.plan.quota"].create(
            [{"plan_id": plan.id, "resource_id": self.env.ref("woow_paas_core.resource_users").id,
              "limit": 5} for plan in plans]
        )  # fmt: skip
        queries()
        self.assertEqual(queries(), few)

    def test_white_label(self):
        """The company's colour and support contacts show on portal pages."""
        self.env.company.write(
            {"paas_product_name": "Acme Cloud", "paas_primary_color": "#ffcc00",
             "paas_support_email": "help@acme.example.com"}
        )  # fmt: skip
        html = self.url_open("/paas/plans").text
        self.assertIn("Acme Cloud plans", html)
        self.assertIn("--woow-paas-primary: #ffcc00", html)
        # Yellow takes black text for contrast.
        self.assertIn("--woow-paas-on-primary: #000000", html)
        self.assertIn("mailto:help@acme.example.com", html)
        for color in ("red; background: url(x)", "#ffcc00\n"):
            with (
                self.subTest(color=color),
                self.assertRaises(ValidationError),
                self.cr.savepoint(),
            ):
                self.env.company.paas_primary_color = color

    def test_cancel_subscription(self):
        """Cancel needs the confirmation box; then the subscription is
        cancelled with the reason and its tenant suspended. Another
        customer's POST answers 404 and changes nothing."""
        url = f"/my/subscriptions/{self.sub_a.id}"
        self.authenticate("test_portal_b", "test_portal_b")
        csrf = self._csrf("/paas/signup/tenant?plan=test-monthly")
        response = self.url_open(f"{url}/cancel", data={"csrf_token": csrf, "confirm": "1"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.sub_a.state, "trial")
        self.authenticate("test_portal_a", "test_portal_a")
        # Any form's token (with billing installed, the page's cancellation
        # is billing's, behind a preview).
        csrf = self._csrf("/paas/signup/tenant?plan=test-monthly")
        response = self.url_open(f"{url}/cancel", data={"csrf_token": csrf, "reason": "Too dear"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Tick the box to confirm", response.text)
        self.assertEqual(self.sub_a.state, "trial")
        response = self.url_open(
            f"{url}/cancel", data={"csrf_token": csrf, "reason": "Too dear", "confirm": "1"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your subscription is cancelled.", response.text)
        self.assertEqual(self.sub_a.state, "cancelled")
        self.assertEqual(self.sub_a.cancel_reason, "Too dear")
        self.assertEqual(self.tenant_a.state, "suspended")
        self.assertNotIn("Cancel now", self.url_open(url).text)
        response = self.url_open(f"{url}/cancel", data={"csrf_token": csrf, "confirm": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot be cancelled now", response.text)

    def test_suspend_resume_tenant(self):
        """Where the plan allows it, the customer suspends and resumes;
        a tenant suspended by the operator cannot be resumed from the portal."""
        url = f"/my/tenants/{self.tenant_a.id}"
        self.authenticate("test_portal_a", "test_portal_a")
        csrf = self._csrf(url)
        response = self.url_open(f"{url}/suspend", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tenant_a.state, "suspended")
        self.assertIn("Resume", response.text)
        response = self.url_open(f"{url}/resume", data={"csrf_token": csrf})
        self.assertEqual(self.tenant_a.state, "active")
        self.tenant_a.action_suspend(reason="Abuse")
        response = self.url_open(f"{url}/resume", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 400)
        self.assertIn("only the platform can resume it", response.text)
        self.assertEqual(self.tenant_a.state, "suspended")
        # Not on a plan that does not allow it; not for another customer.
        self.tenant_a.action_activate()
        self.plan_monthly.portal_self_suspend = False
        self.assertNotIn("/suspend", self.url_open(url).text)
        response = self.url_open(f"{url}/suspend", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 400)
        self.plan_monthly.portal_self_suspend = True
        self.authenticate("test_portal_b", "test_portal_b")
        csrf = self._csrf("/paas/signup/tenant?plan=test-monthly")
        response = self.url_open(f"{url}/suspend", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.tenant_a.state, "active")

    def test_operator_suspension_after_customer_one(self):
        """The customer's suspension lifted by the operator, then the
        operator's own: the portal offers no resume and refuses it."""
        url = f"/my/tenants/{self.tenant_a.id}"
        self.authenticate("test_portal_a", "test_portal_a")
        csrf = self._csrf(url)
        self.url_open(f"{url}/suspend", data={"csrf_token": csrf})
        self.assertEqual(self.tenant_a.state, "suspended")
        self.tenant_a.action_activate()
        self.tenant_a.action_suspend(reason="Abuse")
        self.assertNotIn(f"{url}/resume", self.url_open(url).text)
        response = self.url_open(f"{url}/resume", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 400)
        self.assertIn("only the platform can resume it", response.text)
        self.assertEqual(self.tenant_a.state, "suspended")
        self.assertEqual(self.tenant_a.state_message, "Abuse")

    def test_public_user_routes(self):
        """The public user sees the pricing and sign-up pages only."""
        self.authenticate(None, None)
        self.assertEqual(self.url_open("/paas/plans").status_code, 200)
        self.assertEqual(self.url_open("/paas/signup?plan=test-monthly").status_code, 200)
        for url in ("/my/tenants", "/my/subscriptions", "/paas/signup/tenant?plan=test-monthly",
                    f"/paas/signup/{self.sub_a.id}"):  # fmt: skip
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])
