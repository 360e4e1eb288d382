from odoo.tests import tagged

from .common import WoowPaasApiCase

BASE = "/api/v1/webhooks"


@tagged("post_install", "-at_install")
class TestWebhookApi(WoowPaasApiCase):
    """The webhook routes: a customer sees and manages its own endpoints only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        scopes = "webhooks:manage"
        cls.hook_op = cls._key(cls.paas_user, "wpk_hookoptest_secret_0123", scopes=scopes)
        cls.hook_a = cls._key(cls.portal_a, "wpk_hookatest_secret_01234", scopes=scopes)
        cls.hook_b = cls._key(cls.portal_b, "wpk_hookbtest_secret_01234", scopes=scopes)

    def _create(self, key, **body):
        body = {"url": "https://93.184.215.14/hook", **body}
        answer = self.api("POST", f"{BASE}/endpoints", key, body)
        self.assertEqual(answer.status_code, 201, answer.text)
        return answer.json()

    def test_endpoints(self):
        """Create (secret shown once), list, read, rotate; customers are fenced."""
        created = self._create(self.hook_a, event_types=["tenant.*"],
                               custom_headers={"X-Env": "prod"})  # fmt: skip
        self.assertTrue(created["secret"].startswith("whsec_"))
        self.assertEqual(created["customer_id"], self.customer_a.id)
        self.assertEqual(created["event_types"], ["tenant.*"])
        self.assertEqual(created["custom_headers"], {"X-Env": "prod"})
        endpoint_id = created["id"]
        read = self.api("GET", f"{BASE}/endpoints/{endpoint_id}", self.hook_a).json()
        self.assertNotIn("secret", read)
        self.assertEqual(read["url"], "https://93.184.215.14/hook")
        self.assertProblem(self.api("GET", f"{BASE}/endpoints/{endpoint_id}", self.hook_b), 404)
        self.assertProblem(self.api("GET", f"{BASE}/endpoints/{endpoint_id}", self.hook_op), 404)
        mine = self._create(self.hook_op)
        listed = self.api("GET", f"{BASE}/endpoints", self.hook_a).json()
        self.assertEqual([e["id"] for e in listed["data"]], [endpoint_id])
        listed = self.api("GET", f"{BASE}/endpoints", self.hook_op).json()
        self.assertEqual([e["id"] for e in listed["data"]], [mine["id"]])
        rotated = self.api("POST", f"{BASE}/endpoints/{endpoint_id}/rotate-secret", self.hook_a,
                           {"overlap_hours": 2})  # fmt: skip
        self.assertEqual(rotated.status_code, 200, rotated.text)
        self.assertNotEqual(rotated.json()["secret"], created["secret"])
        self.assertTrue(rotated.json()["previous_secret_expires_at"])
        self.assertProblem(
            self.api("POST", f"{BASE}/endpoints/{endpoint_id}/rotate-secret", self.hook_b, {}),
            404,
        )

    def test_refusals(self):
        """Private targets (422), private networks for customers (403), the
        scope (403) and bad bodies (422)."""
        for url in ("http://127.0.0.1/h", "http://169.254.169.254/", "http://localhost/h"):
            problem = self.assertProblem(
                self.api("POST", f"{BASE}/endpoints", self.hook_a, {"url": url}), 422
            )
            self.assertIn("public", problem["detail"])
        self.assertProblem(
            self.api("POST", f"{BASE}/endpoints", self.hook_a,
                     {"url": "http://127.0.0.1/h", "allow_private_network": True}), 403,
        )  # fmt: skip
        self.assertProblem(self.api("POST", f"{BASE}/endpoints", self.hook_op,
                                    {"url": "http://127.0.0.1/h",
                                     "allow_private_network": True}), 403)  # fmt: skip
        self.assertProblem(self.api("GET", f"{BASE}/endpoints", self.key_a), 403)
        self.assertProblem(
            self.api("POST", f"{BASE}/endpoints", self.hook_a,
                     {"url": "https://93.184.215.14/h", "custom_headers": {"webhook-id": "x"}}),
            422,
        )  # fmt: skip
        self.assertProblem(self.api("POST", f"{BASE}/endpoints", self.hook_a, {"nope": 1}), 422)
        for body in ({"url": "https://93.184.215.14/\x00"}, {"url": "https://a\x00b/"},
                     {"url": "https://93.184.215.14/", "description": "\x00"},
                     {"url": "https://93.184.215.14/", "description": "\ud800"}):  # fmt: skip
            self.assertProblem(self.api("POST", f"{BASE}/endpoints", self.hook_a, body), 422)
        self.assertProblem(self.api("GET", f"{BASE}/deliveries?state=%00", self.hook_a), 400)

    def test_deliveries(self):
        """Deliveries are listed per endpoint and state, and redelivered."""
        endpoint_a = self._create(self.hook_a, event_types=["tenant.hooked"])["id"]
        endpoint_b = self._create(self.hook_b, event_types=["tenant.hooked"])["id"]
        tenant_a = self._tenant("hook-api-a", partner=self.customer_a)
        tenant_b = self._tenant("hook-api-b", partner=self.customer_b)
        Event = self.env["woow.paas.event"]
        Event._emit("tenant.hooked", tenant_a | tenant_b)
        Delivery = self.env["woow.paas.webhook.delivery"]
        mine = Delivery.search([("endpoint_id", "=", endpoint_a)])
        self.assertEqual(len(mine), 1)
        mine.write({"state": "failed", "attempts": 8, "next_attempt_at": False})
        listed = self.api("GET", f"{BASE}/deliveries?state=failed", self.hook_a).json()["data"]
        self.assertEqual([d["id"] for d in listed], [mine.id])
        self.assertEqual(listed[0]["webhook_id"], mine.webhook_id)
        self.assertEqual(listed[0]["event_type"], "tenant.hooked")
        listed = self.api("GET", f"{BASE}/deliveries?endpoint_id={endpoint_b}", self.hook_a)
        self.assertEqual(listed.json()["data"], [])
        self.assertProblem(self.api("GET", f"{BASE}/deliveries?state=bogus", self.hook_a), 400)
        answer = self.api("POST", f"{BASE}/deliveries/{mine.id}/redeliver", self.hook_a, {})
        self.assertEqual(answer.status_code, 202, answer.text)
        self.assertEqual(answer.json()["state"], "pending")
        self.assertEqual(answer.json()["webhook_id"], mine.webhook_id)
        self.assertProblem(
            self.api("POST", f"{BASE}/deliveries/{mine.id}/redeliver", self.hook_a, {}), 409
        )
        self.assertProblem(
            self.api("POST", f"{BASE}/deliveries/{mine.id}/redeliver", self.hook_b, {}), 404
        )

    def test_openapi_lists_webhook_routes(self):
        """The OpenAPI document includes the webhook routes."""
        paths = self.api("GET", "/api/v1/openapi.json").json()["paths"]
        for path in ("/api/v1/webhooks/endpoints", "/api/v1/webhooks/endpoints/{endpoint_id}",
                     "/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret",
                     "/api/v1/webhooks/endpoints/{endpoint_id}/redeliver",
                     "/api/v1/webhooks/endpoints/{endpoint_id}/replay-missed",
                     "/api/v1/webhooks/endpoints/{endpoint_id}/test",
                     "/api/v1/webhooks/deliveries",
                     "/api/v1/webhooks/deliveries/{delivery_id}/redeliver"):  # fmt: skip
            self.assertIn(path, paths)
        one = paths["/api/v1/webhooks/endpoints/{endpoint_id}"]
        self.assertEqual(set(one), {"get", "patch", "delete"})
        self.assertIn("requestBody", one["patch"])
        self.assertEqual(set(one["delete"]["responses"]["204"]), {"description"})
        redeliver = paths["/api/v1/webhooks/endpoints/{endpoint_id}/redeliver"]["post"]
        self.assertIn("Idempotency-Key", [p["name"] for p in redeliver["parameters"]])

    def test_update_and_delete(self):
        """PATCH changes the fields sent (checked like a creation); DELETE
        removes the endpoint; customers are fenced."""
        created = self._create(self.hook_a, event_types=["tenant.*"])
        path = f"{BASE}/endpoints/{created['id']}"
        answer = self.api("PATCH", path, self.hook_a,
                          {"description": "CRM sync", "event_types": ["invoice.*"],
                           "ordered": False, "enabled": False})  # fmt: skip
        self.assertEqual(answer.status_code, 200, answer.text)
        data = answer.json()
        self.assertEqual((data["description"], data["event_types"], data["ordered"],
                          data["enabled"]), ("CRM sync", ["invoice.*"], False, False))  # fmt: skip
        self.assertTrue(data["disabled_at"])
        self.assertEqual(data["url"], created["url"], "unsent fields are kept")
        for body, status in (({"url": "http://127.0.0.1/h"}, 422),
                             ({"allow_private_network": True}, 403), ({"enabled": None}, 422),
                             ({"secret": "whsec_x"}, 422)):  # fmt: skip
            with self.subTest(body=body):
                self.assertProblem(self.api("PATCH", path, self.hook_a, body), status)
        self.assertProblem(self.api("PATCH", path, self.hook_b, {"description": "x"}), 404)
        self.assertProblem(self.api("DELETE", path, self.hook_b), 404)
        answer = self.api("DELETE", path, self.hook_a)
        self.assertEqual((answer.status_code, answer.content), (204, b""))
        Endpoint = self.env["woow.paas.webhook.endpoint"]
        self.assertFalse(Endpoint.search([("id", "=", created["id"])]))
        self.assertProblem(self.api("GET", path, self.hook_a), 404)

    def test_redeliver_since_replay_and_test(self):
        """Redeliver failed since a date (idempotent with an Idempotency-Key),
        replay what a re-enabled endpoint missed, queue a test message."""
        endpoint_id = self._create(self.hook_a, event_types=["tenant.hooked"])["id"]
        tenant = self._tenant("hook-api-r", partner=self.customer_a)
        Delivery = self.env["woow.paas.webhook.delivery"]
        self.env["woow.paas.event"]._emit("tenant.hooked", tenant)
        failed = Delivery.search([("endpoint_id", "=", endpoint_id)])
        failed.write({"state": "failed", "attempts": 8, "next_attempt_at": False})
        path = f"{BASE}/endpoints/{endpoint_id}"
        body = {"since": "2020-01-01T00:00:00+02:00"}
        headers = {"Idempotency-Key": "redeliver-1"}
        first = self.api("POST", f"{path}/redeliver", self.hook_a, body, headers=headers)
        self.assertEqual(first.status_code, 202, first.text)
        self.assertEqual(first.json(), {"endpoint_id": endpoint_id, "redelivered": 1})
        self.assertEqual(failed.state, "pending")
        again = self.api("POST", f"{path}/redeliver", self.hook_a, body, headers=headers)
        self.assertEqual((again.status_code, again.json()["redelivered"]), (202, 1))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        other_body = {"since": "2021-01-01T00:00:00Z"}
        self.assertProblem(
            self.api("POST", f"{path}/redeliver", self.hook_a, other_body, headers=headers), 422
        )
        self.assertProblem(self.api("POST", f"{path}/redeliver", self.hook_a, {"since": "soon"}),
                           422)  # fmt: skip
        self.assertProblem(self.api("POST", f"{path}/redeliver", self.hook_b, body), 404)
        # Disabled, it misses an event; re-enabled, the replay sends it once.
        self.assertEqual(self.api("PATCH", path, self.hook_a, {"enabled": False}).status_code, 200)
        self.assertProblem(self.api("POST", f"{path}/replay-missed", self.hook_a, {}), 409)
        self.env["woow.paas.event"]._emit("tenant.hooked", tenant)
        self.assertEqual(self.api("PATCH", path, self.hook_a, {"enabled": True}).status_code, 200)
        replay = self.api("POST", f"{path}/replay-missed", self.hook_a, {})
        self.assertEqual(replay.status_code, 202, replay.text)
        # the redelivered one (stopped by the disable) and the missed event
        self.assertEqual(replay.json(), {"endpoint_id": endpoint_id, "replayed": 2})
        self.assertEqual(
            self.api("POST", f"{path}/replay-missed", self.hook_a, {}).json()["replayed"], 0
        )
        test = self.api("POST", f"{path}/test", self.hook_a, {})
        self.assertEqual(test.status_code, 202, test.text)
        self.assertEqual((test.json()["event_type"], test.json()["state"]),
                         ("webhook.test", "pending"))  # fmt: skip
        self.assertProblem(self.api("POST", f"{path}/test", self.hook_b, {}), 404)
