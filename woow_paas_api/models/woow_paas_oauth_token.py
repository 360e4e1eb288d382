import secrets
import uuid
from datetime import timedelta

from odoo import api, fields, models

TOKEN_PREFIX = "wat_"
REFRESH_PREFIX = "wrt_"


class WoowPaasOauthToken(models.Model):
    """An access token and its refresh token, stored hashed.

    Refresh tokens rotate: each use issues a new pair and marks the old one
    used. Tokens issued from one authorization share a ``family``; a used
    refresh token presented again (a stolen copy) revokes the whole family
    (RFC 9700, refresh token reuse detection).
    """

    _name = "woow.paas.oauth.token"
    _description = "PaaS OAuth2 Token"
    _order = "id desc"

    client_id = fields.Many2one("woow.paas.oauth.client", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    scope = fields.Char()
    access_hash = fields.Char(required=True, index=True)
    refresh_hash = fields.Char(index="btree_not_null")
    family = fields.Char(required=True, index=True)
    issued_at = fields.Datetime(required=True, default=fields.Datetime.now)
    expires_at = fields.Datetime(required=True)
    refresh_expires_at = fields.Datetime()
    refresh_used = fields.Boolean()
    revoked = fields.Boolean(index=True)

    @api.model
    def _issue(self, client, user, scope, with_refresh, family=None):
        """Create a token pair; return the clear values (shown only once)."""
        access = TOKEN_PREFIX + secrets.token_urlsafe(32)
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(40) if with_refresh else None
        now = fields.Datetime.now()
        Client = self.env["woow.paas.oauth.client"]
        self.sudo().create(
            {
                "client_id": client.id,
                "user_id": user.id,
                "scope": scope,
                "access_hash": Client._hash(access),
                "refresh_hash": Client._hash(refresh) if refresh else False,
                "family": family or uuid.uuid4().hex,
                "expires_at": now + timedelta(seconds=client.access_token_lifetime),
                "refresh_expires_at": (
                    now + timedelta(seconds=client.refresh_token_lifetime) if refresh else False
                ),
            }
        )
        return access, refresh

    @api.model
    def _find(self, value, kind="access"):
        field = "access_hash" if kind == "access" else "refresh_hash"
        if not value:
            return self.browse()
        digest = self.env["woow.paas.oauth.client"]._hash(value)
        return self.sudo().search([(field, "=", digest)], limit=1)

    def _is_active(self):
        self.ensure_one()
        return not self.revoked and self.expires_at > fields.Datetime.now()

    def _revoke_family(self):
        """Revoke every token of these tokens' families, durably: the request
        that detected a reuse answers an error and its transaction is rolled
        back, so the revocation is written again after that rollback."""
        families = tuple(set(self.mapped("family")))
        self.sudo().search([("family", "in", families)]).write({"revoked": True})
        registry = self.env.registry

        def revoke_again():
            with registry.cursor() as cr:
                cr.execute(
                    "UPDATE woow_paas_oauth_token SET revoked = TRUE WHERE family IN %s",
                    (families,),
                )

        self.env.cr.postrollback.add(revoke_again)

    @api.autovacuum
    def _gc_expired(self):
        limit = fields.Datetime.now() - timedelta(days=7)
        self.search(
            [("expires_at", "<", limit), "|", ("refresh_expires_at", "=", False),
             ("refresh_expires_at", "<", limit)]
        ).unlink()  # fmt: skip
