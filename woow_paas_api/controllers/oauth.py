"""OAuth2 authorization server on Authlib: /oauth2/authorize, /oauth2/token,
/oauth2/revoke (RFC 7009), /oauth2/introspect (RFC 7662) and the metadata
at /.well-known/oauth-authorization-server (RFC 8414).

Grants: client_credentials (confidential clients), authorization_code with
PKCE S256 (required, ``plain`` refused) and refresh_token with rotation and
reuse detection (a used refresh token presented again revokes its family,
RFC 9700). Authlib drives the protocol; the classes below only bind it to
Odoo records.

Scopes: a token gets the scopes asked that the client is registered for
(all of the client's when none are asked); asking only for others is
refused with ``invalid_scope``. Introspection (RFC 7662) answers a client
about its own tokens; a client owned by a PaaS Manager acts as a resource
server and may introspect any token. Every other token is ``{"active": false}``.
"""

import json
import re
import secrets
import uuid
from datetime import timedelta

from authlib.oauth2 import AuthorizationServer, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import InvalidRequestError, InvalidScopeError, grants
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from werkzeug.wrappers import Response

from odoo import fields, http
from odoo.http import request

from ..models.const import SCOPES
from ..models.woow_paas_oauth_token import REFRESH_PREFIX, TOKEN_PREFIX

CODE_LIFETIME = timedelta(minutes=10)


