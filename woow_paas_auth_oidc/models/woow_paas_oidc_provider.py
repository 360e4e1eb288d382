import logging
import time

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError

from odoo import api, fields, models, tools
from odoo.exceptions import AccessDenied, UserError

_logger = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/oidc/callback"
# Discovery documents and key sets are kept this long in the registry's
# cache (per process); an unknown key id fetches the key set again at once
# (key rotation).
CACHE_SECONDS = 3600
TIMEOUT = 10
# Asymmetric signatures only: never "none", never a secret shared with the client.
JWT = JsonWebToken(["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"])


class OidcError(AccessDenied):
    """A sign-in refused for ``reason`` (shown on the login page)."""

    def __init__(self, reason, detail=""):
        super().__init__(detail or reason)
        self.reason = reason


class WoowPaasOidcProvider(models.Model):
    """An external OpenID Connect provider users may sign in with.

    The flow is the authorization code flow with PKCE (S256), a ``state``
    and a ``nonce``, through Authlib's client; the ID token's signature is
    checked against the provider's published keys (JWKS), with its issuer,
    audience, expiry and nonce. A user is found by the provider's subject
    once linked, else by a verified email (then linked); a new email gets a
    portal user only when :attr:`allow_signup` is set.
    """

    _name = "woow.paas.oidc.provider"
    _description = "OpenID Connect Provider"
    _order = "sequence, id"

    name = fields.Char(required=True, help="Shown on the sign-in button: Sign in with <name>.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    issuer = fields.Char(
        required=True,
        help="The provider's issuer URL; its discovery document is read from "
        "<issuer>/.well-known/openid-configuration.",
    )
    client_id = fields.Char(string="Client ID", required=True)
    client_secret = fields.Char(
        groups="base.group_system",
        help="Leave empty for a public client (PKCE alone).",
    )
    scope = fields.Char(required=True, default="openid email profile")
    allow_signup = fields.Boolean(
        string="Create Portal Users",
        help="Someone signing in with a verified email that matches no user gets a portal "
        "user. Otherwise only existing users may sign in.",
    )
    redirect_uri = fields.Char(
        string="Redirect URI",
        compute="_compute_redirect_uri",
        help="Register this URI with the provider.",
    )

    @api.depends_context("uid")
    def _compute_redirect_uri(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for provider in self:
            provider.redirect_uri = base.rstrip("/") + CALLBACK_PATH

    def write(self, vals):
        if "issuer" in vals:
            # Another provider behind the record: read its documents afresh.
            self.env.registry.clear_cache()
        return super().write(vals)

    # ------------------------------------------------------------------
    # Provider metadata
    # ------------------------------------------------------------------
    def _fetch_json(self, url, refresh=False):
        """The JSON document at ``url``, from the registry's cache when it is
        younger than :data:`CACHE_SECONDS`; ``refresh`` reads it again."""
        if refresh:
            # A provider's keys rotated: what the cache holds is stale.
            self.env.registry.clear_cache()
        return self._fetch_json_cached(url, int(time.time() // CACHE_SECONDS))

    @tools.ormcache("url", "period")
    def _fetch_json_cached(self, url, period):
        # ``period`` only makes the key expire: a new one each CACHE_SECONDS.
        # A failed read raises, so nothing is cached for it.
        try:
            response = requests.get(url, timeout=TIMEOUT)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            _logger.warning("OpenID Connect: cannot read %s: %s", url, exc)
            raise OidcError("provider", f"{url}: {exc}") from exc
        return tools.frozendict(data) if isinstance(data, dict) else data

    def _discovery(self):
        self.ensure_one()
        issuer = self.issuer.rstrip("/")
        doc = self._fetch_json(issuer + "/.well-known/openid-configuration")
        if doc.get("issuer", "").rstrip("/") != issuer:
            raise OidcError("provider", "the discovery document names another issuer")
        return doc

    def _session(self, redirect_uri):
        self.ensure_one()
        return OAuth2Session(
            self.client_id,
            self.sudo().client_secret or None,
            scope=self.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=(
                "client_secret_basic" if self.sudo().client_secret else "none"
            ),
        )

    # ------------------------------------------------------------------
    # The flow
    # ------------------------------------------------------------------
    def _authorization_url(self, redirect_uri, state, nonce, code_verifier):
        """The provider's authorization URL (response_type=code, PKCE S256)."""
        doc = self._discovery()
        url, _state = self._session(redirect_uri).create_authorization_url(
            doc["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier
        )
        return url

    def _exchange(self, redirect_uri, code, code_verifier, nonce):
        """Exchange the code for tokens and return the ID token's verified
        claims (plus the userinfo endpoint's when the token lacks an email)."""
        doc = self._discovery()
        session = self._session(redirect_uri)
        try:
            token = session.fetch_token(
                doc["token_endpoint"], code=code, code_verifier=code_verifier,
                grant_type="authorization_code", timeout=TIMEOUT,
            )  # fmt: skip
        except Exception as exc:  # Authlib raises OAuthError, requests its own
            raise OidcError("token", f"code exchange failed: {exc}") from exc
        if not token.get("id_token"):
            raise OidcError("token", "the provider sent no ID token")
        claims = self._verify_id_token(doc, token["id_token"], nonce)
        if "email" not in claims and doc.get("userinfo_endpoint"):
            try:
                info = session.get(doc["userinfo_endpoint"], timeout=TIMEOUT).json()
            except (requests.RequestException, ValueError) as exc:
                raise OidcError("token", f"userinfo failed: {exc}") from exc
            if info.get("sub") == claims["sub"]:
                claims = {**info, **claims}
        return claims

    def _verify_id_token(self, doc, id_token, nonce):
        options = {
            "iss": {"essential": True, "value": doc["issuer"]},
            "aud": {"essential": True, "value": self.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        }
        for refresh in (False, True):
            keys = JsonWebKey.import_key_set(self._fetch_json(doc["jwks_uri"], refresh=refresh))
            try:
                claims = JWT.decode(id_token, keys, claims_options=options)
                claims.validate(leeway=60)
                return dict(claims)
            except ValueError as exc:  # no key with this "kid": the keys rotated
                if refresh:
                    raise OidcError("token", f"ID token: {exc}") from exc
            except JoseError as exc:
                raise OidcError("token", f"ID token: {exc}") from exc
        raise OidcError("token", "ID token")  # not reached

    def _test_discovery(self):
        """For the form's button: the discovery document, or a UserError."""
        try:
            return self._discovery()
        except OidcError as exc:
            raise UserError(self.env._("Cannot read the provider: %s", exc.args[0])) from exc

    def action_test_connection(self):
        self.ensure_one()
        doc = self._test_discovery()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The provider answers: %s", doc.get("issuer")),
            },
        }
