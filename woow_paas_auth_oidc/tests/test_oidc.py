"""Sign-in with an OpenID Connect provider that the test runs (Authlib's
authorization server over real HTTP): the authorization code flow with PKCE,
users linked by verified email or created when allowed, every refusal."""

from urllib.parse import parse_qs, urlsplit

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .oidc_provider import OidcProvider


@tagged("post_install", "-at_install")
class TestOidcSignIn(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider_server = OidcProvider(
            redirect_uri=cls.base_url() + "/auth/oidc/callback"
        ).start()
        cls.addClassCleanup(cls.provider_server.stop)
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.provider = cls.env["woow.paas.oidc.provider"].create({
            "name": "Test IdP", "issuer": cls.provider_server.issuer, "client_id": "odoo",
            "client_secret": "s3cret",
        })  # fmt: skip
        cls.employee = new_test_user(cls.env, login="oidc_employee", email="Emma@Example.com",
                                     groups="base.group_user")  # fmt: skip

    def _sign_in(self, **person):
        """Run the flow as ``person``; return the last answer (Odoo's final
        redirect or refusal) and the authorization request's parameters."""
        self.provider_server.person = {"sub": "sub-1", "email_verified": True, **person}
        start = self.url_open(f"/auth/oidc/{self.provider.id}/login", allow_redirects=False)
        self.assertEqual(start.status_code, 303, start.text[:300])
        authorize = start.headers["Location"]
        self.assertTrue(authorize.startswith(self.provider_server.issuer + "/authorize?"))
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
        at_idp = self.opener.get(authorize, allow_redirects=False, timeout=30)
        self.assertEqual(at_idp.status_code, 302, at_idp.text[:300])
        callback = at_idp.headers["Location"]
        self.assertTrue(callback.startswith(self.base_url() + "/auth/oidc/callback?"), callback)
        answer = self.url_open(callback, allow_redirects=False)
        return answer, params, callback

    def _session_uid(self):
        try:
            return self.make_jsonrpc_request("/web/session/get_session_info").get("uid")
        except JsonRpcException:  # not signed in
            return None

    def assertRefused(self, answer, reason):
        self.assertEqual(answer.status_code, 303)
        location = urlsplit(answer.headers["Location"])
        self.assertEqual((location.path, location.query), ("/web/login", f"oidc_error={reason}"))
        self.assertFalse(self._session_uid())

    def test_existing_user_by_verified_email_with_pkce(self):
        """A verified email links the existing user (case aside) and signs
        it in to the back office, through the code flow with PKCE S256."""
        answer, params, _callback = self._sign_in(email="emma@example.com", name="Emma")
        self.assertEqual(answer.status_code, 303, answer.text[:300])
        self.assertEqual(urlsplit(answer.headers["Location"]).path, "/odoo")
        self.assertEqual(self._session_uid(), self.employee.id)
        self.assertEqual(params["response_type"], "code")  # not the implicit flow
        self.assertEqual(params["code_challenge_method"], "S256")
        self.assertTrue(params["state"] and params["nonce"] and params["code_challenge"])
        token_request = self.provider_server.token_requests[-1]
        self.assertEqual(token_request["grant_type"], "authorization_code")
        self.assertGreaterEqual(len(token_request["code_verifier"]), 43)
        self.assertEqual(self.employee.sudo().paas_oidc_subject, "sub-1")
        # Linked by subject: a later sign-in works even with another email.
        self.url_open("/web/session/logout", allow_redirects=False)
        answer, _params, _callback = self._sign_in(email="emma.new@example.com")
        self.assertEqual(urlsplit(answer.headers["Location"]).path, "/odoo")
        self.assertEqual(self._session_uid(), self.employee.id)

    def test_unverified_email_refused(self):
        """An email the provider did not verify links nobody."""
        answer, _params, _callback = self._sign_in(email="emma@example.com",
                                                   email_verified=False)  # fmt: skip
        self.assertRefused(answer, "unverified")
        self.assertFalse(self.employee.sudo().paas_oidc_subject)
        login_page = self.url_open("/web/login?oidc_error=unverified")
        self.assertIn("not verified by the provider", login_page.text)

    def test_signup_refused_unless_allowed(self):
        """An unknown email is refused; once the operator allows sign-up it
        gets a portal user (and no back-office access)."""
        answer, _params, _callback = self._sign_in(email="new@example.com", name="Nora New")
        self.assertRefused(answer, "signup")
        Users = self.env["res.users"].with_context(active_test=False)
        self.assertFalse(Users.search([("login", "=", "new@example.com")]))
        self.provider.allow_signup = True
        answer, _params, _callback = self._sign_in(email="new@example.com", name="Nora New")
        user = Users.search([("login", "=", "new@example.com")])
        self.assertEqual(user.name, "Nora New")
        self.assertTrue(user.share)
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertEqual(self._session_uid(), user.id)
        self.assertNotEqual(urlsplit(answer.headers["Location"]).path, "/odoo")

    def test_replayed_callback_and_bad_signature_refused(self):
        """A callback's state serves once; an ID token whose signature the
        published keys do not verify is refused; a rotated key (new kid) is
        fetched again and accepted."""
        _answer, _params, callback = self._sign_in(email="emma@example.com")
        self.assertEqual(self._session_uid(), self.employee.id)
        self.url_open("/web/session/logout", allow_redirects=False)
        self.assertRefused(self.url_open(callback, allow_redirects=False), "state")
        # Signed with other key material under the published kid: forged.
        self.provider_server.published_key = self.provider_server.signing_key
        self.provider_server.signing_key = self.provider_server.new_key("k1")
        answer, _params, _callback = self._sign_in(email="emma@example.com")
        self.assertRefused(answer, "token")
        # Key rotation: Odoo holds the old key set, the kid is new.
        self.provider_server.published_key = None
        self.provider_server.signing_key = self.provider_server.new_key()
        answer, _params, _callback = self._sign_in(email="emma@example.com")
        self.assertEqual(urlsplit(answer.headers["Location"]).path, "/odoo")
        self.assertEqual(self._session_uid(), self.employee.id)

    def test_login_page_lists_providers(self):
        """The login page offers the provider's button."""
        page = self.url_open("/web/login")
        self.assertIn(f"/auth/oidc/{self.provider.id}/login", page.text)
        self.assertIn("Sign in with Test IdP", page.text)
