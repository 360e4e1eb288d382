"""The authorization matrix of the API layer: API keys, OAuth clients and
webhook endpoints a PaaS User owns (see
:mod:`odoo.addons.woow_paas_core.tests.authorization_matrix`)."""

from odoo.tests import tagged

# The module, not the class: pytest would collect the class here too.
from odoo.addons.woow_paas_core.tests import authorization_matrix

# Values that pass a field's own validation, so that what the test meets is
# the protection: every scope there is, a well-formed header, a real URI.
ATTACK_VALUES = {
    "scopes": (
        "plans:read subscriptions:read subscriptions:write tenants:read tenants:write "
        "events:read usage:write billing:read webhooks:manage"
    ),
    "custom_headers": '{"X-Matrix": "1"}',
    "redirect_uris": "https://app.example.com/callback",
    "url": "https://93.184.215.15/other",
    "event_types": "tenant.*",
}


@tagged("post_install", "-at_install")
class TestApiAuthorizationMatrix(authorization_matrix.AuthorizationMatrixCase):
    """Every field a PaaS User or a portal user can write is one we chose."""

    matrix_module = "woow_paas_api"
    attack_values = ATTACK_VALUES
    intended = {
        # Scopes are writable within the owner's rights only (the attack value,
        # every scope, exceeds a PaaS User's); binding a key to a tenant narrows it.
        "woow.paas.api.key": {
            "paas_user": {"name", "expires_at", "rate_limit", "paas_tenant_id"},
        },
        "woow.paas.oauth.client": {
            "paas_user": {
                "name",
                "redirect_uris",
                "access_token_lifetime",
                "refresh_token_lifetime",
                "active",
            },
        },
        "woow.paas.webhook.endpoint": {
            "paas_user": {
                "url",
                "description",
                "event_types",
                "enabled",
                "ordered",
                "custom_headers",
            },
        },
    }

    @classmethod
    def _matrix_targets(cls):
        env = cls.env
        return {
            **super()._matrix_targets(),
            "woow.paas.api.key": env["woow.paas.api.key"].create(
                {"name": "Matrix key", "user_id": cls.paas_user.id, "scopes": "tenants:read"}
            ),
            "woow.paas.oauth.client": env["woow.paas.oauth.client"].create(
                {"name": "Matrix client", "user_id": cls.paas_user.id, "scopes": "tenants:read"}
            ),
            "woow.paas.webhook.endpoint": env["woow.paas.webhook.endpoint"].create(
                {"url": "https://93.184.215.14/matrix", "user_id": cls.paas_user.id}
            ),
        }
