import re
from unittest.mock import patch

from odoo.tests import tagged

from ..controllers import schemas as S
from ..controllers import webhook_schemas as WS
from ..tools import framework
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


@tagged("post_install", "-at_install")
class TestApiReference(WoowPaasApiCase):
    def _model(self, ref):
        """The typed model of a schema: core's, or one a bridge's route
        declares (woow_paas_api_billing's usage and invoices)."""
        name = ref.rsplit("/", 1)[1]
        declared = {
            model.__name__: model
            for route in framework.ROUTES
            for model in (route["body"], route["response"])
            if model is not None
        }
        return getattr(S, name, None) or getattr(WS, name, None) or declared.get(name)

    def test_examples_match_their_schemas(self):
        """Request and answer examples are in the OpenAPI document, and each
        one is valid for the typed model it illustrates."""
        doc = self.api("GET", "/api/v1/openapi.json").json()
        checked = set()
        for path, operations in doc["paths"].items():
            for method, operation in operations.items():
                media = [operation.get("requestBody", {}).get("content", {})] + [
                    answer.get("content", {}) for answer in operation["responses"].values()
                ]
                for content in media:
                    json_media = content.get("application/json") or {}
                    if "example" not in json_media:
                        continue
                    model = self._model(json_media["schema"]["$ref"])
                    self.assertTrue(model, json_media["schema"])
                    model.model_validate(json_media["example"])
                    checked.add((path, method))
        for expected in (("/api/v1/tenants", "get"), ("/api/v1/tenants", "post"),
                         ("/api/v1/tenants/{tenant_id}", "get"), ("/api/v1/plans", "get"),
                         ("/api/v1/webhooks/endpoints", "post")):  # fmt: skip
            self.assertIn(expected, checked)
        tenant = doc["paths"]["/api/v1/tenants/{tenant_id}"]["get"]["responses"]["200"]
        self.assertTrue(tenant["content"]["application/json"]["example"]["url"])
        self.assertIn("examples", doc["components"]["schemas"]["Tenant"])

    def test_reference_page_serves_swagger_ui(self):
        """/api/v1/docs is Swagger UI, shipped with the addon (no CDN), fed
        with /api/v1/openapi.json; its files are served."""
        page = self.api("GET", "/api/v1/docs")
        self.assertEqual(page.status_code, 200)
        self.assertIn("text/html", page.headers["Content-Type"])
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        self.assertTrue(sources)
        for source in sources:
            self.assertFalse(source.startswith(("http:", "https:", "//")), source)
        self.assertIn("/api/v1/openapi.json", page.text)
        for source in sources:
            if source.startswith("/woow_paas_api/static/"):
                asset = self.url_open(source)
                self.assertEqual(asset.status_code, 200, source)
        self.assertIn("/woow_paas_api/static/lib/swagger-ui/swagger-ui-bundle.js", sources)
        # Without JavaScript the page still lists every route.
        self.assertIn("/api/v1/tenants/{tenant_id}/suspend", page.text)
        license_ = self.url_open("/woow_paas_api/static/lib/swagger-ui/LICENSE")
        self.assertEqual(license_.status_code, 200)
        self.assertIn("Apache License", license_.text)


@tagged("post_install", "-at_install")
class TestEventTypesApi(WoowPaasApiCase):
    def test_event_types_for_webhooks(self):
        """GET /api/v1/webhooks/event-types lists the registry's types with
        their labels: a customer those its endpoints can receive, an
        operator all of them."""
        types = self.env["woow.paas.event"]._paas_event_types()
        customer = self._key(self.portal_a, "wpk_hookcust_key_0123456789",
                             scopes="webhooks:manage")  # fmt: skip
        operator = self._key(self.paas_manager, "wpk_hookoper_key_0123456789",
                             scopes="webhooks:manage")  # fmt: skip
        answer = self.api("GET", "/api/v1/webhooks/event-types", customer)
        self.assertEqual(answer.status_code, 200, answer.text)
        listed = {t["type"]: t for t in answer.json()["data"]}
        self.assertEqual(set(listed), {t for t, info in types.items() if info["customer"]})
        self.assertEqual(listed["tenant.suspended"]["label"], "Tenant suspended")
        self.assertNotIn("plan.updated", listed)
        every = self.api("GET", "/api/v1/webhooks/event-types", operator).json()["data"]
        self.assertEqual({t["type"] for t in every}, set(types))
        self.assertProblem(self.api("GET", "/api/v1/webhooks/event-types", self.key_a), 403)
