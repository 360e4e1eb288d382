"""A small OpenID Connect provider for the tests, on Authlib's authorization
server: discovery, JWKS, an authorization endpoint that signs the configured
person in at once, a token endpoint issuing RS256-signed ID tokens, and
userinfo. PKCE (S256) is required; runs in a thread on 127.0.0.1."""

import json
import secrets
import threading
import time

from authlib.jose import JsonWebKey
from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class Client(ClientMixin):
    def __init__(self, client_id, secret, redirect_uri):
        self.client_id, self.secret, self.redirect_uri = client_id, secret, redirect_uri

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_basic"

    def check_response_type(self, response_type):
        return response_type == "code"  # no implicit flow

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code(AuthorizationCodeMixin):
    def __init__(self, **values):
        self.__dict__.update(values)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def get_code_challenge(self):
        return self.code_challenge

    def get_code_challenge_method(self):
        return self.code_challenge_method


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code, request):
        self.server.provider.codes[code] = Code(
            code=code, client_id=request.client.get_client_id(),
            redirect_uri=request.redirect_uri, scope=request.scope, user=request.user,
            nonce=request.data.get("nonce"), auth_time=int(time.time()),
            code_challenge=request.data.get("code_challenge"),
            code_challenge_method=request.data.get("code_challenge_method"),
        )  # fmt: skip

    def query_authorization_code(self, code, client):
        found = self.server.provider.codes.get(code)
        return found if found and found.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code):
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class OpenID(OpenIDCode):
    def __init__(self, provider):
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce, request):
        return any(c.nonce == nonce for c in self.provider.codes.values())

    def get_jwt_config(self, grant):
        return {"key": self.provider.signing_key.as_dict(is_private=True), "alg": "RS256",
                "iss": self.provider.issuer, "exp": 300}  # fmt: skip

    def generate_user_info(self, user, scope):
        return UserInfo(**user)


class Server(AuthorizationServer):
    def __init__(self, provider):
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.provider = provider
        self.register_token_generator("default", BearerTokenGenerator(
            lambda *_a, **_k: secrets.token_urlsafe(24)))  # fmt: skip
        self.register_grant(CodeGrant, [CodeChallenge(required=True), OpenID(provider)])

    def query_client(self, client_id):
        client = self.provider.client
        return client if client.client_id == client_id else None

    def save_token(self, token, request):
        self.provider.tokens[token["access_token"]] = request.user

    def create_oauth2_request(self, request):
        return OAuth2Request(
            request.method, request.url, request.form.to_dict(flat=True), request.headers
        )

    def handle_response(self, status, body, headers):
        if isinstance(body, dict):
            body = json.dumps(body)
        return Response(body, status=status, headers=headers)

    def send_signal(self, name, *args, **kwargs):
        return None


class OidcProvider:
    """``person`` is who the authorization endpoint signs in (its claims);
    ``token_requests`` records the token endpoint's form posts."""

    def __init__(self, client_id="odoo", secret="s3cret", redirect_uri=None):
        self.signing_key = self.new_key("k1")
        self.client = Client(client_id, secret, redirect_uri)
        self.codes, self.tokens, self.token_requests, self.authorize_requests = {}, {}, [], []
        self.person = {}
        self.published_key = None  # a key to publish instead of the signing key
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        # Authlib refuses plain http but on "localhost".
        self.issuer = f"http://localhost:{self._server.server_port}"
        self.oauth = Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def new_key(kid=None):
        return JsonWebKey.generate_key("RSA", 2048, is_private=True,
                                       options={"kid": kid or secrets.token_hex(4)})  # fmt: skip

    def _app(self, environ, start_response):
        request = Request(environ)
        path = request.path
        if path == "/.well-known/openid-configuration":
            response = Response(json.dumps({
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
            }), content_type="application/json")  # fmt: skip
        elif path == "/jwks":
            key = self.published_key or self.signing_key
            response = Response(json.dumps({"keys": [key.as_dict()]}),
                                content_type="application/json")  # fmt: skip
        elif path == "/authorize":
            self.authorize_requests.append(request.args.to_dict())
            response = self.oauth.create_authorization_response(request, grant_user=self.person)
        elif path == "/token":
            self.token_requests.append(request.form.to_dict())
            response = self.oauth.create_token_response(request)
        elif path == "/userinfo":
            token = request.headers.get("Authorization", "").partition(" ")[2]
            user = self.tokens.get(token)
            response = Response(json.dumps(user), content_type="application/json",
                                status=200 if user else 401)  # fmt: skip
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)
