"""The REST list of tenants with the tenant layer installed: database
tenants carry their address, and a page costs the same queries whatever
its size (the URLs are read for the whole page, not tenant by tenant)."""

from odoo.tests import tagged

from odoo.addons.woow_paas_api.tests.common import WoowPaasApiCase
from odoo.addons.woow_paas_tenant.tests.common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestTenantList(WoowPaasApiCase, WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("woow_paas_tenant.domain", "apps.example.com")
        plan = cls.env["woow.paas.plan"].create(
            {"name": "List Database", "code": "list-database", "price": 90.0,
             "paas_isolation": "database"}
        )  # fmt: skip
        cls.db_sub = cls._subscription(partner=cls.customer_a, plan=plan)
        cls.shared_sub = cls._subscription(partner=cls.customer_a)
        # Not provisioned: the URL follows from the code and the plan alone.
        cls.dedicated = cls.env["woow.paas.tenant"]
        cls.shared = cls.env["woow.paas.tenant"]
        for index in range(6):
            cls.dedicated |= cls._tenant(f"list-db-{index}", cls.db_sub)
            cls.shared |= cls._tenant(f"list-shared-{index}", cls.shared_sub)

    def _page(self, sub, limit):
        answer = self.api("GET", f"/api/v1/tenants?subscription_id={sub.id}&limit={limit}",
                          self.operator_key)  # fmt: skip
        self.assertEqual(answer.status_code, 200, answer.text)
        return answer.json()["data"]

    def test_urls(self):
        """Database tenants are listed at ``<code>.<platform domain>``,
        shared tenants with a null url."""
        for item in self._page(self.db_sub, 50):
            self.assertRegex(item["url"], rf"^https?://{item['code']}\.apps\.example\.com(:\d+)?$")
        self.assertEqual({item["url"] for item in self._page(self.shared_sub, 50)}, {None})

    def test_page_queries_do_not_grow(self):
        """A page of 2 tenants and a page of 6 cost the same queries."""
        self._page(self.db_sub, 1)  # warm the credential, bucket and caches
        counts = []
        for limit in (2, 6):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.assertEqual(len(self._page(self.db_sub, limit)), limit)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertGreater(counts[0], 0)
        self.assertEqual(counts[0], counts[1], counts)
