from odoo import http

from odoo.addons.auth_signup.controllers.main import AuthSignupHome

# Where the portal's confirmation link continues: the tenant step.
PAAS_SIGNUP_PREFIX = "/paas/signup/"


class WoowPaasAuthSignup(AuthSignupHome):
    """The password step of a PaaS sign-up, in the portal's branded layout.

    The confirmation mail carries Odoo's own signup link (``/web/signup``
    with a ``signup`` token), which continues to the tenant step. Odoo
    renders that page in its generic login layout; when the link continues
    a PaaS sign-up, the same answer (same fields, same checks, same errors)
    is rendered with the sign-up's own template instead.
    """

    @http.route()
    def web_auth_signup(self, *args, **kw):
        response = super().web_auth_signup(*args, **kw)
        if getattr(response, "template", None) == "auth_signup.signup" and self._paas_is_signup(
            response.qcontext.get("redirect")
        ):
            response.template = "woow_paas_portal.paas_signup_password"
            response.qcontext["response_template"] = response.template
        return response

    def _paas_is_signup(self, redirect):
        return isinstance(redirect, str) and redirect.startswith(PAAS_SIGNUP_PREFIX)
