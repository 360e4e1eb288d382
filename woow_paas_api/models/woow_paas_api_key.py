import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .const import KEY_PREFIX, LOOKUP_LENGTH, SCOPES

# Last-use details are written at most this often: a write per request
# would make every API call contend on the key's row.
LAST_USED_PRECISION = timedelta(minutes=1)


class WoowPaasApiKey(models.Model):
    """A secret that authenticates REST calls as its user, within its scopes.

    The key (``wpk_...``) is shown once, when generated; only a keyed hash
    (HMAC-SHA256 with the database secret, fast and fit for high-entropy
    secrets) and a short lookup prefix are stored. A key belongs to a user:
    an internal user (an operator credential, limited by the user's rights)
    or a customer's portal user (a customer credential, limited to the
    customer's own records). Its owner, company and scopes are guarded by
    ``woow.paas.api.owned.mixin``.
    """

    _name = "woow.paas.api.key"
    _inherit = ["woow.paas.api.owned.mixin"]
    _description = "PaaS API Key"
    _order = "id desc"
    _paas_scopes_field = "scopes"

    name = fields.Char(required=True, help="What the key is for, e.g. “CI deploys”.")
    user_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.user,
        help="The key acts as this user, with its rights.",
    )
    partner_id = fields.Many2one(
        related="user_id.partner_id.commercial_partner_id", string="Customer", store=True
    )
    is_customer_key = fields.Boolean(related="user_id.share", store=True)
    scopes = fields.Char(
        required=True,
        default="plans:read subscriptions:read tenants:read",
        help="Space-separated scopes: " + " ".join(SCOPES),
    )
    lookup = fields.Char(readonly=True, copy=False, index=True)
    key_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    expires_at = fields.Datetime(help="Leave empty for a key that does not expire.")
    revoked_at = fields.Datetime(readonly=True, copy=False)
    last_used_at = fields.Datetime(readonly=True, copy=False)
    last_used_ip = fields.Char(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    rate_limit = fields.Integer(
        string="Rate Limit (per minute)",
        help="Calls per minute for this key; 0 uses the platform default "
        "(woow_paas_api.rate_limit_per_minute, 600).",
    )
    state = fields.Selection(
        [("draft", "Not Generated"), ("active", "Active"), ("expired", "Expired"),
         ("revoked", "Revoked")],
        compute="_compute_state",
    )  # fmt: skip

    _lookup_uniq = models.Constraint("UNIQUE(lookup)", "API key lookups are unique.")

    @api.depends("lookup", "expires_at", "revoked_at")
    def _compute_state(self):
        now = fields.Datetime.now()
        for key in self:
            if key.revoked_at:
                key.state = "revoked"
            elif not key.lookup:
                key.state = "draft"
            elif key.expires_at and key.expires_at <= now:
                key.state = "expired"
            else:
                key.state = "active"

    @api.constrains("scopes")
    def _check_scopes(self):
        for key in self:
            unknown = set(key._scope_set()) - set(SCOPES)
            if unknown or not key._scope_set():
                raise ValidationError(
                    self.env._(
                        "Unknown or missing scopes %(bad)s: choose among %(known)s.",
                        bad=", ".join(sorted(unknown)) or "-",
                        known=", ".join(SCOPES),
                    )
                )

    def _scope_set(self):
        return set((self.scopes or "").split())

    def _paas_platform_fields(self):
        generate = self.env._("use Generate Key")
        used = self.env._("it records the key's last use")
        owner = self.env._("it follows the key's user")
        return {
            **super()._paas_platform_fields(),
            "lookup": generate, "key_hash": generate,
            "revoked_at": self.env._("use Revoke (a revoked key stays revoked)"),
            "last_used_at": used, "last_used_ip": used,
            "partner_id": owner, "is_customer_key": owner,
        }  # fmt: skip

    @api.model
    def _hash(self, secret):
        pepper = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()

    def action_generate(self):
        """Generate (or regenerate) the secret and show it once."""
        self.ensure_one()
        self.check_access("write")
        if self.revoked_at:
            raise UserError(self.env._("A revoked key cannot be generated again."))
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        self.sudo().write({"lookup": secret[:LOOKUP_LENGTH], "key_hash": self._hash(secret)})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Your API Key"),
            "res_model": "woow.paas.api.key.show",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": secret},
        }

    def action_revoke(self):
        self.check_access("write")
        self.sudo().filtered(lambda k: not k.revoked_at).write(
            {"revoked_at": fields.Datetime.now()}
        )
        return True

    @api.model
    def _authenticate(self, secret, remote_addr=None):
        """Return the active key matching ``secret`` (as superuser), or an
        empty recordset. The hash is compared in constant time."""
        if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
            return self.browse()
        key = self.sudo().search([("lookup", "=", secret[:LOOKUP_LENGTH])], limit=1)
        if not key or not hmac.compare_digest(key.key_hash or "", self._hash(secret)):
            return self.browse()
        now = fields.Datetime.now()
        if key.revoked_at or (key.expires_at and key.expires_at <= now):
            return self.browse()
        if not key.last_used_at or key.last_used_at + LAST_USED_PRECISION < now:
            # In a short transaction of its own: the request's transaction
            # would otherwise hold the key's row, and every concurrent call
            # with the same key would wait for it to end.
            with self.env.registry.cursor() as cr:
                cr.execute(
                    "UPDATE woow_paas_api_key SET last_used_at = %s, last_used_ip = %s"
                    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)",
                    (now, remote_addr, key.id, now - LAST_USED_PRECISION),
                )
        return key

    def _demo_set_secret(self, secret):
        """Demo data only: give the demo key a secret the README prints."""
        self.ensure_one()
        self.sudo().write({"lookup": secret[:LOOKUP_LENGTH], "key_hash": self._hash(secret)})
