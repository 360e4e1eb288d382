from odoo.tests import HttpCase, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase


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
