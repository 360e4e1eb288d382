from odoo.tests import HttpCase, tagged

from odoo.addons.woow_paas_core.tests.common import WoowPaasCase
from odoo.addons.woow_paas_portal.tests.common import WoowPaasBrandingMixin


@tagged("post_install", "-at_install")
class TestPortalTenantBranded(WoowPaasBrandingMixin, WoowPaasCase, HttpCase):
    """The tenant page with the tenant layer's sections carries the white label."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._brand_company()
        cls.sub_a = cls._subscription(cls.customer_a)
        cls.tenant_a = cls._tenant("brand-ptenant", cls.sub_a)
        cls.tenant_a.write({"state": "active"})

    def test_tenant_pages_branded(self):
        self.authenticate("test_portal_a", "test_portal_a")
        for url in ("/my/tenants", f"/my/tenants/{self.tenant_a.id}"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertBranded(response.text, url)
