"""A credential bound to a tenant reads and acts on that tenant only, over
REST and GraphQL, even where its user may reach the customer's others."""

from odoo.tests import tagged

from odoo.addons.woow_paas_api.tests.common import ALL_SCOPES, WoowPaasApiCase
from odoo.addons.woow_paas_tenant.tests.common import WoowPaasTenantCase


@tagged("post_install", "-at_install")
class TestTenantBoundCredential(WoowPaasApiCase, WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_monthly.portal_self_suspend = True
        # Customer A's other subscription and tenant, and a sibling of
        # tenant A on the same subscription.
        cls.sub_a2 = cls._subscription(partner=cls.customer_a)
        cls.sub_a2.action_activate()
        cls.tenant_a2 = cls._tenant("bound-other", cls.sub_a2)
        cls.sibling = cls._tenant("bound-sibling", cls.sub_a)
        (cls.tenant_a2 | cls.sibling).action_provision()
        scopes = f"{ALL_SCOPES} usage:write billing:read webhooks:manage"
        # billing:read needs read access to invoices (where billing is installed).
        readonly = cls.env.ref("account.group_account_readonly", raise_if_not_found=False)
        if readonly:
            cls.paas_user.group_ids += readonly
        cls.bound = cls._key(cls.portal_a, "wpk_boundkey_secret_0123456", scopes=scopes,
                             paas_tenant_id=cls.tenant_a.id)  # fmt: skip
        cls.bound_operator = cls._key(cls.paas_user, "wpk_boundopr_secret_0123456",
                                      scopes=scopes, paas_tenant_id=cls.tenant_a.id)  # fmt: skip

    def _ids(self, path, key=None):
        answer = self.api("GET", path, key or self.bound)
        self.assertEqual(answer.status_code, 200, answer.text)
        return {row["id"] for row in answer.json()["data"]}

    def test_rest_reads(self):
        """Lists and reads stop at the tenant, its subscription and their events."""
        for key in (self.bound, self.bound_operator):
            with self.subTest(key=key.name):
                self.assertEqual(self._ids("/api/v1/tenants", key), {self.tenant_a.id})
                self.assertEqual(self._ids("/api/v1/subscriptions", key), {self.sub_a.id})
                for path in (f"/api/v1/tenants/{self.tenant_a2.id}",
                             f"/api/v1/tenants/{self.sibling.id}",
                             f"/api/v1/subscriptions/{self.sub_a2.id}",
                             f"/api/v1/usage?tenant_id={self.tenant_a2.id}&metric=x"):  # fmt: skip
                    self.assertProblem(self.api("GET", path, key), 404)
        events = self.api("GET", "/api/v1/events?limit=200", self.bound).json()["data"]
        self.assertTrue(events)
        for event in events:
            self.assertIn(event["tenant_id"], (self.tenant_a.id, None))
            self.assertEqual(event["subscription_id"], self.sub_a.id)
        other = self._events(self.tenant_a2)[0]
        self.assertProblem(self.api("GET", f"/api/v1/events/{other.uuid}", self.bound), 404)
        if "woow.paas.usage.event" in self.env:
            self.assertEqual(self.api("GET", "/api/v1/invoices", self.bound).status_code, 200)

    def test_rest_actions(self):
        """Another tenant cannot be suspended; what reaches beyond the tenant
        (new tenants or subscriptions, the subscription's plan, webhooks) is
        refused; the bound tenant itself is served."""
        for tenant in (self.tenant_a2, self.sibling):
            self.assertProblem(
                self.api("POST", f"/api/v1/tenants/{tenant.id}/suspend", self.bound, {}), 404
            )
            self.assertEqual(tenant.state, "active")
        refused = {
            "/api/v1/tenants": {"code": "bound-new", "name": "New",
                                "subscription_id": self.sub_a.id},
            "/api/v1/subscriptions": {"plan": "test-monthly"},
            f"/api/v1/subscriptions/{self.sub_a.id}/cancel": {},
            f"/api/v1/subscriptions/{self.sub_a.id}/change-plan": {"plan": "test-yearly"},
            "/api/v1/webhooks/endpoints": {"url": "https://93.184.215.14/hook"},
        }  # fmt: skip
        for path, body in refused.items():
            with self.subTest(path=path):
                self.assertProblem(self.api("POST", path, self.bound, body), 403)
        self.assertEqual(self.sub_a.state, "active")
        self.assertFalse(self.env["woow.paas.tenant"].search([("code", "=", "bound-new")]))
        answer = self.api("POST", f"/api/v1/tenants/{self.tenant_a.id}/suspend", self.bound, {})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(self.tenant_a.state, "suspended")

    def test_usage_for_the_bound_tenant_only(self):
        """Usage sent for another tenant is rejected, event by event."""
        if "woow.paas.usage.event" not in self.env:
            self.skipTest("woow_paas_billing is not installed")
        body = {"events": [
            {"tenant": self.tenant_a2.code, "metric": "x", "quantity": 1,
             "timestamp": "2026-01-01T00:00:00Z", "idempotency_key": "other-1"},
            {"tenant": self.tenant_a.code, "metric": "no-such-metric", "quantity": 1,
             "timestamp": "2026-01-01T00:00:00Z", "idempotency_key": "own-1"},
        ]}  # fmt: skip
        answer = self.api("POST", "/api/v1/usage", self.bound, body)
        self.assertEqual(answer.status_code, 200, answer.text)
        results = answer.json()["results"]
        self.assertEqual([r["idempotency_key"] for r in results], ["other-1", "own-1"])
        self.assertEqual(results[0]["status"], "rejected")
        self.assertIn(f"acts for tenant {self.tenant_a.code} only", results[0]["reason"])
        self.assertNotIn("acts for tenant", results[1]["reason"] or "")

    def test_graphql(self):
        """GraphQL lists and nested lists stop at the bound tenant."""
        query = """{ tenants { id } subscriptions { id tenants { id } }
                     events(first: 100) { tenant_id subscription_id } }"""
        answer = self.api("POST", "/api/graphql", self.bound, {"query": query})
        self.assertEqual(answer.status_code, 200, answer.text)
        data = answer.json()["data"]
        self.assertEqual(data["tenants"], [{"id": self.tenant_a.id}])
        self.assertEqual(data["subscriptions"], [{"id": self.sub_a.id, "tenants": [
            {"id": self.tenant_a.id}]}])  # fmt: skip
        self.assertTrue(data["events"])
        self.assertEqual({e["subscription_id"] for e in data["events"]}, {self.sub_a.id})
        self.assertLessEqual({e["tenant_id"] for e in data["events"]}, {self.tenant_a.id, None})
