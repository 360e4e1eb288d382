"""Attacks on the API: each test is a hole that was open, refused now."""

from urllib.parse import parse_qs, urlencode, urlparse

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WoowPaasApiCase

REDIRECT = "http://127.0.0.1:9/callback"


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
