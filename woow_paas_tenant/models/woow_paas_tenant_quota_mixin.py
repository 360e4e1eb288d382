import logging
from collections import Counter
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import pgtools, tenantdb

_logger = logging.getLogger(__name__)

# The ``tenants`` resource limits tenants per subscription, not per tenant.
TENANT_LEVEL_EXCLUDED = ("tenants",)


class WoowPaasTenantQuotaMixin(models.AbstractModel):
    """Quotas of ``woow.paas.tenant``: other code counts and enforces usage
    with :meth:`_paas_quota_check` and :meth:`_paas_quota_consume`; the
    hourly usage job measures what the platform can see (users, and storage
    inside database tenants) and watches the agent there."""

    _name = "woow.paas.tenant.quota.mixin"
    _description = "PaaS Tenant Quotas"

    quota_ids = fields.One2many("woow.paas.tenant.quota", "tenant_id", string="Quotas")
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

    @api.model_create_multi
    def create(self, vals_list):
        self._paas_check_tenants_quota(
            Counter(vals["subscription_id"] for vals in vals_list if vals.get("subscription_id"))
        )
        tenants = super().create(vals_list)
        tenants._paas_quota_sync()
        return tenants

    def write(self, vals):
        if vals.get("subscription_id"):
            moving = self.filtered(lambda t: t.subscription_id.id != vals["subscription_id"])
            if moving:
                self._paas_check_tenants_quota(Counter({vals["subscription_id"]: len(moving)}))
        res = super().write(vals)
        if "subscription_id" in vals:
            self._paas_quota_sync()
        return res

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
                        users[tenant_id] = tenantdb.count_internal_users(cr)
                        agents[tenant_id] = (
                            tenantdb.agent_installed(cr),
                            tenantdb.agent_params(cr),
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
            current = {k: v for k, v in current.items() if k != tenantdb.SIGNIN_PARAM}
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
