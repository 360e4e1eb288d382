from odoo import api, models
from odoo.tools import SQL


class WoowPaasDashboardUsage(models.AbstractModel):
    """Usage figures of the PaaS dashboard, read from billing's daily rollups."""

    _name = "woow.paas.dashboard.usage"
    _description = "PaaS Dashboard Usage Figures"

    @api.model
    def _paas_usage_kpis(self, ctx):
        """One card per active metric whose usage adds up from the daily
        rollups (billing's ``_paas_additive_domain``: sum and count): its
        total over each dashboard window, in one query.

        Days are the rollups' UTC days; the plan filter applies to the
        tenants' current plan. Other aggregations do not add up across
        tenants and days from the rollups (maximum, last value, unique
        count) or need the raw events (time-weighted sum), so they get no
        card.
        """
        windows = ctx["windows"]
        plan_ids = ctx["plan_ids"]
        Metric = self.env["woow.paas.metric"]
        metrics = Metric.search(Metric._paas_additive_domain(), order="sequence, id")
        if not metrics:
            return []
        window_sql = SQL(", ").join(
            SQL("(%s, %s::date, %s::date)", key, start, end)
            for key, (start, end) in windows.items()
        )
        if plan_ids:
            # Tenants count with their current plan: per-tenant rollups.
            source = SQL(
                """
                SELECT r.metric_id, r.day, r.event_count, r.quantity_sum
                  FROM woow_paas_usage_rollup r
                  JOIN woow_paas_tenant t ON t.id = r.tenant_id
                 WHERE r.metric_id = ANY(%(metrics)s) AND r.day >= %(first)s
                   AND r.day < %(last)s
                   AND t.company_id = ANY(%(companies)s) AND t.plan_id = ANY(%(plans)s)
                """,
                metrics=metrics.ids,
                first=min(start for start, _end in windows.values()),
                last=max(end for _start, end in windows.values()),
                companies=self.env.companies.ids,
                plans=plan_ids,
            )
        else:
            # The snapshot per day, except the days changed since its refresh,
            # which are summed from the rollups.
            source = SQL(
                """
                SELECT d.metric_id, d.day, d.event_count, d.quantity_sum
                  FROM woow_paas_dashboard_usage_day d
                 WHERE d.metric_id = ANY(%(metrics)s) AND d.company_id = ANY(%(companies)s)
                   AND NOT EXISTS (SELECT FROM woow_paas_dashboard_usage_dirty x
                                    WHERE x.metric_id = d.metric_id AND x.day = d.day)
                UNION ALL
                SELECT r.metric_id, r.day, r.event_count, r.quantity_sum
                  FROM (SELECT DISTINCT metric_id, day FROM woow_paas_dashboard_usage_dirty
                         WHERE metric_id = ANY(%(metrics)s)) x
                  JOIN woow_paas_usage_rollup r ON r.day = x.day AND r.metric_id = x.metric_id
                  JOIN woow_paas_tenant t ON t.id = r.tenant_id
                 WHERE t.company_id = ANY(%(companies)s)
                """,
                metrics=metrics.ids,
                companies=self.env.companies.ids,
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT w.k, r.metric_id, SUM(%(figure)s)
                  FROM (VALUES %(windows)s) w(k, s, e)
                  JOIN (%(source)s) r ON r.day >= w.s AND r.day < w.e
                  JOIN woow_paas_metric m ON m.id = r.metric_id
                 GROUP BY w.k, r.metric_id
                """,
                windows=window_sql,
                source=source,
                figure=Metric._paas_additive_sql("r", SQL("m.aggregation")),
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
                    # Counts are whole numbers; other figures have the
                    # metric's decimals.
                    "format": "integer" if metric.aggregation == "count" else "number",
                    "digits": 0 if metric.aggregation == "count" else metric.digits,
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

    @api.model
    def _paas_refresh_usage_snapshot(self, full=False):
        """Sum again the days whose rollups changed since the last refresh
        (every day with ``full``), then forget the changes it saw; changes
        this transaction does not see stay marked (see
        ``woow.paas.dashboard._paas_refresh_snapshot``)."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SELECT MAX(id) FROM woow_paas_dashboard_usage_dirty")
        up_to = cr.fetchone()[0]
        if full:
            cr.execute("DELETE FROM woow_paas_dashboard_usage_day")
            keys = SQL("SELECT DISTINCT metric_id, day FROM woow_paas_usage_rollup")
        elif not up_to:
            return
        else:
            keys = SQL(
                "SELECT DISTINCT metric_id, day FROM woow_paas_dashboard_usage_dirty"
                " WHERE id <= %s",
                up_to,
            )
            cr.execute(
                SQL(
                    "DELETE FROM woow_paas_dashboard_usage_day d USING (%s) k"
                    " WHERE d.metric_id = k.metric_id AND d.day = k.day",
                    keys,
                )
            )
        cr.execute(
            SQL(
                """
                INSERT INTO woow_paas_dashboard_usage_day (company_id, metric_id, day,
                                                           event_count, quantity_sum)
                SELECT t.company_id, r.metric_id, r.day, SUM(r.event_count), SUM(r.quantity_sum)
                  FROM (%s) k
                  JOIN woow_paas_usage_rollup r ON r.metric_id = k.metric_id AND r.day = k.day
                  JOIN woow_paas_tenant t ON t.id = r.tenant_id
                 GROUP BY t.company_id, r.metric_id, r.day
                """,
                keys,
            )
        )
        if up_to:
            cr.execute("DELETE FROM woow_paas_dashboard_usage_dirty WHERE id <= %s", [up_to])
