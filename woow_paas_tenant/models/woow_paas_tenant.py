import functools
import hashlib
import logging
import os
import secrets
import tarfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta, timezone

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, config

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_RUNNING

from .. import pgtools
from .woow_paas_tenant_provision_step import PROVISION_STEPS

_logger = logging.getLogger(__name__)

# The ``tenants`` resource limits tenants per subscription, not per tenant.
TENANT_LEVEL_EXCLUDED = ("tenants",)
# Key of the transaction-scoped advisory lock that one provisioning of a
# tenant holds (second key: the tenant id).
PROVISION_LOCK_KEY = 0x57_6F_6F_77  # "Woow"
# The agent's parameter for the administrator's one-time sign-in link.
SIGNIN_PARAM = "woow_paas_agent.signin"
# Lifetime of a sign-in link made on request ("Sign in as administrator"):
# followed at once by the browser that asked for it.
SIGNIN_NOW_SECONDS = 300
# Prefix of the system parameters pushed into a tenant database, read there by
# woow_paas_tenant_agent.
AGENT_PARAM = "woow_paas_agent."
# The addon that enforces the limits inside a tenant database.
AGENT_MODULE = "woow_paas_tenant_agent"
# (database, tenant id) -> future of the administrator's password hash,
# while its provisioning job runs.
_PASSWORD_HASHES = {}
# (database, tenant id) -> [context manager, connection] to the tenant's
# database shared by the steps of a running provisioning job.
_TENANT_CONNECTIONS = {}


def _paas_after_step(tenant, step):
    """Called after each provisioning step is done and logged; the tests
    replace it to inject a crash there."""


