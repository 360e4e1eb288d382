from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.woow_paas_core.formatting import format_number, scale_bytes

THRESHOLDS = (80, 100)


class WoowPaasTenantQuota(models.Model):
    """A tenant's limit for one resource and its measured usage.

    The limit comes from the plan (``plan._get_quota_limits()``; no line on the
    plan means unlimited) unless the tenant overrides it. Usage is measured by
    the platform's cron where it can (``users``) or consumed by other code
    through ``tenant._paas_quota_consume()`` (``api_calls``...). Crossing 80 %
    and 100 % emits ``quota.warning`` once per threshold and billing period;
    going past the limit is refused and emits ``quota.exceeded``. A measured
    level found over the limit (it happened where the platform could not
    refuse it, e.g. inside a tenant database) is not refused but announced:
    ``quota.exceeded`` once, a note on the tenant, and ``over_limit_since``
    until a measure finds it back within the limit.
    """

    _name = "woow.paas.tenant.quota"
    _description = "PaaS Tenant Quota"
    _order = "tenant_id, resource_sequence, id"
    _rec_name = "resource_id"

    tenant_id = fields.Many2one("woow.paas.tenant", required=True, index=True, ondelete="cascade")
    resource_id = fields.Many2one("woow.paas.resource", required=True, ondelete="restrict")
    resource_code = fields.Char(related="resource_id.code", store=True, index=True)
    resource_sequence = fields.Integer(related="resource_id.sequence", store=True)
    unit = fields.Char(related="resource_id.unit")
    plan_id = fields.Many2one(related="tenant_id.plan_id")
    company_id = fields.Many2one(related="tenant_id.company_id", store=True, index=True)
    plan_limit = fields.Float(compute="_compute_limits", store=True, digits=(16, 2))
    plan_unlimited = fields.Boolean(compute="_compute_limits", store=True)
    use_override = fields.Boolean(
        string="Override", help="Use the limit below instead of the plan's."
    )
    override_limit = fields.Float(digits=(16, 2))
    effective_limit = fields.Float(
        string="Limit", compute="_compute_limits", store=True, digits=(16, 2)
    )
    is_unlimited = fields.Boolean(string="Unlimited", compute="_compute_limits", store=True)
    usage = fields.Float(readonly=True, digits=(16, 2))
    usage_percent = fields.Float(
        string="Usage (%)", compute="_compute_usage_percent", store=True, digits=(16, 1)
    )
    period_start = fields.Date(
        readonly=True, help="Start of the billing period the usage and warnings count for."
    )
    warned_threshold = fields.Integer(
        readonly=True, help="Highest threshold (80 or 100 %) already announced this period."
    )
    measured_at = fields.Datetime(readonly=True)
    over_limit_since = fields.Datetime(
        string="Over the Limit Since",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When a measure first found the usage over the limit; cleared once a measure "
        "finds it back within.",
    )

    _tenant_resource_uniq = models.Constraint(
        "UNIQUE(tenant_id, resource_id)", "A tenant has one quota line per resource."
    )
    _override_positive = models.Constraint(
        "CHECK(override_limit IS NULL OR override_limit >= 0)",
        "A quota override cannot be negative.",
    )

    @api.depends(
        "tenant_id.plan_id.quota_ids.limit",
        "tenant_id.plan_id.quota_ids.resource_id",
        "resource_id",
        "use_override",
        "override_limit",
    )
    def _compute_limits(self):
        limits = {}
        for line in self:
            plan = line.tenant_id.plan_id
            if plan not in limits:
                limits[plan] = plan._get_quota_limits() if plan else {}
            plan_limit = limits[plan].get(line.resource_id.code)
            line.plan_limit = plan_limit or 0.0
            line.plan_unlimited = plan_limit is None
            if line.use_override:
                line.effective_limit = line.override_limit
                line.is_unlimited = False
            else:
                line.effective_limit = plan_limit or 0.0
                line.is_unlimited = plan_limit is None

    @api.depends("usage", "effective_limit", "is_unlimited")
    def _compute_usage_percent(self):
        for line in self:
            if line.is_unlimited:
                line.usage_percent = 0.0
            elif line.effective_limit:
                line.usage_percent = 100.0 * line.usage / line.effective_limit
            else:
                line.usage_percent = 100.0 if line.usage > 0 else 0.0

    def write(self, vals):
        res = super().write(vals)
        if {"use_override", "override_limit"} & vals.keys():
            # A lower limit may put the usage past a threshold at once.
            self._paas_notify_thresholds()
            # Database tenants enforce their limits themselves.
            self.tenant_id._paas_push_params_safe()
        return res

    # ------------------------------------------------------------------
    # Business methods (called through the tenant's _paas_quota_* methods)
    # ------------------------------------------------------------------
    def _paas_lock(self):
        """Serialise concurrent consumers of the same quota lines."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM woow_paas_tenant_quota WHERE id IN %s ORDER BY id FOR UPDATE",
                    tuple(self.ids),
                )
            )
            self.invalidate_recordset(["usage", "warned_threshold", "period_start"])

    def _paas_roll_period(self):
        """Start a new period where the subscription renewed: consumptions
        restart from zero and every threshold may be announced again."""
        for line in self:
            period = line.tenant_id.subscription_id.current_period_start or False
            if line.period_start != period:
                vals = {"period_start": period, "warned_threshold": 0}
                if line.resource_id.quota_reset == "period":
                    vals["usage"] = 0.0
                line.write(vals)

    def _paas_check(self, increment):
        """Raise a UserError (and emit ``quota.exceeded`` durably) when adding
        ``increment`` would take a line past its limit."""
        if increment <= 0:
            return
        for line in self:
            if line.is_unlimited or line.usage + increment <= line.effective_limit:
                continue
            tenant = line.tenant_id
            upgrade = tenant._paas_quota_upgrade_plan(line.resource_code, line.usage + increment)
            tenant._paas_emit_durable(
                "quota.exceeded",
                {
                    "resource": line.resource_code,
                    "limit": line.effective_limit,
                    "usage": line.usage,
                    "requested": increment,
                    "upgrade_plan": upgrade.code or None,
                },
            )
            raise UserError(line._paas_exceeded_message(increment, upgrade))

    def _paas_exceeded_message(self, increment, upgrade):
        self.ensure_one()
        resource = self.resource_id
        # The use and the request in the unit the limit is said in (GB for
        # a limit of 20,480 MB).
        shown, _unit = scale_bytes(self.effective_limit, resource.unit)
        factor = shown / self.effective_limit if self.effective_limit else 1.0
        message = self.env._(
            "Quota exceeded for %(resource)s on tenant %(tenant)s: the limit is "
            "%(limit)s and %(usage)s are already used (%(requested)s more requested).",
            resource=resource.name,
            tenant=self.tenant_id.code,
            limit=resource._paas_format_quantity(self.effective_limit),
            usage=format_number(self.env, self.usage * factor, 2, trim=True),
            requested=format_number(self.env, increment * factor, 2, trim=True),
        )
        if upgrade:
            limit = upgrade._get_quota_limits().get(self.resource_code)
            allows = (
                self.env._("no limit") if limit is None else resource._paas_format_quantity(limit)
            )
            return (
                message
                + " "
                + self.env._("Plan %(plan)s allows %(allows)s.", plan=upgrade.name, allows=allows)
            )
        return message + " " + self.env._("Contact us to raise this limit.")

    def _paas_add_usage(self, quantity):
        for line in self:
            line.usage = max(line.usage + quantity, 0.0)

    def _paas_set_usage(self, value, measured_at=None):
        self.write({"usage": max(value, 0.0), "measured_at": measured_at or fields.Datetime.now()})

    def _paas_notify_excess(self):
        """After a measure: a line newly over its limit emits ``quota.exceeded``
        (``measured``: nothing was refused) and notes it on the tenant for
        the operators; a line back within the limit is cleared. Nothing is
        suspended for it: the operator decides (plan change, override, a
        word with the customer)."""
        now = fields.Datetime.now()
        for line in self:
            over = not line.is_unlimited and line.usage > line.effective_limit
            if not over or line.over_limit_since:
                if not over and line.over_limit_since:
                    line.over_limit_since = False
                continue
            line.over_limit_since = now
            tenant = line.tenant_id
            upgrade = tenant._paas_quota_upgrade_plan(line.resource_code, line.usage)
            self.env["woow.paas.event"]._emit(
                "quota.exceeded",
                tenant,
                {
                    "resource": line.resource_code,
                    "limit": line.effective_limit,
                    "usage": line.usage,
                    "requested": 0,
                    "measured": True,
                    "upgrade_plan": upgrade.code or None,
                },
            )
            tenant.message_post(
                body=self.env._(
                    "Measured over its limit: %(resource)s is at %(usage)s for a limit of "
                    "%(limit)s. Nothing was refused or suspended: change the plan, set an "
                    "override or contact the customer.",
                    resource=line.resource_id.name,
                    usage=line.resource_id._paas_format_quantity(line.usage),
                    limit=line.resource_id._paas_format_quantity(line.effective_limit),
                )
            )

    def _paas_notify_thresholds(self):
        """Emit ``quota.warning`` for each threshold newly reached this period."""
        events = self.env["woow.paas.event"]
        for line in self.filtered(lambda q: not q.is_unlimited):
            percent = line.usage_percent
            for threshold in THRESHOLDS:
                if line.warned_threshold < threshold <= percent:
                    events._emit(
                        "quota.warning",
                        line.tenant_id,
                        {
                            "resource": line.resource_code,
                            "threshold": threshold,
                            "usage": line.usage,
                            "limit": line.effective_limit,
                            "period_start": (
                                line.period_start.isoformat() if line.period_start else None
                            ),
                        },
                    )
                    line.warned_threshold = threshold
