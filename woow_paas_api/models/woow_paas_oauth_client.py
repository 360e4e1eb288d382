import hmac
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .const import SCOPES


class WoowPaasOauthClient(models.Model):
    """An application registered with the platform's OAuth2 server.

    Confidential clients (a server that keeps a secret) use
    ``client_credentials`` and ``authorization_code``; public clients (a
    browser or mobile app) only ``authorization_code`` with PKCE. Both get
    rotating refresh tokens. A client belongs to a user: tokens it obtains
    with ``client_credentials`` act as that user, tokens from the
    authorization code flow as the user who consented. Customers' clients
    belong to their portal user. Its owner, company and scopes are guarded
    by ``woow.paas.api.owned.mixin``.
    """

    _name = "woow.paas.oauth.client"
    _inherit = ["woow.paas.api.owned.mixin"]
    _description = "PaaS OAuth2 Client"
    _order = "id desc"
    _paas_scopes_field = "scopes"

    name = fields.Char(required=True)
    client_id = fields.Char(
        readonly=True, copy=False, index=True, default=lambda self: secrets.token_urlsafe(18)
    )
    client_type = fields.Selection(
        [("confidential", "Confidential (server)"), ("public", "Public (browser, mobile)")],
        required=True,
        default="confidential",
    )
    secret_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    user_id = fields.Many2one(
        "res.users", string="Owner", required=True, ondelete="cascade",
        default=lambda self: self.env.user,
        help="Tokens of the client_credentials grant act as this user.",
    )  # fmt: skip
    partner_id = fields.Many2one(
        related="user_id.partner_id.commercial_partner_id", string="Customer", store=True
    )
    redirect_uris = fields.Text(
        help="One per line; the authorization code flow accepts exactly these URIs."
    )
    scopes = fields.Char(required=True, default="plans:read tenants:read")
    access_token_lifetime = fields.Integer(default=3600, help="Seconds.")
    refresh_token_lifetime = fields.Integer(default=30 * 86400, help="Seconds.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _client_id_uniq = models.Constraint("UNIQUE(client_id)", "Client ids are unique.")

    @api.constrains("scopes", "redirect_uris", "client_type")
    def _check_config(self):
        for client in self:
            unknown = set((client.scopes or "").split()) - set(SCOPES)
            if unknown or not client.scopes.split():
                raise ValidationError(
                    self.env._("Unknown or missing scopes: %s", ", ".join(sorted(unknown)) or "-")
                )
            for uri in client._redirect_uri_list():
                if not uri.startswith(("https://", "http://127.0.0.1", "http://localhost")):
                    raise ValidationError(
                        self.env._("Redirect URI %s must use https (or be on localhost).", uri)
                    )

    def write(self, vals):
        if (
            "client_type" in vals
            and not self._paas_is_trusted()
            and any(client.client_type != vals["client_type"] for client in self)
        ):
            # A public client has no secret: turning a confidential client
            # into one would let whoever holds its id use it.
            self.check_access("write")
            raise AccessError(
                self.env._(
                    "A client's type is chosen when it is registered: register a new client "
                    "of the other type."
                )
            )
        return super().write(vals)

    def _paas_platform_fields(self):
        return {
            **super()._paas_platform_fields(),
            "client_id": self.env._("it is generated at registration"),
            "secret_hash": self.env._("use Generate Secret"),
            "partner_id": self.env._("it follows the client's owner"),
        }

    def _redirect_uri_list(self):
        return [line.strip() for line in (self.redirect_uris or "").splitlines() if line.strip()]

    @api.model
    def _hash(self, secret):
        """The same keyed hash as API keys."""
        return self.env["woow.paas.api.key"]._hash(secret)

    def action_generate_secret(self):
        """Generate (or rotate) the client secret and show it once."""
        self.ensure_one()
        self.check_access("write")
        if self.client_type != "confidential":
            raise UserError(self.env._("A public client has no secret: it uses PKCE."))
        secret = "wcs_" + secrets.token_urlsafe(32)
        self.sudo().secret_hash = self._hash(secret)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Client Secret"),
            "res_model": "woow.paas.api.key.show",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": secret},
        }

    def _check_secret(self, secret):
        self.ensure_one()
        stored = self.sudo().secret_hash
        return bool(stored and secret) and hmac.compare_digest(stored, self._hash(secret))
