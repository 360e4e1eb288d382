import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WoowPaasApiCase

REDIRECT = "http://127.0.0.1:9/callback"


@tagged("post_install", "-at_install")
class TestOauthServer(WoowPaasApiCase):
    """Every grant end to end with Authlib's own client over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        (cls._tenant("oauth-a", cls.sub_a) | cls._tenant("oauth-b", cls.sub_b)).action_provision()
        Client = cls.env["woow.paas.oauth.client"]
        cls.server_client = Client.create(
            {"name": "Back end", "user_id": cls.paas_user.id,
             "scopes": "plans:read tenants:read"}
        )  # fmt: skip
        cls.server_secret = cls.server_client.action_generate_secret()["context"]["default_key"]
        cls.app = Client.create(
            {"name": "Customer app", "client_type": "public", "user_id": cls.portal_a.id,
             "scopes": "tenants:read subscriptions:read", "redirect_uris": REDIRECT}
        )  # fmt: skip

    def _session(self, client, secret=None):
        session = OAuth2Session(
            client.client_id, secret, scope=None,
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
        )  # fmt: skip
        return session

    @contextmanager
    def _allowed(self, session):
        """HttpCase's server answers only requests carrying its test cookie."""
        with self.allow_requests():
            session.cookies.update(self.opener.cookies)
            yield session

    def _bearer(self, token, path="/api/v1/tenants"):
        return self.api("GET", path, token)

    def test_metadata(self):
        """RFC 8414 metadata names the endpoints and S256 only."""
        meta = self.api("GET", "/.well-known/oauth-authorization-server").json()
        self.assertTrue(meta["token_endpoint"].endswith("/oauth2/token"))
        self.assertEqual(meta["code_challenge_methods_supported"], ["S256"])
        self.assertIn("client_credentials", meta["grant_types_supported"])

    def test_client_credentials_introspect_revoke(self):
        """A confidential client gets a token acting as its owner, within the
        scopes asked; introspection sees it; revocation ends it."""
        session = self._session(self.server_client, self.server_secret)
        with self._allowed(session):
            token = session.fetch_token(
                self.base_url() + "/oauth2/token", grant_type="client_credentials",
                scope="tenants:read",
            )  # fmt: skip
        self.assertNotIn("refresh_token", token)
        answer = self._bearer(token["access_token"])
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertLessEqual({"oauth-a", "oauth-b"}, {t["code"] for t in answer.json()["data"]})
        self.assertEqual(self._bearer(token["access_token"], "/api/v1/plans").status_code, 403)
        with self._allowed(session):
            info = session.introspect_token(self.base_url() + "/oauth2/introspect",
                                            token=token["access_token"]).json()  # fmt: skip
        self.assertEqual((info["active"], info["scope"], info["username"]),
                         (True, "tenants:read", "test_paas_user"))  # fmt: skip
        with self._allowed(session):
            session.revoke_token(self.base_url() + "/oauth2/revoke", token=token["access_token"])
        self.assertEqual(self._bearer(token["access_token"]).status_code, 401)
        with self._allowed(session):
            info = session.introspect_token(self.base_url() + "/oauth2/introspect",
                                            token=token["access_token"]).json()  # fmt: skip
        self.assertEqual(info, {"active": False})

    @mute_logger("odoo.http")
    def test_wrong_secret_refused(self):
        """A wrong client secret gets invalid_client and no token."""
        session = self._session(self.server_client, "wcs_wrong")
        with self._allowed(session):
            response = session.post(self.base_url() + "/oauth2/token",
                                    data={"grant_type": "client_credentials"},
                                    auth=(self.server_client.client_id, "wcs_wrong"))  # fmt: skip
        self.assertEqual(response.status_code, 401, response.text[:1500])
        self.assertEqual(response.json()["error"], "invalid_client")
        self.assertFalse(self.env["woow.paas.oauth.token"].search([]))

    def _authorize(self, **overrides):
        """Sign in as customer A's portal user and consent; return the
        redirect's query and the verifier."""
        verifier = generate_token(48)
        params = {
            "response_type": "code", "client_id": self.app.client_id, "redirect_uri": REDIRECT,
            "scope": "tenants:read", "state": "xyz",
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256", **overrides,
        }  # fmt: skip
        self.authenticate("test_portal_a", "test_portal_a")
        page = self.url_open("/oauth2/authorize?" + urlencode(params))
        if page.status_code != 200:
            return page, None
        self.assertIn("Customer app", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.url_open(
            "/oauth2/authorize?" + urlencode(params),
            data={"csrf_token": csrf, "decision": "allow"}, allow_redirects=False,
        )  # fmt: skip
        self.assertEqual(answer.status_code, 302, answer.text[:300])
        location = answer.headers["Location"]
        self.assertTrue(location.startswith(REDIRECT))
        return parse_qs(urlparse(location).query), verifier

    def _exchange(self, code, verifier):
        return self.opener.post(
            self.base_url() + "/oauth2/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                  "client_id": self.app.client_id, "code_verifier": verifier},
            timeout=30,
        )  # fmt: skip

    def test_authorization_code_pkce_and_refresh_rotation(self):
        """A public client gets tokens for the consenting customer (its records
        only); refresh rotates; a reused refresh token revokes the family; a
        replayed code is refused."""
        query, verifier = self._authorize()
        self.assertEqual(query["state"], ["xyz"])
        code = query["code"][0]
        self.assertEqual(self._exchange(code, "wrong-verifier-" + "x" * 40).status_code, 400)
        query, verifier = self._authorize()
        code = query["code"][0]
        first = self._exchange(code, verifier)
        self.assertEqual(first.status_code, 200, first.text)
        token = first.json()
        codes = {t["code"] for t in self._bearer(token["access_token"]).json()["data"]}
        self.assertEqual(codes, {"oauth-a"})
        replay = self._exchange(code, verifier)
        self.assertEqual(replay.json()["error"], "invalid_grant")
        self.assertEqual(self._bearer(token["access_token"]).status_code, 401, "replay revokes")
        # A fresh grant, then refresh rotation and reuse detection.
        query, verifier = self._authorize()
        token = self._exchange(query["code"][0], verifier).json()
        refresh = lambda value: self.opener.post(
            self.base_url() + "/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": value,
                  "client_id": self.app.client_id}, timeout=30,
        )  # fmt: skip
        rotated = refresh(token["refresh_token"])
        self.assertEqual(rotated.status_code, 200, rotated.text)
        new = rotated.json()
        self.assertNotEqual(new["refresh_token"], token["refresh_token"])
        self.assertEqual(self._bearer(new["access_token"]).status_code, 200)
        reused = refresh(token["refresh_token"])
        self.assertEqual(reused.json()["error"], "invalid_grant")
        self.assertEqual(self._bearer(new["access_token"]).status_code, 401, "family revoked")
        self.assertEqual(refresh(new["refresh_token"]).json()["error"], "invalid_grant")

    @mute_logger("odoo.http")
    def test_authorization_requests_refused(self):
        """plain PKCE, a missing challenge, and a redirect URI that does not
        match exactly are refused on the consent page, without a redirect."""
        for overrides in ({"code_challenge_method": "plain", "code_challenge": "x" * 43},
                          {"code_challenge": "", "code_challenge_method": ""},
                          {"redirect_uri": REDIRECT + "/evil"}):  # fmt: skip
            with self.subTest(overrides=overrides):
                page, _verifier = self._authorize(**overrides)
                self.assertEqual(page.status_code, 400)
                self.assertIn("cannot be accepted", page.text)
        self.assertFalse(self.env["woow.paas.oauth.code"].search([]))
