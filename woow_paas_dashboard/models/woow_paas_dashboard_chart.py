from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .const import MOVEMENT_KINDS
from .dashboard_sql import CHART_SUBSCRIPTIONS_SQL, CHART_TENANTS_SQL


class WoowPaasDashboardChart(models.AbstractModel):
    """The dashboard's charts and the records behind their segments (a mixin
    of ``woow.paas.dashboard``)."""

    _name = "woow.paas.dashboard.chart"
    _description = "PaaS Dashboard: Charts"

    @api.model
    def _paas_charts(self, rows, months):
        """Revenue by plan and tenants by state at each trend month's end:
        ``{chart: [{"key", "label", "values"}]}``, one value per month."""
        plan_ids = sorted({int(pid) for m in months for pid in rows[m]["plan_mrr"] or {}})
        plans = self.env["woow.paas.plan"].sudo().with_context(active_test=False).browse(plan_ids)
        by_plan = [
            {
                "key": plan.id,
                "label": plan.display_name,
                "values": [
                    self._paas_round((rows[m]["plan_mrr"] or {}).get(str(plan.id), 0))
                    for m in months
                ],
            }
            for plan in plans
        ]
        # The largest plan at the end first: the bottom of the stack.
        by_plan.sort(key=lambda line: (-line["values"][-1], line["label"]))
        seen = {state for m in months for state in rows[m]["tenant_states"] or {}}
        labels = self.env["woow.paas.tenant"]._fields["state"]._description_selection(self.env)
        by_state = [
            {
                "key": state,
                "label": label,
                "values": [int((rows[m]["tenant_states"] or {}).get(state, 0)) for m in months],
            }
            for state, label in labels
            if state in seen
        ]
        return {"revenue_by_plan": by_plan, "tenants_by_state": by_state}

    @api.model
    def get_chart_records(self, chart, date_from, date_to, key, plan_ids=None):
        """The records behind one segment of a chart, for PaaS users:
        ``{"res_model", "ids"}``. ``chart`` is ``plan`` (the subscriptions
        paying on plan ``key`` at the end of ``date_to``), ``tenant_state``
        (the tenants in state ``key`` then), ``movement`` (the subscriptions
        with a movement ``key`` between ``date_from`` and ``date_to``: one of
        ``new``, ``reactivation``, ``expansion``, ``contraction`` or
        ``churn``, as the dashboard's movements) or what
        other addons add (:meth:`_paas_chart_records`)."""
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_user"):
            raise AccessError(self.env._("Only PaaS users can see the PaaS dashboard."))
        period = self._paas_parse_period(date_from, date_to)
        plan_ids = self._paas_parse_plans(plan_ids)
        return self._paas_chart_records(chart, period, key, plan_ids)

    @api.model
    def _paas_chart_records(self, chart, period, key, plan_ids):
        """Hook of :meth:`get_chart_records`: override for other charts
        (``super()`` for the others)."""
        start = self._paas_instant(period[0])
        end = self._paas_instant(period[1] + relativedelta(days=1))
        self.env.flush_all()
        dirty = self._paas_dirty()
        Segment = self.env["woow.paas.dashboard.segment"]
        plans = SQL("%s", plan_ids)
        if chart == "tenant_state":
            if not isinstance(key, str):
                raise UserError(self.env._("Unknown chart segment."))
            query = SQL(
                CHART_TENANTS_SQL,
                tenant_segment_ctes=Segment._paas_tenant_segment_query(dirty["t"]),
                dirty_tenants=dirty["t"],
                companies=self.env.companies.ids,
                condition=SQL(
                    "t0 < %s AND %s <= t1 AND state = %s AND %s",
                    end, end, key,
                    SQL("plan_id = ANY(%s)", plans) if plan_ids else SQL("TRUE"),
                ),
            )  # fmt: skip
            model = "woow.paas.tenant"
        else:
            paying = list(SUBSCRIPTION_PAYING)
            if plan_ids:
                amt = SQL(
                    "CASE WHEN state = ANY(%s) AND plan_id = ANY(%s) THEN amount ELSE 0 END",
                    paying, plans,
                )  # fmt: skip
                prev_amt = SQL(
                    "CASE WHEN prev_state = ANY(%s) AND prev_plan_id = ANY(%s)"
                    " THEN prev_amount ELSE 0 END",
                    paying, plans,
                )  # fmt: skip
                in_plan = SQL("plan_id = ANY(%s)", plans)
                prev_in_plan = SQL("prev_plan_id = ANY(%s)", plans)
            else:
                amt = SQL("CASE WHEN state = ANY(%s) THEN amount ELSE 0 END", paying)
                prev_amt = SQL("CASE WHEN prev_state = ANY(%s) THEN prev_amount ELSE 0 END", paying)
                in_plan = prev_in_plan = SQL("TRUE")
            pays = SQL("state = ANY(%s)", paying)
            paid = SQL("COALESCE(prev_state = ANY(%s), FALSE)", paying)
            if chart == "plan" and isinstance(key, int) and not isinstance(key, bool):
                condition = SQL("t0 < %s AND %s <= t1 AND %s AND plan_id = %s", end, end, pays, key)
            elif chart == "movement" and key in MOVEMENT_KINDS:
                fresh = SQL("prev_state IN ('draft', 'trial')")
                moves = {
                    "new": SQL("NOT %s AND %s AND %s AND %s", paid, pays, fresh, in_plan),
                    "reactivation": SQL(
                        "NOT %s AND %s AND NOT %s AND %s", paid, pays, fresh, in_plan
                    ),
                    "expansion": SQL("%s AND %s AND %s > %s", paid, pays, amt, prev_amt),
                    "contraction": SQL("%s AND %s AND %s < %s", paid, pays, amt, prev_amt),
                    "churn": SQL("%s AND NOT %s AND %s", paid, pays, prev_in_plan),
                }
                condition = SQL(
                    "t0 >= %s AND t0 < %s AND prev_state IS NOT NULL AND (%s)",
                    start, end, moves[key],
                )  # fmt: skip
            else:
                raise UserError(self.env._("Unknown chart segment."))
            query = SQL(
                CHART_SUBSCRIPTIONS_SQL,
                segment_ctes=Segment._paas_segment_query(dirty["s"]),
                dirty_subs=dirty["s"],
                companies=self.env.companies.ids,
                condition=condition,
            )
            model = "woow.paas.subscription"
        self.env.cr.execute(query)
        return {"res_model": model, "ids": self.env.cr.fetchone()[0] or []}
