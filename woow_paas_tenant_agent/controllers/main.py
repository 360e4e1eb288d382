from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from ..models.res_users import SIGNIN_CREDENTIAL


class WoowPaasAgent(http.Controller):
    # It spends the link (a write): read/write, not the read-only cursor
    # Odoo gives auth="none" routes by default (which, with a read replica,
    # fails the first try and logs an error).
    @http.route(
        "/woow_paas_agent/signin", type="http", auth="none", methods=["GET"], readonly=False
    )
    def paas_signin(self, token=None, **kw):
        """The one-time sign-in link the platform gives a new tenant's
        administrator: signs them in without a password (once, before it
        expires), then opens the back office."""
        login = request.env["res.users"].sudo()._paas_agent_signin_login(token)
        if login:
            credential = {"type": SIGNIN_CREDENTIAL, "login": login, "token": token}
            try:
                request.session.authenticate(request.env, credential)
            except AccessDenied:
                login = False
        if not login:
            raise Forbidden(
                request.env._(
                    "This sign-in link is invalid, already used or expired: sign in with your "
                    "email and password, or get a new link with Sign in as administrator on "
                    "your tenant's page."
                )
            )
        return request.redirect("/odoo")
