"""Attacks on the API: each test is a hole that was open, refused now."""

import json
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WoowPaasApiCase

REDIRECT = "http://127.0.0.1:9/callback"


@tagged("post_install", "-at_install")
class TestTenantSelfService(WoowPaasApiCase):
    """A customer's credential suspends and resumes under the same rules as
    the portal: never lifting a suspension the platform made."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_monthly.portal_self_suspend = True
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_a.action_activate()
        cls.tenant_a = cls._tenant("sec-tenant-a", cls.sub_a)
        cls.tenant_a.action_provision()

    def _act(self, action, key=None, body=None):
        return self.api(
            "POST", f"/api/v1/tenants/{self.tenant_a.id}/{action}", key or self.key_a, body or {}
        )

    def test_customer_cannot_lift_operator_suspension(self):
        """An operator's suspension is refused to the customer's resume (403):
        the tenant stays suspended and nothing is emitted."""
        self.tenant_a.action_suspend(reason="Abuse")
        problem = self.assertProblem(self._act("resume"), 403)
        self.assertIn("suspended by the platform", problem["detail"])
        self.assertEqual(self.tenant_a.state, "suspended")
        self.assertEqual(self.tenant_a.state_message, "Abuse")
        self.assertFalse(self._events(self.tenant_a, "tenant.reactivated"))

    def test_customer_cannot_lift_subscription_suspension(self):
        """A tenant suspended with its subscription (dunning, an operator) is
        not the customer's to resume."""
        self.sub_a.action_suspend()
        self.assertEqual(self.tenant_a.state, "suspended")
        self.assertProblem(self._act("resume"), 403)
        self.assertEqual(self.tenant_a.state, "suspended")
        self.assertFalse(self._events(self.tenant_a, "tenant.reactivated"))

    def test_operator_cycle_clears_the_customer_mark(self):
        """A customer's suspension, lifted by the operator and followed by the
        operator's own: the customer may not resume that one."""
        self.assertEqual(self._act("suspend").status_code, 200)
        self.assertTrue(self.tenant_a.paas_customer_suspended)
        self.tenant_a.action_activate()
        self.assertFalse(self.tenant_a.paas_customer_suspended)
        self.tenant_a.action_suspend(reason="Abuse")
        self.assertProblem(self._act("resume"), 403)
        self.assertEqual(self.tenant_a.state, "suspended")

    def test_self_suspend_follows_the_plan(self):
        """Where the plan does not allow self-suspension, the customer's
        suspend is refused (403); an operator's credential still suspends."""
        self.plan_monthly.portal_self_suspend = False
        problem = self.assertProblem(self._act("suspend"), 403)
        self.assertIn("does not let customers suspend", problem["detail"])
        self.assertEqual(self.tenant_a.state, "active")
        self.assertFalse(self._events(self.tenant_a, "tenant.suspended"))
        answer = self._act("suspend", self.operator_key, {"reason": "Maintenance"})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(self.tenant_a.state, "suspended")

    def test_customer_suspends_and_resumes_its_own(self):
        """The customer resumes what it suspended; the state refuses (409)
        a resume of an active tenant and a second suspension."""
        self.assertProblem(self._act("resume"), 409)
        answer = self._act("suspend", body={"reason": "Holidays"})
        self.assertEqual(answer.json()["state"], "suspended")
        self.assertProblem(self._act("suspend"), 409)
        event = self._events(self.tenant_a, "tenant.suspended")
        self.assertTrue(event.payload["by_customer"])
        answer = self._act("resume")
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(self.tenant_a.state, "active")
        self.assertFalse(self.tenant_a.paas_customer_suspended)


