import hashlib
import hmac
import time
from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import AccessDenied, UserError

PARAM = "woow_paas_agent."
# The one-time sign-in link of a new tenant's administrator, pushed by the
# platform as "<sha256 of the token>:<user id>:<expiry, epoch seconds>".
SIGNIN_PARAM = f"{PARAM}signin"
SIGNIN_CREDENTIAL = "woow_paas_signin"
# Set while create() runs: a new user may be internal for a moment inside it
# (default groups, then the ones asked for); create checks the end result.
_creating = ContextVar("woow_paas_agent_creating", default=False)


class ResUsers(models.Model):
    """The internal-user limit of the tenant's plan, pushed by the platform
    as ``woow_paas_agent.max_users`` (absent: no limit)."""

    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        token = _creating.set(True)
        try:
            users = super().create(vals_list)
        finally:
            _creating.reset(token)
        users._paas_agent_check_user_limit()
        return users

    def write(self, vals):
        res = super().write(vals)
        if {"active", "group_ids", "share"} & set(vals) and not _creating.get():
            self._paas_agent_check_user_limit()
        return res

    @api.model
    def _paas_agent_contact(self):
        return self.env["ir.config_parameter"].sudo().get_param(f"{PARAM}contact") or ""

    @api.model
    def _paas_agent_suspended_message(self):
        params = self.env["ir.config_parameter"].sudo()
        reason = params.get_param(f"{PARAM}suspended_reason")
        message = self.env._("This database is suspended and read-only")
        message += f" ({reason})." if reason else "."
        contact = self._paas_agent_contact()
        if contact:
            message += " " + self.env._("Contact %s to reactivate it.", contact)
        return message

    def _paas_agent_check_user_limit(self):
        if not self or all(user.share or not user.active for user in self):
            return
        limit = self.env["ir.config_parameter"].sudo().get_param(f"{PARAM}max_users")
        if not limit:
            return
        limit = int(limit)
        self.env["res.users"].flush_model(["active", "share"])
        count = (
            self.env["res.users"]
            .sudo()
            .search_count([("share", "=", False), ("active", "=", True)])
        )
        if count > limit:
            contact = self._paas_agent_contact()
            message = self.env._(
                "Your plan allows %(limit)s internal users and this database already has "
                "%(used)s: archive a user first",
                limit=limit,
                used=count - len(self.filtered(lambda u: not u.share and u.active)),
            )
            message += (
                self.env._(", or ask %s for a plan with more users.", contact) if contact else "."
            )
            raise UserError(message)

    # ------------------------------------------------------------------
    # One-time sign-in link
    # ------------------------------------------------------------------
    @api.model
    def _paas_agent_signin_user(self, token):
        """The user that the sign-in link ``token`` signs in, if the link is
        valid and not expired; an empty recordset otherwise."""
        users = self.env["res.users"].sudo()
        if not isinstance(token, str) or not 16 <= len(token) <= 200:
            return users
        stored = self.env["ir.config_parameter"].sudo().get_param(SIGNIN_PARAM) or ""
        digest, _sep, rest = stored.partition(":")
        uid, _sep, expires = rest.partition(":")
        if not (digest and uid.isdigit() and expires.isdigit()):
            return users
        given = hashlib.sha256(token.encode()).hexdigest()
        if not hmac.compare_digest(given, digest) or int(expires) < time.time():
            return users
        return users.browse(int(uid)).exists().filtered("active")

    @api.model
    def _paas_agent_signin_login(self, token):
        return self._paas_agent_signin_user(token).login or False

    def _check_credentials(self, credential, env):
        """Override of ``base``: the sign-in link is a credential of its own,
        good once. Spending it is one DELETE that only one request can win,
        so two clicks at the same moment sign in once."""
        if credential.get("type") != SIGNIN_CREDENTIAL:
            return super()._check_credentials(credential, env)
        user = self._paas_agent_signin_user(credential.get("token"))
        if user != self:
            raise AccessDenied()
        self.env.cr.execute(
            "DELETE FROM ir_config_parameter WHERE key = %s AND value LIKE %s RETURNING id",
            [SIGNIN_PARAM, hashlib.sha256(credential["token"].encode()).hexdigest() + ":%"],
        )
        if not self.env.cr.fetchone():
            raise AccessDenied()
        self.env.registry.clear_cache()
        return {"uid": self.id, "auth_method": SIGNIN_CREDENTIAL, "mfa": "default"}
