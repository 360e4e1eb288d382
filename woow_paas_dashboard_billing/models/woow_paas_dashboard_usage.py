from odoo import api, models
from odoo.tools import SQL

# Aggregations whose daily rollups add up over a period, and the rollup
# column that does.
ADDITIVE = {"sum": "quantity_sum", "count": "event_count"}


class WoowPaasDashboardUsage(models.AbstractModel):
    """Usage figures of the PaaS dashboard, read from billing's daily rollups."""

    _name = "woow.paas.dashboard.usage"
    _description = "PaaS Dashboard Usage Figures"

    @api.model
    def _paas_usage_kpis(self, ctx):
        """One card per active metric whose usage adds up (sum and count
        aggregations): its total over each dashboard window, in one query.

        Days are the rollups' UTC days; the plan filter applies to the
        tenants' current plan. Other aggregations (maximum, last value,
        unique count, time-weighted sum) do not add up across tenants and
        days, so they get no card.
        """
        windows = ctx["windows"]
        plan_ids = ctx["plan_ids"]
        metrics = self.env["woow.paas.metric"].search(
            [("aggregation", "in", list(ADDITIVE))], order="sequence, id"
        )
        if not metrics:
            return []
        window_sql = SQL(", ").join(
            SQL("(%s, %s::date, %s::date)", key, start, end)
            for key, (start, end) in windows.items()
        )
        plan_filter = SQL("t.plan_id = ANY(%s)", plan_ids) if plan_ids else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                """
                SELECT w.k, r.metric_id,
                       SUM(CASE WHEN m.aggregation = 'count' THEN r.event_count
                                ELSE r.quantity_sum END)
                  FROM (VALUES %(windows)s) w(k, s, e)
                  JOIN woow_paas_usage_rollup r ON r.day >= w.s AND r.day < w.e
                  JOIN woow_paas_metric m ON m.id = r.metric_id
                  JOIN woow_paas_tenant t ON t.id = r.tenant_id
                 WHERE r.metric_id = ANY(%(metrics)s)
                   AND t.company_id = ANY(%(companies)s) AND %(plan_filter)s
                 GROUP BY w.k, r.metric_id
                """,
                windows=window_sql,
                metrics=metrics.ids,
                companies=self.env.companies.ids,
                plan_filter=plan_filter,
            )
        )
        totals = {
            (key, metric_id): float(total) for key, metric_id, total in self.env.cr.fetchall()
        }
        months = [key for key in windows if key.startswith("m")]
        start, end = windows["cur"]
        kpis = []
        for metric in metrics:
            unit = metric.unit or ""
            kpis.append(
                {
                    "key": f"usage_{metric.code}",
                    "label": self.env._("Usage: %(metric)s", metric=metric.name),
                    "help": self.env._(
                        "%(metric)s used over the period%(unit)s",
                        metric=metric.name,
                        unit=f" ({unit})" if unit else "",
                    ),
                    "format": "number",
                    "higher_is_better": True,
                    "value": totals.get(("cur", metric.id), 0.0),
                    "previous": totals.get(("prev", metric.id), 0.0),
                    "trend": [totals.get((m, metric.id), 0.0) for m in months],
                    "drill": {
                        "res_model": "woow.paas.usage.rollup",
                        "domain": [
                            ("metric_id", "=", metric.id),
                            ("day", ">=", start.isoformat()),
                            ("day", "<", end.isoformat()),
                            *([("tenant_id.plan_id", "in", plan_ids)] if plan_ids else []),
                        ],
                    },
                }
            )
        return kpis
