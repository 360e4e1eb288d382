import logging
import secrets
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import pgtools, tenantdb
from ..provisioning import PROVISION_LOCK_KEY, TenantProvisioning

_logger = logging.getLogger(__name__)


class WoowPaasTenant(models.Model):
    """Override of ``woow_paas_core``: tenants get users, quotas
    (``woow.paas.tenant.quota.mixin``), configuration
    (``woow.paas.tenant.config.mixin``) and, under a
    ``database`` plan, a database of their own: provisioned by a queue job
    (:class:`~odoo.addons.woow_paas_tenant.provisioning.TenantProvisioning`),
    with sign-in links (``woow.paas.tenant.signin.mixin``) and an archive
    (``woow.paas.tenant.archive.mixin``).
    """

    _name = "woow.paas.tenant"
    # The mixins come first so that their overrides of woow_paas_core's
    # methods run before those (and call them through super()).
    _inherit = [
        "woow.paas.tenant.quota.mixin",
        "woow.paas.tenant.config.mixin",
        "woow.paas.tenant.signin.mixin",
        "woow.paas.tenant.archive.mixin",
        "woow.paas.tenant",
    ]

    paas_user_ids = fields.Many2many(
        "res.users",
        "woow_paas_tenant_users_rel",
        "tenant_id",
        "user_id",
        string="Users",
        help="Users allowed in this tenant (the same as their Allowed Tenants).",
    )
    paas_isolation = fields.Selection(related="plan_id.paas_isolation", string="Isolation")
    paas_db_server_id = fields.Many2one(
        "woow.paas.db.server", string="Database Server", readonly=True, copy=False, index=True
    )
    paas_db_name = fields.Char(string="Database", readonly=True, copy=False)
    paas_template_id = fields.Many2one(
        "woow.paas.db.template", string="Template", readonly=True, copy=False
    )
    paas_admin_login = fields.Char(string="Administrator Login", readonly=True, copy=False)
    paas_admin_password = fields.Char(
        string="Administrator Password",
        readonly=True,
        copy=False,
        groups="woow_paas_core.group_paas_manager",
        help="Generated at provisioning; give it to the customer, then clear it.",
    )
    paas_signin_url = fields.Char(
        string="Sign-in Link",
        compute="_compute_paas_signin_url",
        groups="woow_paas_core.group_paas_manager",
        help="Signs the administrator in once, without the password, until it expires "
        "(woow_paas_tenant.signin_link_days, 7 days by default): give it to the customer.",
    )
    paas_pool_password = fields.Boolean(
        readonly=True,
        copy=False,
        help="The administrator's password came hashed with a warm database of the pool.",
    )
    paas_url = fields.Char(string="URL", compute="_compute_paas_url")
    paas_provision_step_ids = fields.One2many(
        "woow.paas.tenant.provision.step", "tenant_id", string="Provisioning Log"
    )

    @api.model_create_multi
    def create(self, vals_list):
        tenants = super().create(vals_list)
        if any(vals.get("paas_user_ids") for vals in vals_list):
            tenants.paas_user_ids._paas_fix_current_tenant()
            self.env.registry.clear_cache()
        return tenants

    def write(self, vals):
        users_before = self.paas_user_ids if "paas_user_ids" in vals else None
        res = super().write(vals)
        if users_before is not None:
            # Same effect as editing the users' allowed tenants.
            (users_before | self.paas_user_ids)._paas_fix_current_tenant()
            self.env.registry.clear_cache()
        return res

    def _paas_protected_fields(self):
        fields_ = super()._paas_protected_fields()
        hint = self.env._("provisioning sets it")
        for name in ("paas_db_server_id", "paas_db_name", "paas_template_id",
                     "paas_admin_login", "paas_admin_password", "paas_archive_path",
                     "paas_pool_password", "paas_archive_delete_date",
                     "paas_signin_token", "paas_signin_expires"):  # fmt: skip
            fields_[name] = (None, hint)
        fields_["paas_usage_measured_at"] = (None, self.env._("the usage measure sets it"))
        fields_["paas_agent_missing"] = (None, self.env._("the usage job sets it"))
        return fields_

    @api.depends("code", "plan_id.paas_isolation")
    def _compute_paas_url(self):
        # Only the plans' isolation, not their whole rows: the REST API and
        # GraphQL read the URL of every page of tenants (_paas_urls).
        self.plan_id.fetch(["paas_isolation"])
        params = self.env["ir.config_parameter"].sudo()
        domain = params.get_param("woow_paas_tenant.domain") or "localhost"
        base = params.get_param("web.base.url") or "http://localhost:8069"
        scheme, _sep, rest = base.partition("://")
        host = rest.split("/", 1)[0]
        port = f":{host.rpartition(':')[2]}" if ":" in host else ""
        for tenant in self:
            if tenant.code and tenant.plan_id.paas_isolation == "database":
                tenant.paas_url = f"{scheme}://{tenant.code}.{domain}{port}"
            else:
                tenant.paas_url = False

    def _paas_urls(self):
        """Override of ``woow_paas_core``: a database tenant is served at
        ``<code>.<platform domain>`` (:attr:`paas_url`)."""
        urls = super()._paas_urls()
        for tenant in self.sudo():
            if tenant.paas_url:
                urls[tenant.id] = tenant.paas_url
        return urls

    # ------------------------------------------------------------------
    # Database per tenant: provisioning
    # ------------------------------------------------------------------
    def action_open_paas_url(self):
        """Open the tenant's own Odoo (its host name) in a new tab."""
        self.ensure_one()
        if not self.paas_url:
            raise UserError(self.env._("Tenant %s has no database of its own to open.", self.name))
        return {"type": "ir.actions.act_url", "url": f"{self.paas_url}/odoo", "target": "new"}

    @api.depends("paas_url", "paas_signin_token")
    def _compute_paas_signin_url(self):
        for tenant in self:
            token = tenant.sudo().paas_signin_token
            tenant.paas_signin_url = (
                f"{tenant.paas_url}/woow_paas_agent/signin?token={token}"
                if tenant.paas_url and token
                else False
            )

    def _paas_provision(self):
        """Override of ``woow_paas_core``: tenants of ``database`` plans get
        their database from a background job (:meth:`_paas_provision_job`),
        which reports through ``_paas_provisioned`` / ``_paas_provision_failed``;
        ``shared`` tenants complete at once as before.

        What can be refused at once is refused here, before anything is
        made: no server with room or answering, template missing, customer
        without an email. The UserError rolls the whole request back.
        """
        database = self.filtered(lambda t: t.plan_id.paas_isolation == "database")
        shared = self - database
        if shared:
            super(WoowPaasTenant, shared)._paas_provision()
        for tenant in database:
            tenant._paas_prepare_database()
            tenant.with_delay(
                description=self.env._("Provision tenant %s", tenant.code),
                identity_key=tenant._paas_provision_job_key(),
                max_retries=8,
            )._paas_provision_job()
        return True

    def _paas_prepare_database(self):
        """Choose the server, the template, the names and the administrator's
        credentials (kept when a failed provisioning is retried, so that it
        resumes where it stopped)."""
        self.ensure_one()
        tenant = self.sudo()
        email = (tenant.partner_id.email or "").strip().lower()
        if not email:
            raise UserError(
                self.env._(
                    "Customer %(customer)s has no email address: the administrator of "
                    "tenant %(tenant)s signs in with it.",
                    customer=tenant.partner_id.display_name,
                    tenant=tenant.name,
                )
            )
        server = (
            tenant.paas_db_server_id if tenant.paas_db_name else tenant.paas_db_server_id.browse()
        )
        if not server:
            server = self.env["woow.paas.db.server"].sudo()._paas_place()
        elif server._paas_ping():
            raise UserError(server._paas_ping())
        template = tenant.paas_template_id or tenant.plan_id._paas_template(server)
        template._paas_check_usable()
        vals = {
            "paas_db_server_id": server.id,
            "paas_db_name": tenant.paas_db_name or f"{server.db_prefix}{tenant.code}",
            "paas_template_id": template.id,
            "paas_admin_login": tenant.paas_admin_login or email,
        }
        if not tenant.paas_admin_password and tenant.plan_id.paas_pool_size:
            pool = self.env["woow.paas.db.pool"]._paas_claim(tenant, template)
            if pool:
                vals.update(paas_admin_password=pool.sudo().admin_password, paas_pool_password=True)
                tenant.plan_id._paas_enqueue_pool_refill()
        if not tenant.paas_admin_password and "paas_admin_password" not in vals:
            vals["paas_admin_password"] = secrets.token_urlsafe(12)
        if not tenant.paas_signin_token or (
            tenant.paas_signin_expires and tenant.paas_signin_expires <= fields.Datetime.now()
        ):
            vals["paas_signin_token"] = secrets.token_urlsafe(32)
            vals["paas_signin_expires"] = fields.Datetime.now() + timedelta(
                days=self._paas_signin_days()
            )
        tenant.write(vals)
        return True

    def _paas_provision_job_key(self):
        return f"woow.paas.tenant-provision-{self.id}"

    def _paas_stop_provisioning(self):
        """Override of ``woow_paas_core``: a cancelled provisioning's queued
        job is cancelled too. Refused while the job is running (it holds the
        tenant's lock): its end is then a moment away. Holding the lock until
        the transaction ends keeps a job that starts meanwhile from running
        its steps (it finds the tenant failed afterwards and stops)."""
        res = super()._paas_stop_provisioning()
        for tenant in self:
            if not tenant._paas_provision_lock():
                raise UserError(
                    self.env._(
                        "Tenant %s is being provisioned at this very moment: wait for its "
                        "job to end, or try again in a minute.",
                        tenant.name,
                    )
                )
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("identity_key", "in", [tenant._paas_provision_job_key() for tenant in self]),
                    ("state", "in", ("wait_dependencies", "pending", "enqueued", "failed")),
                ]
            )
        )
        jobs.button_cancelled()
        return res

    def _paas_provision_lock(self):
        """Take this tenant's provisioning lock for the transaction; False
        when another provisioning holds it."""
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", PROVISION_LOCK_KEY, self.id)
        )
        return self.env.cr.fetchone()[0]

    def _paas_provision_job(self):
        """The provisioning job (declared with its channel and retry pattern
        in data/queue_job_data.xml): one :class:`TenantProvisioning` run."""
        self.ensure_one()
        return TenantProvisioning(self).run()

    def _paas_conninfo(self):
        return self.paas_db_server_id._paas_conninfo()

    @contextmanager
    def _paas_tenant_cursor(self):
        """A connection to the tenant's own database, committed at the end
        of the block."""
        with pgtools.connect(self._paas_conninfo(), self.paas_db_name, autocommit=False) as conn:
            yield conn

    def _paas_agent_params(self):
        """The system parameters the platform keeps in the tenant database
        (``None``: absent): limits, suspension, configuration values."""
        self.ensure_one()
        users = self.quota_ids.filtered(lambda q: q.resource_code == "users")
        limits = self.plan_id._get_quota_limits() if self.plan_id else {}
        if users:
            max_users = None if users.is_unlimited else int(users.effective_limit)
        else:
            max_users = limits.get("users")
            max_users = None if max_users is None else int(max_users)
        suspended = self.state == "suspended"
        company = self.company_id
        prefix = tenantdb.AGENT_PARAM
        params = {
            f"{prefix}max_users": None if max_users is None else str(max_users),
            f"{prefix}suspended": "1" if suspended else None,
            f"{prefix}suspended_reason": (self.state_message or "") if suspended else None,
            f"{prefix}contact": company.email or company.name,
        }
        for key in self.env["woow.paas.config.key"].sudo().search([]):
            value = self._paas_get_config(key.code)
            params[f"{prefix}config.{key.code}"] = (
                None if value is None else key._paas_format(value)
            )
        return params

    def _paas_push_params(self, tenant_cursor=None):
        """Write :meth:`_paas_agent_params` into the tenant database (through
        ``tenant_cursor``, a running provisioning's connection, else a new
        one) and tell its Odoo processes to drop their caches; returns
        whether anything changed."""
        self.ensure_one()
        wanted = self._paas_agent_params()
        with (tenant_cursor or self._paas_tenant_cursor)() as conn, conn.cursor() as cr:
            current = tenantdb.agent_params(cr)
            # The sign-in link is the admin step's, spent by the agent: not a limit.
            stale = [
                key
                for key in current
                if key != tenantdb.SIGNIN_PARAM and (key not in wanted or wanted[key] is None)
            ]
            changed = {k: v for k, v in wanted.items() if v is not None and current.get(k) != v}
            if not stale and not changed:
                return False
            if stale:
                cr.execute("DELETE FROM ir_config_parameter WHERE key = ANY(%s)", [stale])
            for key, value in changed.items():
                tenantdb.set_param(cr, key, value)
            tenantdb.signal_params(cr)
        return True

    def _paas_push_params_safe(self):
        """Push to each running database tenant; an unreachable one is noted
        in its chatter (the next push or provisioning catches up)."""
        for tenant in self.sudo().filtered(
            lambda t: t.paas_db_name and t.state in ("active", "suspended")
        ):
            try:
                tenant._paas_push_params()
            except (pgtools.TransientError, psycopg2.Error) as exc:
                tenant.message_post(
                    body=self.env._("Could not update the tenant database: %s", exc)
                )
        return True

    def _paas_suspend(self, reason=None, **kwargs):
        """Override of ``woow_paas_core``: a database tenant turns read-only."""
        res = super()._paas_suspend(reason=reason, **kwargs)
        self._paas_push_params_safe()
        return res

    def _paas_reactivate(self):
        """Override of ``woow_paas_core``: a database tenant is writable again."""
        res = super()._paas_reactivate()
        self._paas_push_params_safe()
        return res
