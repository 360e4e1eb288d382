"""Sign-in with an external OpenID Connect provider: /auth/oidc/<id>/login
starts the authorization code flow with PKCE, /auth/oidc/callback finishes
it; the login page shows a button per provider and the reason of a refusal."""

import logging
import secrets
from urllib.parse import urlencode as url_encode
from urllib.parse import urlsplit

from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.home import Home

from ..models.res_users import CREDENTIAL_TYPE
from ..models.woow_paas_oidc_provider import CALLBACK_PATH, OidcError

_logger = logging.getLogger(__name__)

SESSION_KEY = "woow_paas_oidc_flows"
MAX_FLOWS = 5  # sign-ins started in other tabs stay valid, a few at most


def _redirect_uri():
    return (
        request.env["ir.config_parameter"]
        .sudo()
        .get_param("web.base.url", request.httprequest.host_url)
        .rstrip("/")
        + CALLBACK_PATH
    )


def _local_path(url):
    """Only a path of this site is a redirect target (no open redirect)."""
    parts = urlsplit(url or "")
    if parts.scheme or parts.netloc or not (url or "").startswith("/") or url.startswith("//"):
        return None
    return url


def _refused(reason):
    return request.redirect(f"/web/login?oidc_error={reason}", 303)


class WoowPaasOidc(http.Controller):
    @http.route("/auth/oidc/<int:provider_id>/login", type="http", auth="public",
                methods=["GET"], sitemap=False)  # fmt: skip
    def oidc_login(self, provider_id, redirect=None):
        provider = request.env["woow.paas.oidc.provider"].sudo().browse(provider_id).exists()
        if not provider.active:
            return _refused("provider")
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)  # PKCE code verifier (43 to 128 characters)
        try:
            url = provider._authorization_url(_redirect_uri(), state, nonce, verifier)
        except OidcError:
            return _refused("provider")
        flows = dict(request.session.get(SESSION_KEY) or {})
        flows[state] = {"provider": provider.id, "nonce": nonce, "verifier": verifier,
                        "redirect": _local_path(redirect)}  # fmt: skip
        request.session[SESSION_KEY] = dict(list(flows.items())[-MAX_FLOWS:])
        return request.redirect(url, 303, local=False)

    @http.route(CALLBACK_PATH, type="http", auth="public", methods=["GET"], sitemap=False,
                readonly=False)  # fmt: skip
    def oidc_callback(self, state=None, code=None, error=None, **_kw):
        flows = dict(request.session.get(SESSION_KEY) or {})
        flow = flows.pop(state or "", None)
        request.session[SESSION_KEY] = flows  # a state serves once
        if not flow:
            return _refused("state")
        if error or not code:
            return _refused("denied")
        provider = request.env["woow.paas.oidc.provider"].sudo().browse(flow["provider"]).exists()
        if not provider.active:
            return _refused("provider")
        try:
            claims = provider._exchange(_redirect_uri(), code, flow["verifier"], flow["nonce"])
            login, token = request.env["res.users"].sudo()._paas_oidc_signin(provider, claims)
        except OidcError as exc:
            _logger.info("OpenID Connect sign-in with %s refused: %s", provider.name, exc.args[0])
            request.env.cr.rollback()
            return _refused(exc.reason)
        # A user just created or linked must be visible to authenticate().
        request.env.cr.commit()
        auth_info = request.session.authenticate(
            request.env, {"type": CREDENTIAL_TYPE, "login": login, "token": token}
        )
        uid = auth_info["uid"]
        user = request.env["res.users"].sudo().browse(uid)
        if flow["redirect"]:
            target = flow["redirect"]
        elif user._is_internal():
            target = "/odoo"
        else:
            target = "/my" if "portal" in request.env.registry._init_modules else "/"
        return request.redirect(target, 303)


class WoowPaasOidcHome(Home):
    @http.route()
    def web_login(self, redirect=None, **kw):
        response = super().web_login(redirect=redirect, **kw)
        if getattr(response, "is_qweb", False):
            providers = request.env["woow.paas.oidc.provider"].sudo().search([])
            query = f"?{url_encode({'redirect': redirect})}" if _local_path(redirect) else ""
            response.qcontext["woow_paas_oidc_providers"] = [
                {"auth_link": f"/auth/oidc/{p.id}/login{query}", "css_class": "fa fa-fw fa-sign-in",
                 "body": request.env._("Sign in with %s", p.name)}
                for p in providers
            ]  # fmt: skip
            reason = request.params.get("oidc_error")
            if reason:
                response.qcontext["error"] = OIDC_ERRORS.get(reason, OIDC_ERRORS["token"])()
        return response


OIDC_ERRORS = {
    "provider": lambda: request.env._("The sign-in provider cannot be reached; try again later."),
    "state": lambda: request.env._("This sign-in expired or was already used; start again."),
    "denied": lambda: request.env._("The sign-in was cancelled at the provider."),
    "token": lambda: request.env._("The provider's answer could not be verified."),
    "email": lambda: request.env._("The provider did not share your email address."),
    "unverified": lambda: request.env._(
        "Your email address is not verified by the provider: verify it there, then try again."
    ),
    "ambiguous": lambda: request.env._(
        "Your email address matches several accounts; contact us to sign in."
    ),
    "signup": lambda: request.env._(
        "No account uses this email address, and accounts are not created by sign-in here."
    ),
}
