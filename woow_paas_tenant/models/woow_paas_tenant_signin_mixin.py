import hashlib
import logging
import secrets
import time
from datetime import timedelta, timezone

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import pgtools, tenantdb

_logger = logging.getLogger(__name__)

# Lifetime of a sign-in link made on request ("Sign in as administrator"):
# followed at once by the browser that asked for it.
SIGNIN_NOW_SECONDS = 300


class WoowPaasTenantSigninMixin(models.AbstractModel):
    """One-time sign-in links of a database tenant's administrator
    (``woow.paas.tenant``): the one made at provisioning and fresh ones made
    on request. The tenant database keeps the token's hash, read there by
    ``woow_paas_tenant_agent``."""

    _name = "woow.paas.tenant.signin.mixin"
    _description = "PaaS Tenant Sign-in Links"

    paas_signin_token = fields.Char(
        string="Sign-in Token",
        readonly=True,
        copy=False,
        groups="woow_paas_core.group_paas_manager",
    )
    paas_signin_expires = fields.Datetime(
        string="Sign-in Link Expires",
        readonly=True,
        copy=False,
        groups="woow_paas_core.group_paas_manager",
    )

    def action_clear_admin_password(self):
        """Forget the generated administrator password and sign-in link once
        they were handed over."""
        if not self.env.user.has_group("woow_paas_core.group_paas_manager"):
            raise UserError(self.env._("Only a PaaS Manager may clear the administrator password."))
        self.sudo().write(
            {"paas_admin_password": False, "paas_signin_token": False, "paas_signin_expires": False}
        )
        return True

    def _paas_signin_param(self):
        """The agent's record of the sign-in link: the token's hash, the
        administrator and the expiry (the token itself stays here)."""
        tenant = self.sudo()
        digest = hashlib.sha256(tenant.paas_signin_token.encode()).hexdigest()
        expires = tenant.paas_signin_expires or (
            fields.Datetime.now() + timedelta(days=self._paas_signin_days())
        )
        return f"{digest}:{{uid}}:{int(expires.replace(tzinfo=timezone.utc).timestamp())}"

    @api.model
    def _paas_signin_days(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            return max(int(params.get_param("woow_paas_tenant.signin_link_days", 7)), 0)
        except ValueError:
            return 7

    def _paas_first_signin_link(self):
        """``(url, expires)`` of the sign-in link made at provisioning while
        it may still work (not expired, not replaced, not cleared), else
        ``(False, False)``. Whether it was already followed only the tenant
        database knows: a followed link answers that it was used."""
        self.ensure_one()
        tenant = self.sudo()
        expires = tenant.paas_signin_expires
        if (
            tenant.state not in ("active", "suspended")
            or not tenant.paas_signin_url
            or not expires
            or expires <= fields.Datetime.now()
        ):
            return False, False
        return tenant.paas_signin_url, expires

    def _paas_can_mint_signin(self):
        """Whether a sign-in link can be made now: a running database tenant."""
        self.ensure_one()
        return self.state in ("active", "suspended") and bool(self.sudo().paas_db_name)

    def _paas_mint_signin_link(self, lifetime=SIGNIN_NOW_SECONDS):
        """A fresh one-time sign-in link for the tenant's administrator, good
        for ``lifetime`` seconds: its token's hash goes into the tenant
        database (which keeps one link: the previous one stops working), the
        token only into the returned URL. Logged in the chatter and as
        ``tenant.signin_link_issued``. The caller checked who may have it."""
        self.ensure_one()
        tenant = self.sudo()
        if not tenant._paas_can_mint_signin():
            raise UserError(self.env._("Tenant %s has no database to sign in to now.", tenant.name))
        token = secrets.token_urlsafe(32)
        expires = int(time.time()) + lifetime
        digest = hashlib.sha256(token.encode()).hexdigest()
        try:
            tenant._paas_push_signin(f"{digest}:{{uid}}:{expires}")
        except (pgtools.TransientError, psycopg2.Error) as exc:
            _logger.info("Sign-in link of tenant %s not issued: %s", tenant.code, exc)
            raise UserError(
                self.env._(
                    "The database of tenant %s does not answer right now: try again in a minute.",
                    tenant.name,
                )
            ) from exc
        # The link made at provisioning no longer works: stop showing it.
        tenant.write({"paas_signin_token": False, "paas_signin_expires": False})
        tenant._message_log(
            body=self.env._(
                "One-time sign-in link for the administrator issued to %(user)s.",
                user=self.env.user.name,
            )
        )
        self.env["woow.paas.event"]._emit(
            "tenant.signin_link_issued",
            tenant,
            {"login": tenant.paas_admin_login, "expires_in": lifetime},
        )
        return f"{tenant.paas_url}/woow_paas_agent/signin?token={token}"

    def _paas_push_signin(self, param):
        """Write the sign-in link's record (``param``, with ``{uid}`` for the
        administrator's id) into the tenant database, committed there at
        once, and tell its processes to reload their parameters."""
        with self._paas_tenant_cursor() as conn, conn.cursor() as cr:
            admin_id = tenantdb.xmlid(cr, "base", "user_admin")
            tenantdb.set_param(cr, tenantdb.SIGNIN_PARAM, param.format(uid=admin_id))
            tenantdb.signal_params(cr)
