from odoo.tests import tagged

from .common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestTenantUrl(WoowPaasTenantCase):
    def test_database_tenant_has_its_url(self):
        """The core hook ``_paas_urls`` gives a database tenant its host name
        under the platform domain, and a shared tenant none (its app lives in
        the platform): what the REST API and GraphQL publish as ``url``."""
        self.env["ir.config_parameter"].set_param("woow_paas_tenant.domain", "apps.example.com")
        plan = self.env["woow.paas.plan"].create(
            {"name": "Url Database", "code": "url-database", "price": 90.0,
             "paas_isolation": "database"}
        )  # fmt: skip
        dedicated = self._tenant("url-dedicated", self._subscription(plan=plan))
        urls = (dedicated | self.tenant_a)._paas_urls()
        self.assertRegex(urls[dedicated.id], r"^https?://url-dedicated\.apps\.example\.com(:\d+)?$")
        self.assertEqual(urls[dedicated.id], dedicated.paas_url)
        self.assertIs(urls[self.tenant_a.id], False)
