from unittest.mock import patch

from odoo.tests import tagged

from .common import WoowPaasApiCase


@tagged("post_install", "-at_install")
class TestTenantUrl(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_a.action_activate()
        cls.served = cls._tenant("url-served", cls.sub_a)
        cls.plain = cls._tenant("url-plain", cls.sub_a)

    def _urls(self):
        """The core hook as a layer that serves ``url-served`` fills it."""
        served = self.served

        def _paas_urls(tenants):
            return {t.id: "https://url-served.apps.example.com" if t == served else False
                    for t in tenants}  # fmt: skip

        return patch.object(type(self.env["woow.paas.tenant"]), "_paas_urls", _paas_urls)

    def test_rest_tenants_carry_their_url(self):
        """A tenant's URL, from the core hook the tenant layer fills, is in the
        list and the read answers; null for a tenant without one."""
        with self._urls():
            listed = self.api("GET", "/api/v1/tenants", self.key_a).json()["data"]
            read = self.api("GET", f"/api/v1/tenants/{self.served.id}", self.key_a).json()
        urls = {t["code"]: t["url"] for t in listed}
        self.assertEqual(
            urls, {"url-served": "https://url-served.apps.example.com", "url-plain": None}
        )
        self.assertEqual(read["url"], "https://url-served.apps.example.com")
        doc = self.api("GET", "/api/v1/openapi.json").json()
        self.assertIn("url", doc["components"]["schemas"]["Tenant"]["required"])

    def test_graphql_tenants_carry_their_url(self):
        """GraphQL's Tenant has the same url, read once for the whole list."""
        query = "query { tenants { code url } }"
        with self._urls():
            answer = self.api("POST", "/api/graphql", self.key_a, {"query": query})
        self.assertEqual(answer.status_code, 200, answer.text)
        urls = {t["code"]: t["url"] for t in answer.json()["data"]["tenants"]}
        self.assertEqual(
            urls, {"url-served": "https://url-served.apps.example.com", "url-plain": None}
        )
        self.assertIn("url: String", self.api("GET", "/api/graphql/schema").text)
