from odoo.tests import tagged

from odoo.addons.woow_paas_portal.tests.common import WoowPaasBrandingMixin

from .test_portal_api import PortalApiCase


@tagged("post_install", "-at_install")
class TestPortalApiBranded(WoowPaasBrandingMixin, PortalApiCase):
    """The API pages of the portal carry the white label."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._brand_company()

    def test_api_pages_branded(self):
        self.authenticate("test_portal_a", "test_portal_a")
        for url in ("/my/api", "/my/api/keys/new", "/my/api/oauth/new", "/my/api/webhooks/new",
                    f"/my/api/webhooks/{self.endpoint_a.id}",
                    f"/my/api/webhooks/deliveries/{self.delivery_a.id}"):  # fmt: skip
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertBranded(response.text, url)
