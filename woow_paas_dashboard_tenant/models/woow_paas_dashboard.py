import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

SATURATED = 0.8
# The quota saturation chart: tenants by their fullest quota.
SATURATION_BUCKETS = (
    ("low", 0.0, 0.5), ("half", 0.5, SATURATED), ("near", SATURATED, 1.0), ("full", 1.0, None),
)  # fmt: skip


class WoowPaasDashboard(models.AbstractModel):
    _inherit = "woow.paas.dashboard"

    @api.model
    def _paas_dashboard_quotas(self, plan_ids, limit=10):
        """Override of ``woow_paas_dashboard`` with the tenants' quota lines.

        A line's run-out day at its current trend: for a consumption (reset
        each period), the usage so far spread over the days elapsed since the
        period started, extended until it meets the limit, unless the period
        ends (and the usage resets) first; for a level (users, storage) the
        tenant layer keeps no history, so only a level already at its limit
        has a day (today). Lines are ranked by usage over limit.
        """
        result = super()._paas_dashboard_quotas(plan_ids, limit=limit)
        self.env.flush_all()
        base = self._paas_quota_scope(plan_ids)
        # Quotas not used at all are nearest nothing: not listed.
        self.env.cr.execute(
            SQL(
                "SELECT q.id, COALESCE(q.usage, 0) / q.effective_limit AS ratio %s"
                " AND q.usage > 0 ORDER BY ratio DESC, q.id LIMIT %s",
                base,
                limit,
            )
        )
        found = self.env.cr.fetchall()
        self.env.cr.execute(
            SQL(
                "SELECT array_agg(DISTINCT t.subscription_id) %s"
                " AND q.usage >= %s * q.effective_limit AND t.subscription_id IS NOT NULL",
                base,
                SATURATED,
            )
        )
        saturated = self.env.cr.fetchone()[0] or []
        lines = self.env["woow.paas.tenant.quota"].sudo().browse([row[0] for row in found])
        today = fields.Date.context_today(self)
        result["lines"].extend(
            {
                "tenant_id": line.tenant_id.id,
                "tenant": line.tenant_id.display_name,
                "resource": line.resource_id.display_name,
                "usage": line.usage or 0.0,
                "limit": line.effective_limit,
                "usage_text": line.resource_id._paas_format_usage(line.usage, line.effective_limit),
                "ratio": float(ratio),
                "runs_out": self._paas_quota_runs_out(line, today),
            }
            for line, (_id, ratio) in zip(lines, found, strict=True)
        )
        result["saturated_subscription_ids"] = sorted(
            set(result["saturated_subscription_ids"]) | set(saturated)
        )
        self.env.cr.execute(
            SQL(
                "SELECT bucket, COUNT(*) FROM (SELECT %s AS bucket %s GROUP BY t.id) fullest"
                " GROUP BY bucket",
                self._paas_saturation_bucket(),
                base,
            )
        )
        counts = dict(self.env.cr.fetchall())
        labels = self._paas_saturation_labels()
        result["saturation"] = [
            {"key": key, "label": labels[key], "count": counts.get(key, 0)}
            for key, _low, _high in SATURATION_BUCKETS
        ]
        return result

    @api.model
    def _paas_quota_scope(self, plan_ids):
        """SQL: FROM and WHERE of the quotas with a limit of the live tenants."""
        return SQL(
            """
            FROM woow_paas_tenant_quota q
            JOIN woow_paas_tenant t ON t.id = q.tenant_id
            WHERE NOT q.is_unlimited AND q.effective_limit > 0
              AND t.state NOT IN ('archived', 'failed') AND t.company_id = ANY(%s) AND %s
            """,
            self.env.companies.ids,
            SQL("t.plan_id = ANY(%s)", plan_ids) if plan_ids else SQL("TRUE"),
        )

    @api.model
    def _paas_saturation_labels(self):
        return {
            "low": self.env._("Under 50 %"),
            "half": self.env._("50 to 80 %"),
            "near": self.env._("80 to 100 %"),
            "full": self.env._("At or over the limit"),
        }

    @api.model
    def _paas_saturation_bucket(self):
        """SQL: the bucket of a tenant's fullest quota (grouped by tenant)."""
        ratio = SQL("MAX(COALESCE(q.usage, 0) / q.effective_limit)")
        return SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL("WHEN %s >= %s THEN %s", ratio, low, key)
                for key, low, _high in reversed(SATURATION_BUCKETS)
            ),
        )

    @api.model
    def _paas_chart_records(self, chart, period, key, plan_ids):
        """Override of ``woow_paas_dashboard``: the tenants of a quota
        saturation bucket (today's quotas: the tenant layer keeps no history
        of levels)."""
        if chart != "saturation":
            return super()._paas_chart_records(chart, period, key, plan_ids)
        if not isinstance(key, str) or key not in self._paas_saturation_labels():
            raise UserError(self.env._("Unknown chart segment."))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT array_agg(id ORDER BY id)
                  FROM (SELECT t.id, %s AS bucket %s GROUP BY t.id) fullest
                 WHERE bucket = %s
                """,
                self._paas_saturation_bucket(),
                self._paas_quota_scope(plan_ids),
                key,
            )
        )
        return {"res_model": "woow.paas.tenant", "ids": self.env.cr.fetchone()[0] or []}

    @api.model
    def _paas_quota_runs_out(self, line, today):
        """The ISO day ``line`` reaches its limit at its current trend, or None."""
        if line.usage >= line.effective_limit:
            return fields.Date.to_string(today)
        if line.resource_id.quota_reset != "period" or not line.period_start:
            return None
        elapsed = max((today - line.period_start).days, 1)
        rate = line.usage / elapsed
        if rate <= 0:
            return None
        day = today + timedelta(days=math.ceil((line.effective_limit - line.usage) / rate))
        period_end = line.tenant_id.subscription_id.current_period_end
        if period_end and day >= period_end:
            return None
        return fields.Date.to_string(day)
