from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from odoo.addons.woow_paas_api.tests.common import WoowPaasApiCase

from ..controllers.usage_schemas import UsageResults


@tagged("post_install", "-at_install")
class TestUsageApi(WoowPaasApiCase):
    """POST /api/v1/usage feeds billing's ingest(); GET aggregates it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.metric = cls.env["woow.paas.metric"].create(
            {"name": "API calls (test)", "code": "test_api_sum", "aggregation": "sum"}
        )
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("usage-api-a", cls.sub_a)
        cls.tenant_b = cls._tenant("usage-api-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()
        cls.usage_key = cls._key(cls.portal_a, "wpk_usagtest_key_0123456789",
                                 scopes="usage:write billing:read")  # fmt: skip

    def _event(self, key, tenant="usage-api-a", quantity=2):
        stamp = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
        return {"tenant": tenant, "metric": "test_api_sum", "quantity": quantity,
                "timestamp": stamp, "idempotency_key": key}  # fmt: skip

    def test_post_and_aggregate(self):
        """Good events are stored once, duplicates counted once, bad ones and
        another customer's tenant refused per event; the aggregate adds up."""
        batch = {"events": [
            self._event("e1"), self._event("e2", quantity=3), self._event("e1"),
            self._event("e3", quantity=-1), self._event("e4", tenant="usage-api-b"),
            {"tenant": "usage-api-a"},
        ]}  # fmt: skip
        answer = self.api("POST", "/api/v1/usage", self.usage_key, batch)
        self.assertEqual(answer.status_code, 200, answer.text)
        body = answer.json()
        self.assertEqual(
            [r["status"] for r in body["results"]],
            ["accepted", "accepted", "duplicate", "rejected", "rejected", "rejected"],
        )
        self.assertEqual((body["accepted"], body["duplicate"], body["rejected"]), (2, 1, 3))
        again = self.api("POST", "/api/v1/usage", self.usage_key, {"events": [self._event("e2")]})
        self.assertEqual(again.json()["results"][0]["status"], "duplicate")
        total = self.api(
            "GET", f"/api/v1/usage?tenant_id={self.tenant_a.id}&metric=test_api_sum",
            self.usage_key,
        ).json()  # fmt: skip
        self.assertEqual((total["quantity"], total["aggregation"]), (5.0, "sum"))
        self.assertProblem(
            self.api("GET", f"/api/v1/usage?tenant_id={self.tenant_b.id}&metric=test_api_sum",
                     self.usage_key), 404,
        )  # fmt: skip

    def test_bad_batches(self):
        """A batch that is not a list of events is refused whole with 422."""
        for body in ({"events": "nope"}, {"events": [1, 2]}, {"other": []}):
            with self.subTest(body=body):
                self.assertProblem(self.api("POST", "/api/v1/usage", self.usage_key, body), 422)
        self.assertProblem(self.api("POST", "/api/v1/usage", self.key_a, {"events": []}), 403)

    def test_rejected_events_answer_200_with_counts(self):
        """A batch whose events are all rejected is still read: 200, nothing
        stored, the counts and one reason per event; the answer matches the
        documented UsageResults."""
        batch = {"events": [self._event("r1", quantity=-1), self._event("r2", tenant="nope")]}
        answer = self.api("POST", "/api/v1/usage", self.usage_key, batch)
        self.assertEqual(answer.status_code, 200, answer.text)
        body = UsageResults.model_validate(answer.json())
        self.assertEqual((body.accepted, body.duplicate, body.rejected), (0, 0, 2))
        self.assertTrue(all(r.status == "rejected" and r.reason for r in body.results))
        self.assertEqual([r.idempotency_key for r in body.results], ["r1", "r2"])
        self.assertFalse(
            self.env["woow.paas.usage.event"].search([("idempotency_key", "in", ["r1", "r2"])])
        )


@tagged("post_install", "-at_install")
class TestUsageApiDocument(WoowPaasApiCase):
    """woow_paas_api_billing contributes the usage routes to the OpenAPI document."""

    def test_usage_answer_is_documented(self):
        """The document says that a batch with rejected events is still 200,
        with its counts and one result per event."""
        doc = self.api("GET", "/api/v1/openapi.json").json()
        post = doc["paths"]["/api/v1/usage"]["post"]
        self.assertIn("200 whenever the batch itself was read", post["description"])
        self.assertNotIn("207", post["responses"])
        answer = post["responses"]["200"]["content"]["application/json"]
        self.assertEqual(answer["schema"], {"$ref": "#/components/schemas/UsageResults"})
        self.assertGreater(answer["example"]["rejected"], 0)
        schema = doc["components"]["schemas"]["UsageResults"]
        self.assertEqual(set(schema["required"]), {"accepted", "duplicate", "rejected", "results"})
        self.assertIn("refused", schema["properties"]["rejected"]["description"])