# ----------------------------------------------------------------------
# Odoo records seen as Authlib's client, code and token
# ----------------------------------------------------------------------
class ClientView:
    def __init__(self, record):
        self.record = record

    def get_client_id(self):
        return self.record.client_id

    def get_default_redirect_uri(self):
        uris = self.record._redirect_uri_list()
        return uris[0] if uris else None

    def get_allowed_scope(self, scope):
        """The scopes asked that the client is registered for; all of the
        client's when none are asked."""
        allowed = self.record.scopes.split()
        if not scope:
            return list_to_scope(allowed)
        return list_to_scope([s for s in dict.fromkeys(scope_to_list(scope)) if s in allowed])

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.record._redirect_uri_list()  # exact match only

    def check_client_secret(self, client_secret):
        return self.record._check_secret(client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        if self.record.client_type == "public":
            # Authlib names the endpoints "token", "revocation", "introspection".
            return method == "none" and endpoint in ("token", Revocation.ENDPOINT_NAME)
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        allowed = {"authorization_code", "refresh_token"}
        if self.record.client_type == "confidential":
            allowed.add("client_credentials")
        return grant_type in allowed


class CodeView:
    def __init__(self, record):
        self.record = record
        self.code_challenge = record.code_challenge
        self.code_challenge_method = record.code_challenge_method

    def get_redirect_uri(self):
        return self.record.redirect_uri

    def get_scope(self):
        return self.record.scope

    def get_code_challenge(self):
        return self.record.code_challenge

    def get_code_challenge_method(self):
        return self.record.code_challenge_method


class TokenView:
    def __init__(self, record):
        self.record = record

    def check_client(self, client):
        return self.record.client_id == client.record

    def get_scope(self):
        return self.record.scope

    def get_expires_in(self):
        return self.record.client_id.access_token_lifetime

    def is_expired(self):
        return self.record.expires_at <= fields.Datetime.now()

    def is_revoked(self):
        return self.record.revoked


# ----------------------------------------------------------------------
# Grants and endpoints
# ----------------------------------------------------------------------
class ScopedRequest(OAuth2Request):
    """Authlib's request, whose ``scope`` becomes the scope granted once the
    grant has checked it against the client's (:class:`ClientScopes`)."""

    granted_scope = None

    @property
    def scope(self):
        if self.granted_scope is not None:
            return self.granted_scope
        return self.data.get("scope")


class ClientScopes:
    """Grant mixin: grant the scopes asked that the client is registered for
    (the client's own when none are asked); refuse with ``invalid_scope``
    when none of those asked is the client's."""

    def validate_requested_scope(self):
        super().validate_requested_scope()  # scopes the server knows
        req = self.request
        granted = req.client.get_allowed_scope(req.scope)
        if not granted:
            raise InvalidScopeError(
                description="None of the scopes asked is registered for this client.",
                state=req.state,
            )
        req.granted_scope = granted


class ClientCredentialsGrant(ClientScopes, grants.ClientCredentialsGrant):
    pass


class S256Only(CodeChallenge):
    """PKCE for every client (RFC 9700), S256 only: ``plain`` is refused."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant):
        if not grant.request.data.get("code_challenge"):
            raise InvalidRequestError('PKCE is required: send "code_challenge" (S256).')
        return super().validate_code_challenge(grant)


class AuthorizationCodeGrant(ClientScopes, grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, req):
        env = self.server.env
        env["woow.paas.oauth.code"].sudo().create(
            {
                "code_hash": env["woow.paas.oauth.client"]._hash(code),
                "client_id": req.client.record.id,
                "user_id": req.user.id,
                "redirect_uri": req.redirect_uri,
                "scope": req.scope,
                "code_challenge": req.data.get("code_challenge"),
                "code_challenge_method": req.data.get("code_challenge_method") or "S256",
                "expires_at": fields.Datetime.now() + CODE_LIFETIME,
                "family": uuid.uuid4().hex,
            }
        )

    def query_authorization_code(self, code, client):
        env = self.server.env
        record = (
            env["woow.paas.oauth.code"]
            .sudo()
            .search([("code_hash", "=", env["woow.paas.oauth.client"]._hash(code))], limit=1)
        )
        if not record or record.client_id != client.record:
            return None
        if record.used:
            # A replayed code: revoke what it already gave (RFC 6749, 4.1.2).
            tokens = env["woow.paas.oauth.token"].sudo().search([("family", "=", record.family)])
            if tokens:
                tokens._revoke_family()
            return None
        if record.expires_at <= fields.Datetime.now():
            return None
        return CodeView(record)

    def delete_authorization_code(self, authorization_code):
        # Kept, marked used: a replay is then recognised and punished.
        authorization_code.record.used = True

    def authenticate_user(self, authorization_code):
        return authorization_code.record.user_id


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = self.server.env["woow.paas.oauth.token"]._find(refresh_token, "refresh")
        if not token:
            return None
        if token.refresh_used:
            token._revoke_family()  # reuse: someone else holds a copy
            return None
        if token.revoked or token.refresh_expires_at <= fields.Datetime.now():
            return None
        return TokenView(token)

    def authenticate_user(self, refresh_token):
        return refresh_token.record.user_id

    def revoke_old_credential(self, refresh_token):
        refresh_token.record.refresh_used = True


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string, token_type_hint):
        return _query_token(self.server.env, token_string)

    def revoke_token(self, token, req):
        # Revoking either token of a pair ends the whole grant (RFC 7009, 2.1).
        token.record._revoke_family()


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string, token_type_hint):
        return _query_token(self.server.env, token_string)

    def check_permission(self, token, client, req):
        """A confidential client introspects its own tokens; one owned by a
        PaaS Manager (a resource server of the platform) any token. Others
        hear ``{"active": false}``, as for an unknown token (RFC 7662, 2.2)."""
        record = client.record
        if record.client_type != "confidential":
            return False
        if token.record.client_id == record:
            return True
        owner = record.user_id
        return not owner.share and owner.has_group("woow_paas_core.group_paas_manager")

    def introspect_token(self, token):
        record = token.record
        return {
            "active": True,
            "client_id": record.client_id.client_id,
            "token_type": "Bearer",
            "scope": record.scope,
            "sub": str(record.user_id.id),
            "username": record.user_id.login,
            "iat": int(record.issued_at.timestamp()),
            "exp": int(record.expires_at.timestamp()),
        }


def _query_token(env, token_string):
    kind = "refresh" if (token_string or "").startswith(REFRESH_PREFIX) else "access"
    token = env["woow.paas.oauth.token"]._find(token_string, kind)
    return TokenView(token) if token else None


class OdooAuthorizationServer(AuthorizationServer):
    """Authlib's server bound to one Odoo request environment."""

    def __init__(self, env):
        super().__init__(scopes_supported=list(SCOPES))
        self.env = env
        self.register_token_generator("default", self._generate_token)
        self.register_grant(ClientCredentialsGrant)
        self.register_grant(AuthorizationCodeGrant, [S256Only(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    def query_client(self, client_id):
        if not (client_id or "").isprintable():  # NUL would reach PostgreSQL: a 500
            return None
        record = (
            self.env["woow.paas.oauth.client"]
            .sudo()
            .search([("client_id", "=", client_id or "")], limit=1)
        )
        return ClientView(record) if record else None

    def _generate_token(self, grant_type, client, user=None, scope=None, expires_in=None,
                        include_refresh_token=True):  # fmt: skip
        # Never more than the client is registered for now (a refresh of a
        # grant made before its scopes were narrowed included).
        allowed = client.record.scopes.split()
        scope = list_to_scope([s for s in scope_to_list(scope or "") if s in allowed])
        token = {
            "token_type": "Bearer",
            "access_token": TOKEN_PREFIX + secrets.token_urlsafe(32),
            "expires_in": client.record.access_token_lifetime,
            "scope": scope or "",
        }
        if include_refresh_token and grant_type != "client_credentials":
            token["refresh_token"] = REFRESH_PREFIX + secrets.token_urlsafe(40)
        return token

    def save_token(self, token, req):
        client = req.client.record
        Client = self.env["woow.paas.oauth.client"]
        if req.refresh_token:
            family = req.refresh_token.record.family
        elif req.authorization_code:
            family = req.authorization_code.record.family
        else:
            family = uuid.uuid4().hex
        now = fields.Datetime.now()
        refresh = token.get("refresh_token")
        self.env["woow.paas.oauth.token"].sudo().create(
            {
                "client_id": client.id,
                "user_id": (req.user or client.user_id).id,
                "scope": token.get("scope") or "",
                "access_hash": Client._hash(token["access_token"]),
                "refresh_hash": Client._hash(refresh) if refresh else False,
                "family": family,
                "expires_at": now + timedelta(seconds=client.access_token_lifetime),
                "refresh_expires_at": (
                    now + timedelta(seconds=client.refresh_token_lifetime) if refresh else False
                ),
            }
        )

    def create_oauth2_request(self, req):
        http_request = request.httprequest
        # Authlib refuses plain http except on "localhost": loopback addresses
        # are the same machine, so local runs and tests work; anything else
        # must come over https (behind a proxy: run Odoo with --proxy-mode).
        url = re.sub(
            r"^http://(127\.0\.0\.1|\[::1\])(?=[:/])", "http://localhost", http_request.url
        )
        return ScopedRequest(
            http_request.method,
            url,
            http_request.form.to_dict(flat=True),
            http_request.headers,
        )

    def handle_response(self, status, body, headers):
        if isinstance(body, dict):
            body = json.dumps(body)
        return Response(body, status=status, headers=headers)

    def send_signal(self, name, *args, **kwargs):
        return None


# ----------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------
class WoowPaasOauth(http.Controller):
    def _server(self):
        return OdooAuthorizationServer(request.env)

    def _rolled_back_on_error(self, response):
        # An OAuth2 error answer must not commit half of a grant.
        if response.status_code >= 400:
            request.env.cr.rollback()
        return response

    # auth="none" routes start read-only: these write (tokens, revocations).
    @http.route("/oauth2/token", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)  # fmt: skip
    def token(self, **_params):
        return self._rolled_back_on_error(self._server().create_token_response())

    @http.route("/oauth2/revoke", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)  # fmt: skip
    def revoke(self, **_params):
        return self._server().create_endpoint_response(Revocation.ENDPOINT_NAME)

    @http.route("/oauth2/introspect", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False)  # fmt: skip
    def introspect(self, **_params):
        return self._server().create_endpoint_response(Introspection.ENDPOINT_NAME)

    @http.route("/.well-known/oauth-authorization-server", type="http", auth="none",
                methods=["GET"], csrf=False, save_session=False)  # fmt: skip
    def metadata(self, **_params):
        base = request.httprequest.host_url.rstrip("/")
        body = {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "token_endpoint": f"{base}/oauth2/token",
            "revocation_endpoint": f"{base}/oauth2/revoke",
            "introspection_endpoint": f"{base}/oauth2/introspect",
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "none"
            ],
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "none"
            ],
            "introspection_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post"
            ],
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": f"{base}/api/v1/docs",
        }  # fmt: skip
        return request.make_json_response(body)

    @http.route("/oauth2/authorize", type="http", auth="user", methods=["GET", "POST"],
                website=False)  # fmt: skip
    def authorize(self, **kwargs):
        """The consent page: the signed-in user allows (or denies) the client."""
        server = self._server()
        user = request.env.user
        if request.httprequest.method == "GET":
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return request.render(
                    "woow_paas_api.oauth_error",
                    {"error": error.error, "description": error.description or ""},
                    status=400,
                )
            client = grant.client.record
            return request.render(
                "woow_paas_api.oauth_consent",
                {
                    "client": client,
                    "scopes": [(s, SCOPES.get(s, s)) for s in scope_to_list(grant.request.scope)
                               or client.scopes.split()],
                    "params": request.httprequest.args.to_dict(flat=True),
                    "user": user,
                },
            )  # fmt: skip
        grant_user = user if kwargs.get("decision") == "allow" else None
        # The consent form posts back the query of the GET: Authlib reads it there.
        return server.create_authorization_response(grant_user=grant_user)
