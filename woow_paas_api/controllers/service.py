"""Service routes: health and version, without credentials."""

from odoo import http

from ..tools.framework import api_route
from . import schemas as S


class WoowPaasApiService(http.Controller):
    @api_route("/api/health", "GET", summary="Health check", auth=False, response=S.Health,
               tags=("service",))  # fmt: skip
    def health(call):
        """For load balancers and uptime monitors: answers without credentials
        and says nothing but that the service and its database answer."""
        call.env.cr.execute("SELECT 1")
        return 200, S.Health(status="ok")

    @api_route("/api/version", "GET", summary="API version", auth=False, response=S.Version,
               tags=("service",))  # fmt: skip
    def version(call):
        """The API version and the addon's version."""
        return 200, S.Version(api="v1", version=_addon_version(call.env))


def _addon_version(env):
    module = env["ir.module.module"].sudo().search([("name", "=", "woow_paas_api")], limit=1)
    return module.latest_version or "unknown"
