from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The ``tenants`` resource limits tenants per subscription, not per tenant.
TENANT_LEVEL_EXCLUDED = ("tenants",)


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
    paas_user_ids = fields.Many2many(
        "res.users",
        "woow_paas_tenant_users_rel",
        "tenant_id",
        "user_id",
        string="Users",
        help="Users allowed in this tenant (the same as their Allowed Tenants).",
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
        level is a fact), announcing thresholds."""
        tenants = self.browse(list(usage_by_tenant))
        lines = tenants._paas_quota_lines(resource_code)
        lines._paas_roll_period()
        now = fields.Datetime.now()
        for line in lines:
            line._paas_set_usage(usage_by_tenant.get(line.tenant_id.id, 0), now)
        lines._paas_notify_thresholds()
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
        measured = tenants.filtered(lambda t: "users" in t.plan_id._get_quota_limits())
        if measured:
            measured._paas_quota_set_usage(
                "users", {tenant.id: counts.get(tenant.id, 0) for tenant in measured}
            )
        tenants.write({"paas_usage_measured_at": now})
        if len(tenants) == batch_size:
            self.env.ref("woow_paas_tenant.ir_cron_measure_usage")._trigger()

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