class WoowPaasTenant(models.Model):
    """Override of ``woow_paas_core`` to give tenants quotas and configuration.

    Other code counts and enforces usage with :meth:`_paas_quota_check` and
    :meth:`_paas_quota_consume`, and reads settings with
    :meth:`_paas_get_config`.
    """

    _inherit = "woow.paas.tenant"

    quota_ids = fields.One2many("woow.paas.tenant.quota", "tenant_id", string="Quotas")
    config_ids = fields.One2many("woow.paas.tenant.config", "tenant_id", string="Configuration")
    paas_usage_measured_at = fields.Datetime(
        string="Usage Measured At", readonly=True, copy=False, index="btree_not_null"
    )
    paas_agent_missing = fields.Boolean(
        string="Agent Missing",
        readonly=True,
        copy=False,
        help="The usage job found the tenant agent no longer installed in the tenant's "
        "database: the plan's limits and the suspension are not enforced there.",
    )
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
    paas_archive_path = fields.Char(
        string="Archive",
        readonly=True,
        copy=False,
        help="Where the archived database and filestore are kept (.dump and "
        ".filestore.tar.gz): Restore brings them back.",
    )
    paas_archive_delete_date = fields.Date(
        string="Archive Deleted On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Delete Archive keeps the archive for a grace period (setting "
        "woow_paas_tenant.archive_delete_grace_days, 7 days by default), then a daily "
        "job removes it for good; Keep Archive cancels before then.",
    )
    paas_provision_step_ids = fields.One2many(
        "woow.paas.tenant.provision.step", "tenant_id", string="Provisioning Log"
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._paas_check_tenants_quota(
            Counter(vals["subscription_id"] for vals in vals_list if vals.get("subscription_id"))
        )
        tenants = super().create(vals_list)
        tenants._paas_quota_sync()
        if any(vals.get("paas_user_ids") for vals in vals_list):
            tenants.paas_user_ids._paas_fix_current_tenant()
            self.env.registry.clear_cache()
        return tenants

    def write(self, vals):
        if vals.get("subscription_id"):
            moving = self.filtered(lambda t: t.subscription_id.id != vals["subscription_id"])
            if moving:
                self._paas_check_tenants_quota(Counter({vals["subscription_id"]: len(moving)}))
        users_before = self.paas_user_ids if "paas_user_ids" in vals else None
        res = super().write(vals)
        if "subscription_id" in vals:
            self._paas_quota_sync()
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

    @api.depends("code")
    def _compute_paas_url(self):
        params = self.env["ir.config_parameter"].sudo()
        domain = params.get_param("woow_paas_tenant.domain") or "localhost"
        base = params.get_param("web.base.url") or "http://localhost:8069"
        scheme, _sep, rest = base.partition("://")
        port = rest.split("/", 1)[0].rpartition(":")[2] if ":" in rest.split("/", 1)[0] else ""
        for tenant in self:
            if tenant.code and tenant.paas_isolation == "database":
                tenant.paas_url = f"{scheme}://{tenant.code}.{domain}{':' + port if port else ''}"
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
    # Quotas
    # ------------------------------------------------------------------
    @api.model
    def _paas_check_tenants_quota(self, new_by_subscription):
        """Refuse tenants beyond the ``tenants`` limit of their subscription's
        plan; archived tenants do not count."""
        if not new_by_subscription:
            return
        Subscription = self.env["woow.paas.subscription"].sudo()
        existing = dict(
            self.sudo()._read_group(
                [
                    ("subscription_id", "in", list(new_by_subscription)),
                    ("state", "!=", "archived"),
                ],
                ["subscription_id"],
                ["__count"],
            )
        )
        for sub_id, added in new_by_subscription.items():
            sub = Subscription.browse(sub_id)
            limit = sub.plan_id._get_quota_limits().get("tenants") if sub.plan_id else None
            used = existing.get(sub, 0)
            if limit is None or used + added <= limit:
                continue
            upgrade = self._paas_quota_upgrade_plan("tenants", used + added, plan=sub.plan_id)
            sub._paas_emit_durable(
                "quota.exceeded",
                {"resource": "tenants", "limit": limit, "usage": used, "requested": added,
                 "upgrade_plan": upgrade.code or None},
            )  # fmt: skip
            message = self.env._(
                "Quota exceeded for Tenants on subscription %(sub)s: plan %(plan)s allows "
                "%(limit)s tenants and %(used)s are already in use.",
                sub=sub.name,
                plan=sub.plan_id.name,
                limit=int(limit),
                used=used,
            )
            if upgrade:
                message += " " + self.env._("Plan %(plan)s allows more.", plan=upgrade.name)
            raise UserError(message)

    @api.model
    def _paas_quota_upgrade_plan(self, resource_code, needed, plan=None):
        """The cheapest active public plan whose limit for ``resource_code``
        covers ``needed`` (empty when none does)."""
        current = plan if plan is not None else self[:1].plan_id
        plans = self.env["woow.paas.plan"].sudo().search([("is_public", "=", True)])
        for candidate in plans.sorted(lambda p: (p.monthly_price, p.sequence, p.id)):
            if candidate == current:
                continue
            limit = candidate._get_quota_limits().get(resource_code)
            if limit is None or limit >= needed:
                return candidate
        return self.env["woow.paas.plan"]

    def _paas_quota_sync(self):
        """Create the missing quota lines for the resources the plan limits,
        then announce thresholds the (new) limits put usage past."""
        Quota = self.env["woow.paas.tenant.quota"].sudo()
        tenants = self.sudo().filtered("plan_id")
        limits = {plan: plan._get_quota_limits() for plan in tenants.plan_id}
        codes = {code for plan_limits in limits.values() for code in plan_limits}
        resources = {
            resource.code: resource
            for resource in self.env["woow.paas.resource"]
            .sudo()
            .search([("code", "in", list(codes - set(TENANT_LEVEL_EXCLUDED)))])
        }
        existing = {(q.tenant_id.id, q.resource_id.id) for q in tenants.quota_ids}
        vals_list = [
            {"tenant_id": tenant.id, "resource_id": resources[code].id}
            for tenant in tenants
            for code in limits[tenant.plan_id]
            if code in resources and (tenant.id, resources[code].id) not in existing
        ]
        if vals_list:
            Quota.create(vals_list)
        self.sudo().quota_ids._paas_notify_thresholds()
        # Database tenants enforce their limits themselves: give them the new ones.
        self._paas_push_params_safe()

    def _paas_quota_lines(self, resource_code):
        """The quota line of each tenant of ``self`` for ``resource_code``,
        created on first use."""
        resource = self.env["woow.paas.resource"].sudo()._get_by_code(resource_code)
        if not resource:
            raise UserError(self.env._("Unknown resource %(code)r.", code=resource_code))
        if resource_code in TENANT_LEVEL_EXCLUDED:
            raise UserError(
                self.env._("Tenants are counted per subscription, when a tenant is created.")
            )
        Quota = self.env["woow.paas.tenant.quota"].sudo()
        lines = Quota.search([("tenant_id", "in", self.ids), ("resource_id", "=", resource.id)])
        missing = self - lines.tenant_id
        if missing:
            lines |= Quota.create(
                [{"tenant_id": tenant.id, "resource_id": resource.id} for tenant in missing]
            )
        return lines

    def _paas_quota_check(self, resource_code, increment=1):
        """Raise a UserError if adding ``increment`` of ``resource_code`` would
        exceed the limit of any tenant of ``self`` (and emit ``quota.exceeded``
        durably); return True otherwise. Counts nothing."""
        lines = self._paas_quota_lines(resource_code)
        lines._paas_roll_period()
        lines._paas_check(increment)
        return True

    def _paas_quota_consume(self, resource_code, quantity=1):
        """Count ``quantity`` of ``resource_code`` for each tenant of ``self``:
        refused past the limit (UserError, ``quota.exceeded``), warned at 80 %
        and 100 % (``quota.warning``, once per threshold and period). A
        negative quantity gives back. Concurrent callers are serialised on the
        quota line. Returns True."""
        lines = self._paas_quota_lines(resource_code)
        lines._paas_lock()
        lines._paas_roll_period()
        lines._paas_check(quantity)
        lines._paas_add_usage(quantity)
        lines._paas_notify_thresholds()
        return True

    def _paas_quota_set_override(self, resource_code, limit):
        """Give each tenant of ``self`` its own ``limit`` for ``resource_code``
        instead of the plan's (``None`` goes back to the plan's limit)."""
        lines = self._paas_quota_lines(resource_code)
        if limit is None:
            lines.write({"use_override": False, "override_limit": 0.0})
        else:
            lines.write({"use_override": True, "override_limit": limit})
        return True

    def _paas_quota_set_usage(self, resource_code, usage_by_tenant):
        """Record measured levels ``{tenant_id: value}`` (no refusal: the
        level is a fact), announcing thresholds and a level over the limit
        (``quota.exceeded``, see :meth:`_paas_notify_excess`)."""
        tenants = self.browse(list(usage_by_tenant))
        lines = tenants._paas_quota_lines(resource_code)
        lines._paas_roll_period()
        now = fields.Datetime.now()
        for line in lines:
            line._paas_set_usage(usage_by_tenant.get(line.tenant_id.id, 0), now)
        lines._paas_notify_thresholds()
        lines._paas_notify_excess()
        return True

    # ------------------------------------------------------------------
    # Measuring (cron)
    # ------------------------------------------------------------------
    @api.model
    def _cron_measure_usage(self, batch_size=500):
        """Measure the resources the platform can see itself (``users``: the
        internal users allowed in the tenant) for the tenants measured least
        recently, one bounded batch per run; a full batch triggers another."""
        now = fields.Datetime.now()
        cutoff = now - timedelta(minutes=50)
        tenants = self.search(
            [
                ("state", "not in", ("archived", "failed")),
                "|",
                ("paas_usage_measured_at", "=", False),
                ("paas_usage_measured_at", "<", cutoff),
            ],
            order="paas_usage_measured_at ASC NULLS FIRST, id",
            limit=batch_size,
        )
        if not tenants:
            return
        self.env.cr.execute(
            SQL(
                """SELECT rel.tenant_id, count(*)
                     FROM woow_paas_tenant_users_rel rel
                     JOIN res_users u ON u.id = rel.user_id
                    WHERE rel.tenant_id IN %s AND u.active AND NOT u.share
                 GROUP BY rel.tenant_id""",
                tuple(tenants.ids),
            )
        )
        counts = dict(self.env.cr.fetchall())
        databases = tenants.filtered(lambda t: t.paas_db_name and t.state != "provisioning")
        db_users, storage, agents = databases._paas_measure_databases()
        counts.update(db_users)
        databases.filtered(lambda t: t.id in agents)._paas_check_agents(agents)
        measured = tenants.filtered(lambda t: "users" in t.plan_id._get_quota_limits())
        if measured:
            measured._paas_quota_set_usage(
                "users", {tenant.id: counts.get(tenant.id, 0) for tenant in measured}
            )
        measured = databases.filtered(
            lambda t: t.id in storage and "storage_mb" in t.plan_id._get_quota_limits()
        )
        if measured:
            measured._paas_quota_set_usage(
                "storage_mb", {tenant.id: storage[tenant.id] for tenant in measured}
            )
        tenants.write({"paas_usage_measured_at": now})
        if len(tenants) == batch_size:
            self.env.ref("woow_paas_tenant.ir_cron_measure_usage")._trigger()

    def _paas_measure_databases(self):
        """Measure database tenants inside their own databases: internal
        users (what the agent limits there) and storage in MB (database
        size plus filestore), and read what the agent needs there (its
        module's state, the pushed parameters). One size query per server;
        a server that does not answer is skipped this round (measured again
        at the next run). Returns ``({tenant_id: users}, {tenant_id:
        storage_mb}, {tenant_id: (agent installed, {key: value})})``."""
        users, storage, agents = {}, {}, {}
        for server, tenants in self.sudo().grouped("paas_db_server_id").items():
            conninfo = server._paas_conninfo()
            names = {tenant.paas_db_name: tenant for tenant in tenants}
            try:
                with pgtools.connect(conninfo) as conn, conn.cursor() as cr:
                    cr.execute(
                        "SELECT datname, pg_database_size(datname) FROM pg_database"
                        " WHERE datname = ANY(%s)",
                        [list(names)],
                    )
                    sizes = dict(cr.fetchall())
                for name, size in sizes.items():
                    tenant_id = names[name].id
                    with (
                        pgtools.connect(conninfo, name) as conn,
                        conn.cursor() as cr,
                    ):
                        users[tenant_id] = _paas_count_internal_users(cr)
                        cr.execute(
                            "SELECT state FROM ir_module_module WHERE name = %s", [AGENT_MODULE]
                        )
                        state = cr.fetchone()
                        cr.execute(
                            "SELECT key, value FROM ir_config_parameter WHERE key LIKE %s",
                            [AGENT_PARAM.replace("_", "\\_") + "%"],
                        )
                        agents[tenant_id] = (
                            bool(state) and state[0] in ("installed", "to upgrade"),
                            dict(cr.fetchall()),
                        )
                    files = pgtools.filestore_size(name)
                    storage[tenant_id] = round((size + files) / 1024 / 1024, 2)
            except (pgtools.TransientError, psycopg2.Error) as exc:
                _logger.info("Tenant usage on server %s not measured: %s", server.name, exc)
        return users, storage, agents

    def _paas_check_agents(self, agents):
        """What the measure found of the agent in each tenant database
        (``{tenant_id: (installed, {key: value})}``): parameters that differ
        from the platform's (changed there by hand) are written back and
        noted on the tenant; an agent that is no longer installed (the
        limits and the suspension are then not enforced there) flags the
        tenant (``paas_agent_missing``), noted once, for an operator to
        reinstall it."""
        for tenant in self.sudo():
            installed, current = agents[tenant.id]
            if installed == tenant.paas_agent_missing:
                tenant.paas_agent_missing = not installed
                if installed:
                    tenant.message_post(
                        body=self.env._("The tenant agent is installed in the database again.")
                    )
                else:
                    _logger.warning("Tenant %s: agent not installed in its database", tenant.code)
                    tenant.message_post(
                        body=self.env._(
                            "The tenant agent (woow_paas_tenant_agent) is not installed in the "
                            "tenant database any more: the plan's limits and the suspension are "
                            "not enforced there. Reinstall it with odoo-bin -i."
                        )
                    )
            if tenant.state not in ("active", "suspended"):
                continue
            wanted = {k: v for k, v in tenant._paas_agent_params().items() if v is not None}
            current = {k: v for k, v in current.items() if k != SIGNIN_PARAM}
            if current != wanted:
                _logger.warning("Tenant %s: agent parameters changed in its database", tenant.code)
                tenant._paas_push_params_safe()
                tenant.message_post(
                    body=self.env._(
                        "The platform's parameters had been changed in the tenant database "
                        "(%(keys)s): they were written back.",
                        keys=", ".join(
                            sorted(k for k in current.keys() | wanted.keys()
                                   if current.get(k) != wanted.get(k))
                        ),
                    )
                )  # fmt: skip

    # ------------------------------------------------------------------
    # Configuration
    # ------------------------------------------------------------------
    def _paas_config_key(self, key_code):
        key = self.env["woow.paas.config.key"].sudo().search([("code", "=", key_code)], limit=1)
        if not key:
            raise UserError(self.env._("Unknown configuration key %(code)r.", code=key_code))
        return key

    def _paas_get_config(self, key_code):
        """Effective value of ``key_code`` for this tenant, in the key's type:
        the tenant's override, else the plan's default, else the key's
        default (``None`` when nothing is set)."""
        self.ensure_one()
        key = self._paas_config_key(key_code)
        tenant = self.sudo()
        override = (
            self.env["woow.paas.tenant.config"]
            .sudo()
            .search([("tenant_id", "=", tenant.id), ("key_id", "=", key.id)], limit=1)
        )
        if override:
            return key._paas_parse(override.value)
        if tenant.plan_id:
            plan_value = key.plan_value_ids.filtered(lambda v: v.plan_id == tenant.plan_id)
            if plan_value:
                return key._paas_parse(plan_value.value)
        return key._paas_parse(key.default_value) if key.default_value else None

    def _paas_set_config(self, key_code, value):
        """Override ``key_code`` for this tenant (``None`` removes the override);
        a value of the wrong type raises a ValidationError."""
        self.ensure_one()
        key = self._paas_config_key(key_code)
        Config = self.env["woow.paas.tenant.config"]
        line = Config.search([("tenant_id", "=", self.id), ("key_id", "=", key.id)], limit=1)
        if value is None:
            line.unlink()
            return True
        text = key._paas_format(value)
        key._paas_parse(text)
        if line:
            line.value = text
        else:
            Config.create({"tenant_id": self.id, "key_id": key.id, "value": text})
        return True

    # ------------------------------------------------------------------
    # Database per tenant: provisioning
    # ------------------------------------------------------------------
    def action_open_paas_url(self):
        """Open the tenant's own Odoo (its host name) in a new tab."""
        self.ensure_one()
        if not self.paas_url:
            raise UserError(self.env._("Tenant %s has no database of its own to open.", self.name))
        return {"type": "ir.actions.act_url", "url": f"{self.paas_url}/odoo", "target": "new"}

    def action_clear_admin_password(self):
        """Forget the generated administrator password and sign-in link once
        they were handed over."""
        if not self.env.user.has_group("woow_paas_core.group_paas_manager"):
            raise UserError(self.env._("Only a PaaS Manager may clear the administrator password."))
        self.sudo().write(
            {"paas_admin_password": False, "paas_signin_token": False, "paas_signin_expires": False}
        )
        return True

    @api.depends("paas_url", "paas_signin_token")
    def _compute_paas_signin_url(self):
        for tenant in self:
            token = tenant.sudo().paas_signin_token
            tenant.paas_signin_url = (
                f"{tenant.paas_url}/woow_paas_agent/signin?token={token}"
                if tenant.paas_url and token
                else False
            )

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
            admin_id = _paas_xmlid(cr, "base", "user_admin")
            _paas_set_param(cr, SIGNIN_PARAM, param.format(uid=admin_id))
            cr.execute("INSERT INTO orm_signaling_stable DEFAULT VALUES")

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

    def _paas_attempts_left(self):
        """Whether the queue job running this may still be retried."""
        job_uuid = self.env.context.get("job_uuid")
        if not job_uuid:
            return False
        job = self.env["queue.job"].sudo().search([("uuid", "=", job_uuid)], limit=1)
        return bool(job) and (not job.max_retries or job.retry < job.max_retries)

    def _paas_provision_job(self):
        """The provisioning job: every step checks first whether it already
        happened, so a crash at any point is resumed by running it again.
        Transient errors (server unreachable, lock timeout) are retried with
        backoff; other errors end the tenant in ``failed`` with the reason."""
        self.ensure_one()
        tenant = self.sudo()
        if tenant.state != "provisioning":
            return f"Tenant {tenant.code} is {tenant.state}: nothing to provision."
        if not tenant._paas_provision_lock():
            raise RetryableJobError(
                f"Another provisioning of tenant {tenant.code} is running.", seconds=10
            )
        # The password hash (PBKDF2, deliberately slow) is worked out in a
        # thread while PostgreSQL copies the template.
        if tenant.paas_pool_password:
            return tenant._paas_provision_steps()
        crypt = self.env["res.users"]._crypt_context()
        key = (self.env.cr.dbname, tenant.id)
        with ThreadPoolExecutor(max_workers=1) as pool:
            _PASSWORD_HASHES[key] = pool.submit(crypt.hash, tenant.paas_admin_password)
            try:
                return tenant._paas_provision_steps()
            finally:
                _PASSWORD_HASHES.pop(key, None)

    def _paas_provision_steps(self):
        key = (self.env.cr.dbname, self.id)
        _TENANT_CONNECTIONS[key] = shared = []
        try:
            return self._paas_provision_run_steps()
        finally:
            _TENANT_CONNECTIONS.pop(key, None)
            if shared:
                shared[0].__exit__(None, None, None)

    def _paas_provision_run_steps(self):
        tenant = self
        Step = self.env["woow.paas.tenant.provision.step"].sudo()
        last = Step.search([("tenant_id", "=", tenant.id)], order="attempt desc", limit=1)
        attempt = last.attempt + 1 if last else 1
        for step, _label in PROVISION_STEPS:
            start = time.perf_counter()
            try:
                with self.env.cr.savepoint():
                    done_before = getattr(tenant, f"_paas_step_{step}")()
            except (pgtools.TransientError, psycopg2.Error, OSError, UserError) as exc:
                reason = str(exc).strip() or exc.__class__.__name__
                transient = pgtools.is_transient(exc)
                retry = transient and tenant._paas_attempts_left()
                Step.create(
                    {
                        "tenant_id": tenant.id,
                        "attempt": attempt,
                        "step": step,
                        "status": "retry" if retry else "failed",
                        "duration_ms": 1000 * (time.perf_counter() - start),
                        "message": reason[:500],
                    }
                )
                if retry:
                    job = (
                        self.env["queue.job"]
                        .sudo()
                        .search([("uuid", "=", self.env.context["job_uuid"])], limit=1)
                    )
                    # Backoff: 10 s, 20 s, 40 s... up to 10 minutes.
                    raise RetryableJobError(reason, seconds=min(600, 10 * 2**job.retry)) from exc
                _logger.info(
                    "Provisioning of tenant %s failed at %s: %s", tenant.code, step, reason
                )
                tenant._paas_provision_failed(
                    self.env._("Provisioning failed at step %(step)s: %(reason)s",
                               step=dict(PROVISION_STEPS)[step], reason=reason)
                )  # fmt: skip
                return reason
            Step.create(
                {
                    "tenant_id": tenant.id,
                    "attempt": attempt,
                    "step": step,
                    "status": "skipped" if done_before else "done",
                    "duration_ms": 1000 * (time.perf_counter() - start),
                }
            )
            _paas_after_step(tenant, step)
        tenant._paas_provisioned()
        return "provisioned"

    def _paas_conninfo(self):
        return self.paas_db_server_id._paas_conninfo()

    @contextmanager
    def _paas_tenant_cursor(self):
        """A connection to the tenant's own database, committed at the end of
        the block (one transaction per step). During a provisioning job the
        steps share one connection, opened at first use."""
        shared = _TENANT_CONNECTIONS.get((self.env.cr.dbname, self.id))
        if shared is None:
            with pgtools.connect(
                self._paas_conninfo(), self.paas_db_name, autocommit=False
            ) as conn:
                yield conn
            return
        if not shared:
            shared.append(
                pgtools.connect(self._paas_conninfo(), self.paas_db_name, autocommit=False)
            )
            shared.append(shared[0].__enter__())
        conn = shared[1]
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    # Each step returns True when it found its work already done.
    def _paas_step_database(self):
        conninfo = self._paas_conninfo()
        if pgtools.db_exists(conninfo, self.paas_db_name):
            return True
        pool = self.env["woow.paas.db.pool"].sudo().search([("tenant_id", "=", self.id)], limit=1)
        if pool and pgtools.db_exists(conninfo, pool.db_name):
            # A warm database: a rename instead of a copy.
            pgtools.rename_db(conninfo, pool.db_name, self.paas_db_name)
            pgtools.rename_filestore(pool.db_name, self.paas_db_name)
            pool.unlink()
            return False
        self.paas_template_id._paas_check_usable()
        try:
            pgtools.create_db_from_template(
                conninfo, self.paas_db_name, self.paas_template_id.db_name
            )
        except psycopg2.errors.DuplicateDatabase:
            return True
        return False

    def _paas_step_filestore(self):
        return not pgtools.copy_filestore(self.paas_template_id.db_name, self.paas_db_name)

    def _paas_step_identity(self):
        with self._paas_tenant_cursor() as conn, conn.cursor() as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")
            row = cr.fetchone()
            if row and row[0] != self.paas_template_id.database_uuid:
                return True
            _paas_renew_identity(cr)
        return False

    def _paas_step_admin(self):
        login = self.paas_admin_login
        with self._paas_tenant_cursor() as conn, conn.cursor() as cr:
            admin_id = _paas_xmlid(cr, "base", "user_admin")
            cr.execute("SELECT login, partner_id FROM res_users WHERE id = %s", [admin_id])
            current_login, partner_id = cr.fetchone()
            if current_login == login:
                return True
            # Written with the login, in the step's one transaction: a resumed
            # provisioning finds both or neither.
            _paas_set_param(cr, SIGNIN_PARAM, self._paas_signin_param().format(uid=admin_id))
            cr.execute("INSERT INTO orm_signaling_stable DEFAULT VALUES")
            if not self.paas_pool_password:
                future = _PASSWORD_HASHES.get((self.env.cr.dbname, self.id))
                if future is not None:
                    hashed = future.result()
                else:
                    hashed = self.env["res.users"]._crypt_context().hash(self.paas_admin_password)
                _paas_set_admin_password(cr, hashed)
            cr.execute("UPDATE res_users SET login = %s WHERE id = %s", [login, admin_id])
            contact = self.partner_id
            cr.execute(
                "UPDATE res_partner SET name = %s, email = %s WHERE id = %s",
                [contact.name or login, login, partner_id],
            )
        return False

    def _paas_step_company(self):
        customer = self.partner_id
        lang = customer.lang or "en_US"
        with self._paas_tenant_cursor() as conn, conn.cursor() as cr:
            company_id = _paas_xmlid(cr, "base", "main_company")
            admin_id = _paas_xmlid(cr, "base", "user_admin")
            cr.execute("SELECT code FROM res_lang WHERE active")
            langs = {code for (code,) in cr.fetchall()}
            if lang not in langs:
                lang = "en_US"
            cr.execute(
                """SELECT c.name, p.lang, p.tz FROM res_company c, res_users u
                     JOIN res_partner p ON p.id = u.partner_id
                    WHERE c.id = %s AND u.id = %s""",
                [company_id, admin_id],
            )
            if cr.fetchone() == (self.commercial_partner_id.name, lang, customer.tz or None):
                return True
            name = self.commercial_partner_id.name
            cr.execute("UPDATE res_company SET name = %s WHERE id = %s", [name, company_id])
            cr.execute(
                "UPDATE res_partner SET name = %s"
                " WHERE id = (SELECT partner_id FROM res_company WHERE id = %s)",
                [name, company_id],
            )
            cr.execute(
                "UPDATE res_partner SET lang = %s, tz = %s"
                " WHERE id = (SELECT partner_id FROM res_users WHERE id = %s)",
                [lang, customer.tz or None, admin_id],
            )
        return False

    def _paas_step_limits(self):
        return not self._paas_push_params()

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
        params = {
            f"{AGENT_PARAM}max_users": None if max_users is None else str(max_users),
            f"{AGENT_PARAM}suspended": "1" if suspended else None,
            f"{AGENT_PARAM}suspended_reason": (self.state_message or "") if suspended else None,
            f"{AGENT_PARAM}contact": company.email or company.name,
        }
        for key in self.env["woow.paas.config.key"].sudo().search([]):
            value = self._paas_get_config(key.code)
            params[f"{AGENT_PARAM}config.{key.code}"] = (
                None if value is None else key._paas_format(value)
            )
        return params

    def _paas_push_params(self):
        """Write :meth:`_paas_agent_params` into the tenant database and tell
        its Odoo processes to drop their caches; returns whether anything
        changed."""
        self.ensure_one()
        wanted = self._paas_agent_params()
        with self._paas_tenant_cursor() as conn, conn.cursor() as cr:
            cr.execute(
                "SELECT key, value FROM ir_config_parameter WHERE key LIKE %s",
                [AGENT_PARAM.replace("_", "\\_") + "%"],
            )
            current = dict(cr.fetchall())
            # The sign-in link is the admin step's, spent by the agent: not a limit.
            stale = [
                key
                for key in current
                if key != SIGNIN_PARAM and (key not in wanted or wanted[key] is None)
            ]
            changed = {k: v for k, v in wanted.items() if v is not None and current.get(k) != v}
            if not stale and not changed:
                return False
            if stale:
                cr.execute("DELETE FROM ir_config_parameter WHERE key = ANY(%s)", [stale])
            for key, value in changed.items():
                _paas_set_param(cr, key, value)
            # Odoo's inter-process signaling: the tenant's workers reload the
            # cached parameters (ir.config_parameter uses the 'stable' cache).
            cr.execute("INSERT INTO orm_signaling_stable DEFAULT VALUES")
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

    # ------------------------------------------------------------------
    # Database per tenant: archive and restore
    # ------------------------------------------------------------------
    def _paas_allowed_transitions(self):
        """Override of ``woow_paas_core``: an archived database tenant may be
        restored (only through :meth:`action_restore`)."""
        moves = super()._paas_allowed_transitions()
        moves["archived"] = set(moves.get("archived", set())) | {"active", "suspended"}
        return moves

    def action_activate(self):
        """Override of ``woow_paas_core``: reactivation is for suspended
        tenants; archived ones come back with Restore."""
        archived = self.filtered(lambda t: t.state == "archived")
        if archived:
            raise UserError(
                self.env._(
                    "Tenant %s is archived: restore it instead of reactivating it.",
                    archived[0].name,
                )
            )
        return super().action_activate()

    def _paas_archive_dir(self):
        params = self.env["ir.config_parameter"].sudo()
        folder = params.get_param("woow_paas_tenant.archive_dir") or os.path.join(
            config["data_dir"], "woow_paas_archives", self.env.cr.dbname
        )
        os.makedirs(folder, exist_ok=True)
        return folder

    def action_archive(self):
        """Override of ``woow_paas_core``: a database tenant is first dumped
        (``pg_dump`` and its filestore, into the archive folder, checked
        readable); its database and filestore are dropped once the archive
        has committed. A failed dump refuses the move."""
        self._paas_check_transition("archived")
        databases = self.sudo().filtered(
            lambda t: t.paas_db_name and t.state not in ("archived", "draft")
        )
        for tenant in databases:
            base = os.path.join(self._paas_archive_dir(), tenant.paas_db_name)
            conninfo = tenant._paas_conninfo()
            try:
                if pgtools.db_exists(conninfo, tenant.paas_db_name):
                    pgtools.dump_db(conninfo, tenant.paas_db_name, f"{base}.dump")
                    pgtools.archive_filestore(tenant.paas_db_name, f"{base}.filestore.tar.gz")
            except (RuntimeError, OSError, pgtools.TransientError) as exc:
                raise UserError(
                    self.env._(
                        "Tenant %(tenant)s could not be archived: %(reason)s",
                        tenant=tenant.name,
                        reason=exc,
                    )
                ) from exc
            tenant.write({"paas_archive_path": base})
        res = super().action_archive()
        for tenant in databases:
            self.env.cr.postcommit.add(
                functools.partial(_paas_drop, tenant._paas_conninfo(), tenant.paas_db_name)
            )
        return res

    def action_restore(self):
        """Bring an archived database tenant back from its archive, exactly
        as it was (archived → active). A missing or corrupt archive is
        refused with nothing made."""
        for tenant in self.sudo():
            if tenant.state != "archived" or not tenant.paas_archive_path:
                raise UserError(
                    self.env._(
                        "Only a database tenant archived with its dump can be restored: %s.",
                        tenant.name,
                    )
                )
            dump = f"{tenant.paas_archive_path}.dump"
            files = f"{tenant.paas_archive_path}.filestore.tar.gz"
            if not pgtools.check_dump(dump) or not os.path.isfile(files):
                raise UserError(
                    self.env._(
                        "The archive of tenant %(tenant)s is missing or corrupt (%(path)s).",
                        tenant=tenant.name,
                        path=dump,
                    )
                )
            conninfo = tenant._paas_conninfo()
            try:
                if pgtools.db_exists(conninfo, tenant.paas_db_name):
                    raise RuntimeError(f"database {tenant.paas_db_name} already exists")
                pgtools.restore_db(conninfo, tenant.paas_db_name, dump)
                try:
                    pgtools.restore_filestore(tenant.paas_db_name, files)
                except (OSError, tarfile.TarError):
                    pgtools.drop_db(conninfo, tenant.paas_db_name)
                    raise
            except (RuntimeError, OSError, tarfile.TarError, pgtools.TransientError) as exc:
                raise UserError(
                    self.env._(
                        "Tenant %(tenant)s could not be restored: %(reason)s",
                        tenant=tenant.name,
                        reason=exc,
                    )
                ) from exc
        self._paas_reactivate_restored()
        return True

    def _paas_check_archive_manager(self):
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_manager"):
            raise AccessError(
                self.env._("Only a PaaS Manager can delete or keep a tenant's archive.")
            )

    def action_delete_archive(self):
        """Schedule the removal of archived tenants' dumps after the grace
        period; until then Keep Archive (or Restore) still works."""
        self._paas_check_archive_manager()
        tenants = self.sudo().filtered(
            lambda t: (
                t.state == "archived" and t.paas_archive_path and not t.paas_archive_delete_date
            )
        )
        if len(tenants) != len(self):
            raise UserError(
                self.env._(
                    "Only archived tenants that still have their archive can have it deleted."
                )
            )
        params = self.env["ir.config_parameter"].sudo()
        try:
            grace = max(int(params.get_param("woow_paas_tenant.archive_delete_grace_days", 7)), 0)
        except ValueError:
            grace = 7
        when = fields.Date.context_today(self) + timedelta(days=grace)
        tenants.write({"paas_archive_delete_date": when})
        for tenant in tenants:
            tenant.message_post(
                body=self.env._("The archive will be deleted on %s.", when),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_keep_archive(self):
        """Cancel a scheduled deletion of the archive."""
        self._paas_check_archive_manager()
        tenants = self.sudo().filtered("paas_archive_delete_date")
        tenants.write({"paas_archive_delete_date": False})
        for tenant in tenants:
            tenant.message_post(
                body=self.env._("The archive is kept."), subtype_xmlid="mail.mt_note"
            )
        return True

    @api.model
    def _cron_delete_archives(self, batch_size=100):
        """Remove the archives whose grace period has ended: files first,
        then the record's link to them, one tenant per savepoint so that a
        file that cannot be removed only holds back its own tenant."""
        tenants = self.sudo().search(
            [
                ("state", "=", "archived"),
                ("paas_archive_delete_date", "<=", fields.Date.context_today(self)),
            ],
            limit=batch_size,
        )
        for tenant in tenants:
            base = tenant.paas_archive_path
            try:
                for path in (f"{base}.dump", f"{base}.filestore.tar.gz"):
                    if base and os.path.exists(path):
                        os.remove(path)
            except OSError as exc:
                _logger.warning("Archive of tenant %s not deleted: %s", tenant.code, exc)
                continue
            tenant.write({"paas_archive_path": False, "paas_archive_delete_date": False})
            self.env["woow.paas.event"]._emit(
                "tenant.archive_deleted", tenant, {"code": tenant.code, "path": base}
            )
        if len(tenants) == batch_size:
            self.env.ref("woow_paas_tenant.ir_cron_delete_archives")._trigger()

    def _paas_reactivate_restored(self):
        """Like the end of provisioning: active under a running subscription,
        else suspended until it runs again."""
        running = self.filtered(lambda t: t.subscription_id.state in SUBSCRIPTION_RUNNING)
        vals = {"archived_date": False, "paas_archive_delete_date": False}
        running._paas_transition("active", "tenant.restored", vals=vals)
        (self - running)._paas_transition(
            "suspended", "tenant.restored", vals=dict(vals, suspended_by_subscription=True)
        )
        self._paas_push_params_safe()


def _paas_drop(conninfo, dbname):
    """After the archive committed: drop the database and its filestore."""
    try:
        pgtools.drop_db(conninfo, dbname)
    except (pgtools.TransientError, psycopg2.Error):
        _logger.warning("Archived tenant database %s could not be dropped", dbname, exc_info=True)
    pgtools.remove_filestore(dbname)


def _paas_count_internal_users(cr):
    """Active internal users of the tenant database on ``cr``: members of
    ``base.group_user``, directly or through a group implying it, as the
    agent counts them (the group tables grant access, whatever the
    ``share`` flag says); the superuser is not counted."""
    cr.execute(
        """WITH RECURSIVE internal(gid) AS (
                SELECT res_id FROM ir_model_data
                 WHERE module = 'base' AND name = 'group_user' AND model = 'res.groups'
            UNION
                SELECT rel.gid FROM res_groups_implied_rel rel
                  JOIN internal ON internal.gid = rel.hid
           )
           SELECT count(DISTINCT u.id) FROM res_users u
             JOIN res_groups_users_rel member ON member.uid = u.id
            WHERE u.active AND u.id != 1 AND member.gid IN (SELECT gid FROM internal)"""
    )
    return cr.fetchone()[0]


def _paas_xmlid(cr, module, name):
    cr.execute("SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s", [module, name])
    return cr.fetchone()[0]


def _paas_renew_identity(cr):
    """A database copied from a template gets its own UUID and secret."""
    for key, value in (
        ("database.uuid", str(uuid.uuid1())),
        ("database.secret", str(uuid.uuid4())),
        ("database.create_date", fields.Datetime.to_string(fields.Datetime.now())),
    ):
        _paas_set_param(cr, key, value)


def _paas_set_admin_password(cr, hashed):
    cr.execute(
        "UPDATE res_users SET password = %s WHERE id = %s",
        [hashed, _paas_xmlid(cr, "base", "user_admin")],
    )


def _paas_set_param(cr, key, value):
    cr.execute(
        """INSERT INTO ir_config_parameter
                  (key, value, create_uid, write_uid, create_date, write_date)
           VALUES (%s, %s, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC')
               ON CONFLICT (key) DO UPDATE
              SET value = EXCLUDED.value, write_date = EXCLUDED.write_date""",
        [key, value],
    )
