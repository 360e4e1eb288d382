from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WoowPaasApiCase


@tagged("post_install", "-at_install")
class TestRestApi(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("api-tenant-a", cls.sub_a)
        cls.tenant_b = cls._tenant("api-tenant-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()

    # ------------------------------------------------------------------
    # Credentials
    # ------------------------------------------------------------------
    def test_credentials_refused(self):
        """No, unknown, revoked or expired credentials → 401; a missing scope → 403."""
        self.assertProblem(self.api("GET", "/api/v1/tenants"), 401)
        self.assertProblem(self.api("GET", "/api/v1/tenants", "wpk_unknown_0000000000"), 401)
        self.assertProblem(self.api("GET", "/api/v1/tenants", "Basic abc"), 401)
        revoked = self._key(self.paas_user, "wpk_revotest_key_0123456789")
        revoked.action_revoke()
        self.assertProblem(self.api("GET", "/api/v1/tenants", revoked), 401)
        narrow = self._key(self.paas_user, "wpk_narrtest_key_0123456789", scopes="plans:read")
        problem = self.assertProblem(self.api("GET", "/api/v1/tenants", narrow), 403)
        self.assertIn("tenants:read", problem["detail"])
        self.assertEqual(self.api("GET", "/api/v1/plans", narrow).status_code, 200)

    def test_health_and_version_need_no_credential(self):
        """Health and version answer anyone and reveal nothing else."""
        health = self.api("GET", "/api/health")
        self.assertEqual((health.status_code, health.json()), (200, {"status": "ok"}))
        version = self.api("GET", "/api/version").json()
        self.assertEqual(set(version), {"api", "version"})

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------
    def test_customer_sees_only_its_own(self):
        """A customer credential lists its own records; another customer's id is 404."""
        tenants = self.api("GET", "/api/v1/tenants", self.key_a).json()
        self.assertEqual([t["code"] for t in tenants["data"]], ["api-tenant-a"])
        self.assertIsNone(tenants["next_cursor"])
        self.assertProblem(self.api("GET", f"/api/v1/tenants/{self.tenant_b.id}", self.key_a), 404)
        self.assertProblem(
            self.api("GET", f"/api/v1/subscriptions/{self.sub_b.id}", self.key_a), 404
        )
        own = self.api("GET", f"/api/v1/subscriptions/{self.sub_a.id}", self.key_a).json()
        self.assertEqual((own["reference"], own["state"]), (self.sub_a.name, "active"))
        events = self.api("GET", "/api/v1/events", self.key_a).json()["data"]
        self.assertTrue(events)
        self.assertEqual({e["customer_id"] for e in events}, {self.customer_a.id})
        other_event = self._events(self.sub_b)[0]
        self.assertProblem(self.api("GET", f"/api/v1/events/{other_event.uuid}", self.key_a), 404)

    def test_operator_sees_everything_its_user_may(self):
        """An operator credential lists every customer's records, with filters."""
        codes = {
            t["code"] for t in self.api("GET", "/api/v1/tenants", self.operator_key).json()["data"]
        }
        self.assertLessEqual({"api-tenant-a", "api-tenant-b"}, codes)
        filtered = self.api(
            "GET", f"/api/v1/tenants?customer_id={self.customer_b.id}", self.operator_key
        ).json()["data"]
        self.assertEqual([t["code"] for t in filtered], ["api-tenant-b"])
        subs = self.api("GET", "/api/v1/subscriptions?state=active&plan=test-monthly",
                        self.operator_key).json()["data"]  # fmt: skip
        self.assertLessEqual({self.sub_a.id, self.sub_b.id}, {s["id"] for s in subs})

    def test_cursor_pagination(self):
        """Pages follow next_cursor to the end, each record once."""
        for index in range(5):
            self._tenant(f"paged-{index}", self.sub_a)
        seen, cursor = [], None
        for _page in range(10):
            path = "/api/v1/tenants?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = self.api("GET", path, self.key_a).json()
            seen += [t["id"] for t in page["data"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), 6)
        self.assertEqual(len(set(seen)), 6)
        self.assertProblem(self.api("GET", "/api/v1/tenants?limit=0", self.key_a), 400)
        self.assertProblem(self.api("GET", "/api/v1/tenants?cursor=%%%", self.key_a), 400)
        self.assertProblem(self.api("GET", "/api/v1/tenants?colour=red", self.key_a), 400)

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    def test_customer_creates_and_runs_a_tenant(self):
        """A customer creates a tenant on its own subscription (provisioned at once),
        suspends and resumes it (its plan allows it); another customer's
        subscription is 404."""
        self.plan_monthly.portal_self_suspend = True
        body = {"code": "api-created", "name": "Created", "subscription_id": self.sub_a.id}
        response = self.api("POST", "/api/v1/tenants", self.key_a, body)
        self.assertEqual(response.status_code, 201, response.text)
        created = response.json()
        self.assertEqual((created["state"], created["customer_id"]), ("active", self.customer_a.id))
        suspended = self.api("POST", f"/api/v1/tenants/{created['id']}/suspend", self.key_a,
                             {"reason": "Holidays"}).json()  # fmt: skip
        self.assertEqual(
            (suspended["state"], suspended["state_message"]), ("suspended", "Holidays")
        )
        resumed = self.api("POST", f"/api/v1/tenants/{created['id']}/resume", self.key_a, {})
        self.assertEqual(resumed.json()["state"], "active")
        self.assertProblem(
            self.api("POST", "/api/v1/tenants", self.key_a,
                     {"code": "stolen", "name": "X", "subscription_id": self.sub_b.id}), 404,
        )  # fmt: skip
        self.assertFalse(self.env["woow.paas.tenant"].search([("code", "=", "stolen")]))

    def test_subscription_create_change_cancel(self):
        """Operators subscribe a customer, change its plan and cancel it."""
        created = self.api("POST", "/api/v1/subscriptions", self.operator_key,
                           {"plan": "test-monthly", "customer_id": self.customer_b.id,
                            "start": "active"})  # fmt: skip
        self.assertEqual(created.status_code, 201, created.text)
        sub_id = created.json()["id"]
        changed = self.api("POST", f"/api/v1/subscriptions/{sub_id}/change-plan",
                           self.operator_key, {"plan": "test-yearly"}).json()  # fmt: skip
        self.assertEqual((changed["plan"], changed["billing_interval"]), ("test-yearly", "year"))
        cancelled = self.api("POST", f"/api/v1/subscriptions/{sub_id}/cancel", self.operator_key,
                             {"reason": "Test"}).json()  # fmt: skip
        self.assertEqual((cancelled["state"], cancelled["cancel_reason"]), ("cancelled", "Test"))
        # A customer cancels its own subscription only with subscriptions:write.
        read_only = self._key(self.portal_a, "wpk_readtest_key_0123456789",
                              scopes="subscriptions:read")  # fmt: skip
        self.assertProblem(
            self.api("POST", f"/api/v1/subscriptions/{self.sub_a.id}/cancel", read_only, {}), 403
        )
        self.assertEqual(self.sub_a.state, "active")
        self.assertProblem(
            self.api("POST", f"/api/v1/subscriptions/{self.sub_b.id}/cancel", self.key_a, {}), 404
        )
        self.assertEqual(self.sub_b.state, "active")

    @mute_logger("odoo.http")
    def test_bad_input_is_problem_json(self):
        """Malformed JSON, wrong types, unknown fields, oversized bodies, unknown
        routes and wrong methods answer 4xx problem+json and write nothing."""
        count = self.env["woow.paas.tenant"].search_count([])
        cases = [
            (self.api("POST", "/api/v1/tenants", self.key_a, raw="{not json"), 400),
            (self.api("POST", "/api/v1/tenants", self.key_a, {"code": 5}), 422),
            (self.api("POST", "/api/v1/tenants", self.key_a,
                      {"code": "x-extra", "name": "X", "subscription_id": self.sub_a.id,
                       "evil": True}), 422),
            (self.api("POST", "/api/v1/tenants", self.key_a,
                      {"code": "BAD CODE", "name": "X", "subscription_id": self.sub_a.id}), 422),
            (self.api("POST", "/api/v1/tenants", self.key_a, raw="x" * (1024 * 1024 + 10)), 413),
            (self.api("POST", "/api/v1/tenants", self.key_a,
                      {"code": "nul-name", "name": "A\u0000B", "subscription_id": self.sub_a.id}),
             422),
            (self.api("GET", "/api/v1/tenants?state=a%00b", self.key_a), 400),
            (self.api("GET", "/api/v1/nothing-here", self.key_a), 404),
            (self.api("GET", "/api/v1/tenants/%0Aabc", self.key_a), 404),
            (self.api("DELETE", "/api/v1/tenants", self.key_a), 405),
        ]  # fmt: skip
        for response, status in cases:
            with self.subTest(status=status):
                self.assertProblem(response, status)
        errors = cases[1][0].json()["errors"]
        self.assertTrue(any(e["name"] == "code" for e in errors))
        self.assertEqual(self.env["woow.paas.tenant"].search_count([]), count)

    # ------------------------------------------------------------------
    # Idempotency
    # ------------------------------------------------------------------
    def test_idempotency_key(self):
        """The same key and body replay the first answer and create nothing more;
        another body with the same key → 422."""
        body = {"code": "idem-tenant", "name": "Idem", "subscription_id": self.sub_a.id}
        headers = {"Idempotency-Key": "create-idem-tenant-1"}
        first = self.api("POST", "/api/v1/tenants", self.key_a, body, headers)
        self.assertEqual(first.status_code, 201, first.text)
        again = self.api("POST", "/api/v1/tenants", self.key_a, body, headers)
        self.assertEqual((again.status_code, again.json()), (201, first.json()))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(
            self.env["woow.paas.tenant"].search_count([("code", "=", "idem-tenant")]), 1
        )
        other = self.api("POST", "/api/v1/tenants", self.key_a, dict(body, name="Other"), headers)
        self.assertProblem(other, 422)
        # Another credential may use the same key for its own request.
        self.assertEqual(
            self.api("POST", "/api/v1/tenants", self.key_b,
                     {"code": "idem-b", "name": "B", "subscription_id": self.sub_b.id},
                     headers).status_code, 201,
        )  # fmt: skip

    def test_failed_request_frees_its_key(self):
        """A request refused by the platform leaves its key free for a corrected retry."""
        headers = {"Idempotency-Key": "retry-after-fix"}
        bad = self.api("POST", "/api/v1/tenants", self.key_a,
                       {"code": "www", "name": "Reserved", "subscription_id": self.sub_a.id},
                       headers)  # fmt: skip
        self.assertProblem(bad, 422)
        good = self.api("POST", "/api/v1/tenants", self.key_a,
                        {"code": "www", "name": "Reserved", "subscription_id": self.sub_a.id},
                        headers)  # fmt: skip
        self.assertProblem(good, 422)  # same body, still refused: nothing was stored

    # ------------------------------------------------------------------
    # Rate limits
    # ------------------------------------------------------------------
    def test_rate_limit(self):
        """A key's bucket lets its limit through, then answers 429 with
        Retry-After; every answer carries the rate-limit headers."""
        limited = self._key(self.paas_user, "wpk_ratetest_key_0123456789", rate_limit=3)
        answers = [self.api("GET", "/api/v1/plans", limited) for _i in range(4)]
        self.assertEqual([a.status_code for a in answers], [200, 200, 200, 429])
        self.assertEqual([a.headers["X-RateLimit-Remaining"] for a in answers[:3]], ["2", "1", "0"])
        self.assertEqual(answers[0].headers["RateLimit-Policy"], '"credential";q=3;w=60')
        self.assertTrue(answers[0].headers["RateLimit"].startswith('"credential";r=2;t='))
        refused = self.assertProblem(answers[3], 429)
        self.assertIn("3 per minute", refused["detail"])
        self.assertGreaterEqual(int(answers[3].headers["Retry-After"]), 1)
        # Another key has its own bucket; problems carry the headers too.
        other = self.api("GET", "/api/v1/nothing", self.operator_key)
        self.assertEqual(other.status_code, 404)
        unknown = self.api("GET", "/api/v1/plans", "wpk_nobodyxx_0000000000")
        self.assertEqual(unknown.status_code, 401)
        self.assertIn("X-RateLimit-Limit", unknown.headers)

    # ------------------------------------------------------------------
    # OpenAPI
    # ------------------------------------------------------------------
    def test_openapi_document_matches_the_routes(self):
        """The OpenAPI 3.1 document lists every served route with its schemas,
        and answers validate against them."""
        doc = self.api("GET", "/api/v1/openapi.json").json()
        self.assertEqual(doc["openapi"], "3.1.0")
        for path, method in (("/api/v1/tenants", "get"), ("/api/v1/tenants", "post"),
                             ("/api/v1/tenants/{tenant_id}/suspend", "post"),
                             ("/api/v1/subscriptions/{sub_id}/change-plan", "post"),
                             ("/api/v1/events/{event_id}", "get"), ("/api/v1/plans", "get"),
                             ("/api/health", "get")):  # fmt: skip
            self.assertIn(method, doc["paths"].get(path, {}), path)
        post = doc["paths"]["/api/v1/tenants"]["post"]
        self.assertEqual(post["requestBody"]["content"]["application/json"]["schema"],
                         {"$ref": "#/components/schemas/TenantCreate"})  # fmt: skip
        self.assertIn("Idempotency-Key", [p["name"] for p in post["parameters"]])
        schema = doc["components"]["schemas"]["Tenant"]
        tenant = self.api("GET", f"/api/v1/tenants/{self.tenant_a.id}", self.key_a).json()
        self.assertEqual(set(tenant), set(schema["properties"]))
        self.assertLessEqual(set(schema["required"]), set(tenant))
        docs = self.api("GET", "/api/v1/docs")
        self.assertEqual(docs.status_code, 200)
        self.assertIn("/api/v1/tenants/{tenant_id}/suspend", docs.text)


@tagged("post_install", "-at_install")
class TestOpenApiModules(WoowPaasApiCase):
    def test_routes_of_addons_not_installed_are_not_documented(self):
        """A route belongs to the addon that declares it: the document and
        the 405 answers ignore routes of addons the database lacks."""
        from odoo.addons.woow_paas_api.tools import framework

        ghost = {**next(r for r in framework.ROUTES if r["path"] == "/api/v1/plans"),
                 "path": "/api/v1/ghosts", "module": "woow_paas_not_installed"}  # fmt: skip
        framework.ROUTES.append(ghost)
        try:
            doc = self.api("GET", "/api/v1/openapi.json").json()
            self.assertNotIn("/api/v1/ghosts", doc["paths"])
            self.assertIn("/api/v1/plans", doc["paths"])
            self.assertProblem(self.api("GET", "/api/v1/ghosts", self.operator_key), 404)
        finally:
            framework.ROUTES.remove(ghost)