@tagged("post_install", "-at_install")
class TestOauthScopes(WoowPaasApiCase):
    """Tokens never carry more than the client is registered for; public
    clients revoke their tokens; introspection answers about one's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Client = cls.env["woow.paas.oauth.client"]
        cls.server_client = Client.create(
            {"name": "Back end", "user_id": cls.paas_user.id,
             "scopes": "plans:read tenants:read"}
        )  # fmt: skip
        cls.server_secret = cls.server_client.action_generate_secret()["context"]["default_key"]
        cls.other_client = Client.create(
            {"name": "Other back end", "user_id": cls.paas_user.id, "scopes": "plans:read"}
        )
        cls.other_secret = cls.other_client.action_generate_secret()["context"]["default_key"]
        cls.resource_server = Client.create(
            {"name": "Resource server", "user_id": cls.paas_manager.id, "scopes": "plans:read"}
        )
        cls.resource_secret = cls.resource_server.action_generate_secret()["context"]["default_key"]
        cls.app = Client.create(
            {"name": "Customer app", "client_type": "public", "user_id": cls.portal_a.id,
             "scopes": "tenants:read subscriptions:read", "redirect_uris": REDIRECT}
        )  # fmt: skip

    def _post(self, path, data, auth=None):
        return self.opener.post(self.base_url() + path, data=data, auth=auth, timeout=30)

    def _client_token(self, scope=None):
        data = {"grant_type": "client_credentials"}
        if scope is not None:
            data["scope"] = scope
        return self._post(
            "/oauth2/token", data, auth=(self.server_client.client_id, self.server_secret)
        )

    def test_client_credentials_within_registered_scopes(self):
        """Scopes the client is not registered for are dropped; none of its
        own is invalid_scope; none asked gets the client's own."""
        answer = self._client_token("tenants:read tenants:write webhooks:manage")
        self.assertEqual(answer.status_code, 200, answer.text)
        token = answer.json()
        self.assertEqual(token["scope"], "tenants:read")
        record = self.env["woow.paas.oauth.token"].search(
            [("client_id", "=", self.server_client.id)]
        )
        self.assertEqual(record.scope, "tenants:read")
        refused = self.api("POST", "/api/v1/tenants", token["access_token"],
                           {"code": "by-token", "name": "X", "subscription_id": 1})  # fmt: skip
        self.assertProblem(refused, 403)
        with mute_logger("odoo.http"):
            answer = self._client_token("webhooks:manage")
        self.assertEqual(answer.status_code, 400, answer.text)
        self.assertEqual(answer.json()["error"], "invalid_scope")
        answer = self._client_token()
        self.assertEqual(answer.json()["scope"], "plans:read tenants:read")
        self.assertEqual(self.api("GET", "/api/v1/plans", answer.json()["access_token"])
                         .status_code, 200)  # fmt: skip

    def _authorize(self, scope):
        """Customer A consents for the public app; the code and verifier."""
        verifier = generate_token(48)
        params = {
            "response_type": "code", "client_id": self.app.client_id, "redirect_uri": REDIRECT,
            "scope": scope, "state": "xyz", "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }  # fmt: skip
        self.authenticate("test_portal_a", "test_portal_a")
        page = self.url_open("/oauth2/authorize?" + urlencode(params))
        self.assertEqual(page.status_code, 200, page.text[:500])
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        answer = self.url_open(
            "/oauth2/authorize?" + urlencode(params),
            data={"csrf_token": csrf, "decision": "allow"}, allow_redirects=False,
        )  # fmt: skip
        self.assertEqual(answer.status_code, 302, answer.text[:300])
        query = parse_qs(urlparse(answer.headers["Location"]).query)
        return query["code"][0], verifier, page

    def _exchange(self, code, verifier):
        return self._post(
            "/oauth2/token",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
             "client_id": self.app.client_id, "code_verifier": verifier},
        )  # fmt: skip

    def test_authorization_code_within_registered_scopes(self):
        """The consent page and the token show only the client's scopes."""
        code, verifier, page = self._authorize("tenants:read billing:read")
        self.assertIn("tenants:read", page.text)
        self.assertNotIn("Read invoices", page.text)
        token = self._exchange(code, verifier).json()
        self.assertEqual(token["scope"], "tenants:read")
        self.assertProblem(self.api("GET", "/api/v1/invoices", token["access_token"]), 403)

    def test_public_client_revokes_its_token(self):
        """A public client revokes its own token with its client_id (RFC 7009)."""
        code, verifier, _page = self._authorize("tenants:read")
        token = self._exchange(code, verifier).json()
        self.assertEqual(self.api("GET", "/api/v1/tenants", token["access_token"]).status_code,
                         200)  # fmt: skip
        answer = self._post(
            "/oauth2/revoke", {"token": token["access_token"], "client_id": self.app.client_id}
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(self.api("GET", "/api/v1/tenants", token["access_token"]).status_code,
                         401)  # fmt: skip

    def test_introspection_of_other_clients_tokens(self):
        """Another client hears {"active": false}; the owner and a resource
        server (a PaaS Manager's client) see the token."""
        token = self._client_token("tenants:read").json()["access_token"]
        answer = self._post("/oauth2/introspect", {"token": token},
                            auth=(self.other_client.client_id, self.other_secret))  # fmt: skip
        self.assertEqual(answer.json(), {"active": False})
        for client, secret in ((self.server_client, self.server_secret),
                               (self.resource_server, self.resource_secret)):  # fmt: skip
            answer = self._post("/oauth2/introspect", {"token": token},
                                auth=(client.client_id, secret))  # fmt: skip
            self.assertEqual(answer.json()["active"], True, client.name)
            self.assertEqual(answer.json()["scope"], "tenants:read")


@tagged("post_install", "-at_install")
class TestGraphqlNestedScopes(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_a.action_activate()
        cls._tenant("sec-gql-a", cls.sub_a).action_provision()
        cls.tenants_only = cls._key(cls.portal_a, "wpk_gqlscope_secret_012345",
                                    scopes="tenants:read")  # fmt: skip

    def _query(self, query):
        return self.api("POST", "/api/graphql", self.tenants_only, {"query": query})

    def test_nested_objects_need_their_scope(self):
        """tenants:read alone reads tenants, not their subscription nor plan."""
        answer = self._query("{ tenants { code } }")
        self.assertEqual(answer.status_code, 200, answer.text)
        for query in ("{ tenants { subscription { price } } }", "{ tenants { plan { price } } }"):
            with self.subTest(query=query):
                problem = self.assertProblem(self._query(query), 403)
                self.assertIn("lacks the scope", problem["detail"])


@tagged("post_install", "-at_install")
class TestBadInput(WoowPaasApiCase):
    """Inputs that used to end in a 500: each answers a 4xx problem now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hook_a = cls._key(cls.portal_a, "wpk_badinput_secret_012345",
                              scopes="webhooks:manage")  # fmt: skip
        cls.endpoint = (
            cls.env["woow.paas.webhook.endpoint"]
            .sudo()
            .create({"url": "https://93.184.215.14/hook", "user_id": cls.portal_a.id})
        )

    def test_deeply_nested_body(self):
        """A body nested 5,000 (or 100) levels deep is a 400, not a RecursionError."""
        for depth in (5000, 100):
            with self.subTest(depth=depth):
                raw = '{"name": ' + "[" * depth + "]" * depth + "}"
                problem = self.assertProblem(
                    self.api("POST", "/api/v1/tenants", self.key_a, raw=raw), 400
                )
                self.assertIn("deeper", problem["detail"])
        raw = json.dumps({"query": "{ plans { code } }", "variables": {}})
        self.assertEqual(self.api("POST", "/api/graphql", self.key_a, raw=raw).status_code, 200)

    def test_nul_in_path_query_and_headers(self):
        """NUL characters never reach PostgreSQL: path, query, credential and
        Idempotency-Key are refused with a 4xx."""
        self.assertProblem(self.api("GET", "/api/v1/events/%00", self.key_a), 400)
        self.assertProblem(self.api("GET", "/api/v1/events/a%00b", self.key_a), 400)
        self.assertProblem(self.api("GET", "/api/v1/tenants?state=%00", self.key_a), 400)
        self.assertProblem(self.api("GET", "/api/v1/tenants", "wpk_\x00abcdefghijklmnop"), 401)
        answer = self.api("POST", "/api/v1/subscriptions", self.key_a, {"plan": "test-monthly"},
                          headers={"Idempotency-Key": "a\x00b"})  # fmt: skip
        self.assertProblem(answer, 400)
        self.assertFalse(self.env["woow.paas.subscription"].search(
            [("partner_id", "=", self.customer_a.id)]))  # fmt: skip

    def test_numbers_and_dates_out_of_range(self):
        """Integers beyond bigint, NaN and moments UTC cannot hold are 4xx."""
        for query in ("created_since=0001-01-01T00:00:00%2B14:00",
                      "updated_since=9999-12-31T23:59:59-14:00",
                      "customer_id=99999999999999999999999"):  # fmt: skip
            with self.subTest(query=query):
                self.assertProblem(self.api("GET", f"/api/v1/tenants?{query}", self.key_a), 400)
        for raw in ('{"plan": "test-monthly", "customer_id": 1e400}',
                    '{"plan": "test-monthly", "customer_id": NaN}',
                    '{"plan": "test-monthly", "customer_id": 99999999999999999999999}',
                    '{"plan": "test-monthly", "customer_id": 9999999999}'):  # fmt: skip
            with self.subTest(raw=raw):
                self.assertProblem(
                    self.api("POST", "/api/v1/subscriptions", self.operator_key, raw=raw), 422
                )
        self.assertProblem(self.api("GET", "/api/v1/tenants/99999999999999999999999",
                                    self.key_a), 404)  # fmt: skip

    def test_webhook_inputs(self):
        """An invalid IPv6 literal in a webhook URL is a 422; a redelivery
        since a moment UTC cannot hold is a 422."""
        problem = self.assertProblem(
            self.api("POST", "/api/v1/webhooks/endpoints", self.hook_a, {"url": "http://[zz::1]/"}),
            422,
        )
        self.assertIn("not valid", problem["detail"])
        url = f"/api/v1/webhooks/endpoints/{self.endpoint.id}/redeliver"
        for since in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-14:00"):
            with self.subTest(since=since):
                self.assertProblem(self.api("POST", url, self.hook_a, {"since": since}), 422)
        answer = self.api("POST", url, self.hook_a, {"since": "2020-01-01T00:00:00+02:00"})
        self.assertEqual(answer.status_code, 202, answer.text)
