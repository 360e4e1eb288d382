from odoo import fields, models


class WoowPaasOauthCode(models.Model):
    """An authorization code: single use, short-lived, bound to its client,
    redirect URI and PKCE challenge; stored hashed."""

    _name = "woow.paas.oauth.code"
    _description = "PaaS OAuth2 Authorization Code"
    _log_access = False

    code_hash = fields.Char(required=True, index=True)
    client_id = fields.Many2one("woow.paas.oauth.client", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    redirect_uri = fields.Char()
    scope = fields.Char()
    code_challenge = fields.Char()
    code_challenge_method = fields.Char()
    expires_at = fields.Datetime(required=True)
    used = fields.Boolean()
    family = fields.Char(help="Tokens issued from this code: revoked if the code is replayed.")
