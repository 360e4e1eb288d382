import hashlib
import hmac
import time
from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import AccessDenied, UserError
from odoo.tools import SQL

from .const import PARAM

# The one-time sign-in link of a new tenant's administrator, pushed by the
# platform as "<sha256 of the token>:<user id>:<expiry, epoch seconds>".
SIGNIN_PARAM = f"{PARAM}signin"
SIGNIN_CREDENTIAL = "woow_paas_signin"
# Set while an operation that may change who is internal runs: the outermost
# one measures before and after, the ones it calls (a create that writes
# groups, an inverse...) are part of it.
_guarding = ContextVar("woow_paas_agent_guarding", default=False)


@contextmanager
def user_limit_guard(env):
    """Run the block, then refuse it (``UserError``, the transaction rolls
    back) if it made a user internal, or an internal user active, while the
    database ends up with more internal users than the plan allows.

    Wrapped around every ORM path that changes group membership or
    activity: ``res.users`` create and write, ``res.groups`` create and
    write. Only the end result counts, so a user that is internal for a
    moment inside a create (default groups, then the ones asked for) is not
    refused, and a database already over its limit (a smaller plan) may
    still archive users or change the rights of those it has."""
    Users = env["res.users"]
    limit = None if _guarding.get() else Users._paas_agent_max_users()
    if limit is None:
        yield
        return
    token = _guarding.set(True)
    try:
        before = Users._paas_agent_internal_user_ids()
        yield
        after = Users._paas_agent_internal_user_ids()
    finally:
        _guarding.reset(token)
    added = after - before
    if added and len(after) > limit:
        Users._paas_agent_raise_user_limit(limit, len(after) - len(added))


class ResUsers(models.Model):
    """The internal-user limit of the tenant's plan, pushed by the platform
    as ``woow_paas_agent.max_users`` (absent: no limit)."""

    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        with user_limit_guard(self.env):
            return super().create(vals_list)

    def write(self, vals):
        if {"active", "group_ids"} & vals.keys():
            with user_limit_guard(self.env):
                return super().write(vals)
        return super().write(vals)

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

    @api.model
    def _paas_agent_max_users(self):
        """The pushed limit of internal users, ``None`` when there is none."""
        limit = self.env["ir.config_parameter"].sudo().get_param(f"{PARAM}max_users")
        return int(limit) if limit else None

    @api.model
    def _paas_agent_internal_user_ids(self):
        """Ids of the active internal users: members of ``base.group_user``
        directly or through a group that implies it, read from the group
        tables themselves (what grants access), not from the ``share`` flag.
        The platform measures the same in its usage job."""
        group_user = self.env["ir.model.data"]._xmlid_to_res_id("base.group_user")
        self.env["res.users"].flush_model(["active", "group_ids"])
        self.env["res.groups"].flush_model(["user_ids", "implied_ids"])
        self.env.cr.execute(
            SQL(
                """WITH RECURSIVE internal(gid) AS (
                        SELECT %s
                    UNION
                        SELECT rel.gid FROM res_groups_implied_rel rel
                          JOIN internal ON internal.gid = rel.hid
                   )
                   SELECT DISTINCT u.id FROM res_users u
                     JOIN res_groups_users_rel member ON member.uid = u.id
                    WHERE u.active AND u.id != %s
                      AND member.gid IN (SELECT gid FROM internal)""",
                group_user,
                api.SUPERUSER_ID,
            )
        )
        return {user_id for (user_id,) in self.env.cr.fetchall()}

    @api.model
    def _paas_agent_raise_user_limit(self, limit, used):
        contact = self._paas_agent_contact()
        message = self.env._(
            "Your plan allows %(limit)s internal users and this database already has "
            "%(used)s: archive a user first",
            limit=limit,
            used=used,
        )
        if contact:
            message += self.env._(", or ask %s for a plan with more users.", contact)
        else:
            message += "."
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
