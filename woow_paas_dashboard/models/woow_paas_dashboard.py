from datetime import date, datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

TREND_MONTHS = 12
# The MRR per month and its movements, for the chart.
MOVEMENTS = (
    "mrr", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
)  # fmt: skip
PRICE_EVENTS = ("subscription.plan_changed", "subscription.price_changed")

# One statement for every window (the period, the previous one and the trend
# months). Subscriptions are rebuilt as segments [t0, t1) of constant state,
# price and plan from the event log: state segments from the lifecycle events'
# "from"/"to", price segments unwound backwards from the current price through
# the plan and price changes' "before" values. A figure "at X" reads the
# segment with t0 < X <= t1; a movement is a segment boundary in [s, e).
DASHBOARD_SQL = """
WITH win(k, s, e) AS (VALUES %(windows)s),
cur(currency_id, rate, digits) AS (VALUES %(currencies)s),
sub AS (
    SELECT s.id, s.commercial_partner_id AS partner_id, s.plan_id, s.price,
           s.billing_interval AS interval, s.state, s.date_start, s.cancel_date,
           cur.rate, cur.digits
      FROM woow_paas_subscription s
      JOIN cur ON cur.currency_id = s.currency_id
     WHERE s.company_id = ANY(%(companies)s)
),
ev AS (
    -- Events of one second keep their id order: occurred_at has no fraction.
    SELECT e.res_id AS sub_id, e.event_type, e.payload, e.plan_id,
           e.occurred_at + (ROW_NUMBER() OVER (PARTITION BY e.res_id, e.occurred_at
                                               ORDER BY e.id) - 1)
                           * INTERVAL '1 microsecond' AS at
      FROM woow_paas_event e
      JOIN sub ON sub.id = e.res_id
     WHERE e.res_model = 'woow.paas.subscription'
       AND e.event_type LIKE 'subscription.%%'
       AND (e.payload ? 'to' OR e.event_type = ANY(%(price_events)s))
),
sev AS (SELECT sub_id, at, payload->>'from' AS src, payload->>'to' AS dst
          FROM ev WHERE payload ? 'to'),
bare AS (SELECT * FROM sub WHERE NOT EXISTS (SELECT 1 FROM sev WHERE sev.sub_id = sub.id)),
sseg AS (
    SELECT sub_id, dst AS state, at AS t0,
           COALESCE(LEAD(at) OVER (PARTITION BY sub_id ORDER BY at), 'infinity') AS t1
      FROM sev
    UNION ALL
    -- Before its first (kept) event, a subscription was in that event's source state.
    SELECT * FROM (SELECT DISTINCT ON (sub_id) sub_id, src, '-infinity'::timestamp, at
                     FROM sev ORDER BY sub_id, at) first_event
    UNION ALL
    -- No lifecycle event (imported records): from the dates and the current state.
    SELECT id, 'draft', '-infinity', COALESCE(date_start::timestamp, 'infinity') FROM bare
    UNION ALL
    SELECT id, CASE WHEN state = 'cancelled' THEN 'active' ELSE state END,
           date_start::timestamp, COALESCE(cancel_date::timestamp, 'infinity')
      FROM bare WHERE date_start IS NOT NULL
    UNION ALL
    SELECT id, 'cancelled', cancel_date::timestamp, 'infinity'
      FROM bare WHERE cancel_date IS NOT NULL
),
pev AS (
    SELECT ev.sub_id, ev.at,
           CASE WHEN ev.event_type = 'subscription.plan_changed'
                THEN (ev.payload->'before'->>'price')::numeric
                ELSE (ev.payload->>'before')::numeric END AS price,
           COALESCE(ev.payload->'before'->>'interval', plan.billing_interval) AS interval,
           COALESCE(plan.id, ev.plan_id) AS plan_id
      FROM ev
      LEFT JOIN woow_paas_plan plan
        ON plan.id = CASE WHEN ev.event_type = 'subscription.price_changed' THEN ev.plan_id END
        OR (ev.event_type = 'subscription.plan_changed' AND plan.code = ev.payload->>'from_plan')
     WHERE ev.event_type = ANY(%(price_events)s)
),
pseg AS (
    SELECT sub_id, COALESCE(LAG(at) OVER (PARTITION BY sub_id ORDER BY at), '-infinity') AS t0,
           at AS t1, price, interval, plan_id
      FROM pev
    UNION ALL
    SELECT sub.id, COALESCE(last.at, '-infinity'), 'infinity', sub.price, sub.interval, sub.plan_id
      FROM sub LEFT JOIN (SELECT sub_id, max(at) AS at FROM pev GROUP BY sub_id) last
        ON last.sub_id = sub.id
),
seg AS (
    SELECT ss.sub_id, sub.partner_id, ss.state, ps.plan_id,
           GREATEST(ss.t0, ps.t0) AS t0, LEAST(ss.t1, ps.t1) AS t1,
           ss.state = ANY(%(paying)s) AS paying,
           ss.state = ANY(%(paying)s) AND %(plan_filter)s AS counted,
           %(plan_filter)s AS in_plan,
           CASE WHEN ss.state = ANY(%(paying)s) AND %(plan_filter)s
                THEN ROUND(ps.price / CASE WHEN ps.interval = 'year' THEN 12 ELSE 1 END,
                           sub.digits) * sub.rate
                ELSE 0 END AS mrr
      FROM sseg ss
      JOIN pseg ps ON ps.sub_id = ss.sub_id AND ss.t0 < ps.t1 AND ps.t0 < ss.t1
      JOIN sub ON sub.id = ss.sub_id
),
mov AS (
    SELECT * FROM (
        SELECT sub_id, t0 AS at, state, mrr, paying, in_plan,
               LAG(state) OVER w AS prev_state, LAG(mrr) OVER w AS prev_mrr,
               LAG(paying) OVER w AS prev_paying, LAG(in_plan) OVER w AS prev_in_plan
          FROM seg WINDOW w AS (PARTITION BY sub_id ORDER BY t0)
    ) m WHERE prev_state IS NOT NULL
),
flow_rows AS (
    SELECT w.k, m.*,
           NOT m.prev_paying AND m.paying AND m.prev_state IN ('draft', 'trial') AS is_new,
           NOT m.prev_paying AND m.paying AND m.prev_state NOT IN ('draft', 'trial') AS is_back,
           m.prev_paying AND NOT m.paying AS is_churn,
           CASE WHEN m.prev_paying AND m.paying THEN m.mrr - m.prev_mrr ELSE 0 END AS delta
      FROM win w JOIN mov m ON m.at >= w.s AND m.at < w.e
),
flows AS (
    SELECT k,
           COALESCE(SUM(mrr) FILTER (WHERE is_new), 0) AS new_mrr,
           COUNT(*) FILTER (WHERE is_new AND in_plan) AS new_count,
           COALESCE(SUM(mrr) FILTER (WHERE is_back), 0) AS reactivation_mrr,
           COALESCE(SUM(prev_mrr) FILTER (WHERE is_churn), 0) AS churned_mrr,
           COUNT(*) FILTER (WHERE is_churn AND prev_in_plan) AS churned_count,
           COALESCE(SUM(GREATEST(delta, 0)), 0) AS expansion_mrr,
           COALESCE(SUM(GREATEST(-delta, 0)), 0) AS contraction_mrr,
           COUNT(*) FILTER (WHERE state = 'trial' AND prev_state != 'trial' AND in_plan) AS trials,
           COUNT(*) FILTER (WHERE prev_state = 'trial' AND state != 'trial' AND prev_in_plan)
               AS trials_ended,
           COUNT(*) FILTER (WHERE prev_state = 'trial' AND state = 'active' AND prev_in_plan)
               AS trials_converted,
           array_agg(DISTINCT sub_id) FILTER (WHERE k = 'cur' AND is_new AND in_plan) AS new_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE k = 'cur' AND is_churn AND prev_in_plan)
               AS churned_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE k = 'cur' AND (
               (is_churn AND prev_in_plan) OR delta < 0)) AS revenue_churn_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE k = 'cur' AND state = 'trial'
               AND prev_state != 'trial' AND in_plan) AS trial_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE k = 'cur' AND prev_state = 'trial'
               AND state != 'trial' AND prev_in_plan) AS trial_ended_ids
      FROM flow_rows GROUP BY k
),
stock AS (
    SELECT w.k, g.partner_id,
           SUM(g.mrr) FILTER (WHERE g.t0 < w.s AND g.t1 >= w.s) AS mrr_s,
           SUM(g.mrr) FILTER (WHERE g.t0 < w.e AND g.t1 >= w.e) AS mrr_e,
           bool_or(g.t0 < w.s AND g.t1 >= w.s) AS cust_s,
           bool_or(g.t0 < w.e AND g.t1 >= w.e) AS cust_e,
           array_agg(g.sub_id) FILTER (WHERE w.k = 'cur' AND g.t0 < w.e AND g.t1 >= w.e)
               AS sub_ids_e
      FROM win w JOIN seg g ON g.counted AND g.t0 < w.e AND g.t1 >= w.s
     GROUP BY w.k, g.partner_id
),
stocks AS (
    SELECT k,
           COALESCE(SUM(mrr_s), 0) AS mrr_start,
           COALESCE(SUM(mrr_e), 0) AS mrr,
           COUNT(*) FILTER (WHERE cust_s) AS customers_start,
           COUNT(*) FILTER (WHERE cust_e) AS customers,
           COUNT(*) FILTER (WHERE cust_s AND NOT cust_e) AS customers_lost,
           COALESCE(SUM(mrr_e) FILTER (WHERE cust_s), 0) AS retained_mrr,
           array_agg(partner_id) FILTER (WHERE k = 'cur' AND cust_e) AS customer_ids,
           array_agg(partner_id) FILTER (WHERE k = 'cur' AND cust_s AND NOT cust_e)
               AS lost_customer_ids,
           array_agg(partner_id) FILTER (WHERE k = 'cur' AND cust_s) AS cohort_ids
      FROM stock GROUP BY k
),
sub_ids_e AS (SELECT array_agg(x) AS ids FROM stock, unnest(sub_ids_e) x WHERE k = 'cur'),
ten AS (
    SELECT t.id, t.state, t.create_date
      FROM woow_paas_tenant t
     WHERE t.company_id = ANY(%(companies)s) AND %(tenant_plan_filter)s
),
tev AS (
    SELECT e.res_id AS tenant_id, e.payload->>'from' AS src, e.payload->>'to' AS dst,
           e.occurred_at + (ROW_NUMBER() OVER (PARTITION BY e.res_id, e.occurred_at
                                               ORDER BY e.id) - 1)
                           * INTERVAL '1 microsecond' AS at
      FROM woow_paas_event e JOIN ten ON ten.id = e.res_id
     WHERE e.res_model = 'woow.paas.tenant' AND e.payload ? 'to'
),
tseg AS (
    SELECT tenant_id, dst AS state, at AS t0,
           COALESCE(LEAD(at) OVER (PARTITION BY tenant_id ORDER BY at), 'infinity') AS t1
      FROM tev
    UNION ALL
    SELECT * FROM (SELECT DISTINCT ON (tenant_id) tenant_id, src, '-infinity'::timestamp, at
                     FROM tev ORDER BY tenant_id, at) first_event
    UNION ALL
    SELECT id, state, create_date, 'infinity' FROM ten
     WHERE NOT EXISTS (SELECT 1 FROM tev WHERE tev.tenant_id = ten.id)
),
tenants AS (
    SELECT w.k, COUNT(DISTINCT t.tenant_id) AS tenants,
           array_agg(DISTINCT t.tenant_id) FILTER (WHERE w.k = 'cur') AS tenant_ids
      FROM win w JOIN tseg t ON t.state = 'active' AND t.t0 < w.e AND t.t1 >= w.e
     GROUP BY w.k
)
SELECT w.k,
       f.new_mrr, f.new_count, f.reactivation_mrr, f.churned_mrr, f.churned_count,
       f.expansion_mrr, f.contraction_mrr, f.trials, f.trials_ended, f.trials_converted,
       s.mrr_start, s.mrr, s.customers_start, s.customers, s.customers_lost, s.retained_mrr,
       t.tenants,
       f.new_ids, f.churned_ids, f.revenue_churn_ids, f.trial_ids, f.trial_ended_ids,
       s.customer_ids, s.lost_customer_ids, s.cohort_ids, t.tenant_ids,
       CASE WHEN w.k = 'cur' THEN (SELECT ids FROM sub_ids_e) END AS mrr_ids
  FROM win w
  LEFT JOIN flows f ON f.k = w.k
  LEFT JOIN stocks s ON s.k = w.k
  LEFT JOIN tenants t ON t.k = w.k
"""

FIGURE_COLUMNS = (
    "new_mrr", "new_count", "reactivation_mrr", "churned_mrr", "churned_count",
    "expansion_mrr", "contraction_mrr", "trials", "trials_ended", "trials_converted",
    "mrr_start", "mrr", "customers_start", "customers", "customers_lost", "retained_mrr",
    "tenants",
)  # fmt: skip
ID_COLUMNS = (
    "new_ids", "churned_ids", "revenue_churn_ids", "trial_ids", "trial_ended_ids",
    "customer_ids", "lost_customer_ids", "cohort_ids", "tenant_ids", "mrr_ids",
)  # fmt: skip

# The cards, in display order: (key, format, higher is better, drill-down model, ids column).
KPIS = (
    ("mrr", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("arr", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("new_mrr", "monetary", True, "woow.paas.subscription", "new_ids"),
    ("churned_mrr", "monetary", False, "woow.paas.subscription", "churned_ids"),
    ("nrr", "percent", True, "res.partner", "cohort_ids"),
    ("customers", "integer", True, "res.partner", "customer_ids"),
    ("arpu", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("tenants", "integer", True, "woow.paas.tenant", "tenant_ids"),
    ("trials", "integer", True, "woow.paas.subscription", "trial_ids"),
    ("trial_conversion", "percent", True, "woow.paas.subscription", "trial_ended_ids"),
    ("logo_churn", "percent", False, "res.partner", "lost_customer_ids"),
    ("revenue_churn", "percent", False, "woow.paas.subscription", "revenue_churn_ids"),
)


def _ratio(numerator, denominator):
    return float(numerator) / float(denominator) if denominator else None


class WoowPaasDashboard(models.AbstractModel):
    """The figures of the PaaS dashboard, computed in SQL from subscriptions,
    tenants and the event log (see :meth:`get_dashboard`)."""

    _name = "woow.paas.dashboard"
    _description = "PaaS Dashboard"

    @api.model
    def get_dashboard(self, date_from, date_to, plan_ids=None):
        """Return the dashboard's figures for ``date_from``..``date_to``
        (dates, both included) as JSON-ready data, for PaaS users.

        Each KPI has its value, its value over the previous period of the
        same length, a trend of one point per month for the twelve months
        ending with ``date_to``'s month, and the records behind it
        (``drill``: model and ids). ``plan_ids`` narrows every figure to
        subscriptions on those plans at the time. Other addons add figures
        through :meth:`_paas_dashboard_providers`.
        """
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_user"):
            raise AccessError(self.env._("Only PaaS users can see the PaaS dashboard."))
        period = self._paas_parse_period(date_from, date_to)
        plan_ids = self._paas_parse_plans(plan_ids)
        windows = self._paas_windows(*period)
        company = self.env.company
        rows = self._paas_compute(windows, plan_ids)
        cur, prev = rows["cur"], rows["prev"]
        months = [key for key in windows if key.startswith("m")]
        kpis = []
        for key, fmt, higher_is_better, model, ids_column in KPIS:
            kpis.append(
                {
                    "key": key,
                    "format": fmt,
                    "higher_is_better": higher_is_better,
                    "value": self._paas_kpi(key, cur),
                    "previous": self._paas_kpi(key, prev),
                    "trend": [self._paas_kpi(key, rows[m]) for m in months],
                    "drill": {"res_model": model, "ids": sorted(cur[ids_column] or [])},
                }
            )
        ctx = {"windows": windows, "plan_ids": plan_ids, "rows": rows}
        for provider in self._paas_dashboard_providers():
            kpis.extend(provider(ctx))
        currency = company.currency_id
        return {
            "date_from": fields.Date.to_string(period[0]),
            "date_to": fields.Date.to_string(period[1]),
            "previous_from": fields.Date.to_string(windows["prev"][0]),
            "previous_to": fields.Date.to_string(windows["prev"][1] - relativedelta(days=1)),
            "currency": {
                "id": currency.id,
                "name": currency.name,
                "symbol": currency.symbol,
                "position": currency.position,
                "digits": currency.decimal_places,
            },
            "months": [fields.Date.to_string(windows[m][0]) for m in months],
            "movements": {
                name: [self._paas_round(rows[m][name]) for m in months] for name in MOVEMENTS
            },
            "plans": self.env["woow.paas.plan"]
            .with_context(active_test=False)
            .search_read([("company_id", "in", [False, *self.env.companies.ids])], ["name"]),
            "kpis": kpis,
        }

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    @api.model
    def _paas_dashboard_providers(self):
        """Hook: return the callables that add figures to the dashboard.

        Override to append your own and return the list (``super()`` first).
        Each callable takes a dict ``{"windows", "plan_ids", "rows"}``:
        ``windows`` maps ``"cur"`` (the period), ``"prev"`` (the previous
        one) and ``"m0"``..``"m11"`` (the trend months) to ``(start, end)``
        dates, the end excluded; ``plan_ids`` is the plan filter (or
        ``None``); ``rows`` holds the core figures per window. It returns a
        list of KPI dicts shaped like the core ones: ``key``, ``label``
        (translated), ``format`` (``monetary``, ``integer``, ``percent`` or
        ``number``), ``higher_is_better``, ``value``, ``previous``,
        ``trend`` (one value per trend month) and ``drill``
        (``{"res_model", "ids"}`` or ``{"res_model", "domain"}``).
        Providers should compute every window in one query.
        """
        return []

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------
    @api.model
    def _paas_parse_period(self, date_from, date_to):
        try:
            start = fields.Date.to_date(date_from)
            end = fields.Date.to_date(date_to)
        except (TypeError, ValueError) as exc:
            raise UserError(self.env._("Dates are expected as YYYY-MM-DD.")) from exc
        if not start or not end or end < start:
            raise UserError(self.env._("Choose a period whose end is on or after its start."))
        if (end - start).days > 3660:
            raise UserError(self.env._("Choose a period of ten years at most."))
        return start, end

    @api.model
    def _paas_parse_plans(self, plan_ids):
        if not plan_ids:
            return None
        if not isinstance(plan_ids, (list, tuple)) or not all(
            isinstance(pid, int) and not isinstance(pid, bool) for pid in plan_ids
        ):
            raise UserError(self.env._("The plan filter is a list of plan ids."))
        return sorted(set(plan_ids))

    @api.model
    def _paas_windows(self, start, end):
        """``{key: (start, end excluded)}`` for the period, the previous
        period and the trend months. The previous period of whole calendar
        months is the same number of months before; otherwise the same
        number of days before."""
        stop = end + relativedelta(days=1)
        if start.day == 1 and stop.day == 1:
            months = (stop.year - start.year) * 12 + stop.month - start.month
            prev = (start - relativedelta(months=months), start)
        else:
            prev = (start - (stop - start), start)
        windows = {"cur": (start, stop), "prev": prev}
        last = date(end.year, end.month, 1)
        for index in range(TREND_MONTHS):
            month = last - relativedelta(months=TREND_MONTHS - 1 - index)
            windows[f"m{index}"] = (month, min(month + relativedelta(months=1), stop))
        return windows

    @api.model
    def _paas_instant(self, day):
        """Midnight of ``day`` in the user's time zone, as naive UTC (the
        event log's ``occurred_at``)."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local = tz.localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _paas_currency_rates(self):
        """``[(currency_id, rate to the company currency, digits)]`` for the
        currencies of the subscriptions (today's rates)."""
        company = self.env.company
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT currency_id FROM woow_paas_subscription"
                " WHERE company_id = ANY(%s) AND currency_id IS NOT NULL",
                self.env.companies.ids,
            )
        )
        currencies = self.env["res.currency"].browse([cid for (cid,) in self.env.cr.fetchall()])
        target = company.currency_id
        today = fields.Date.context_today(self)
        rates = [(target.id, 1.0, target.decimal_places)]
        for currency in currencies - target:
            rate = currency._get_conversion_rate(currency, target, company, today)
            rates.append((currency.id, rate, currency.decimal_places))
        return rates

    @api.model
    def _paas_compute(self, windows, plan_ids):
        """Run the dashboard statement; ``{window key: {column: value}}``."""
        instants = {key: tuple(map(self._paas_instant, bounds)) for key, bounds in windows.items()}
        window_sql = SQL(", ").join(
            SQL("(%s, %s::timestamp, %s::timestamp)", key, s, e) for key, (s, e) in instants.items()
        )
        currency_sql = SQL(", ").join(
            SQL("(%s, %s::numeric, %s)", cid, rate, digits)
            for cid, rate, digits in self._paas_currency_rates()
        )
        if plan_ids:
            plan_filter = SQL("(ps.plan_id = ANY(%s))", plan_ids)
            tenant_plan_filter = SQL("(t.plan_id = ANY(%s))", plan_ids)
        else:
            plan_filter = tenant_plan_filter = SQL("TRUE")
        query = SQL(
            DASHBOARD_SQL,
            windows=window_sql,
            currencies=currency_sql,
            plan_filter=plan_filter,
            tenant_plan_filter=tenant_plan_filter,
            companies=self.env.companies.ids,
            price_events=list(PRICE_EVENTS),
            paying=list(SUBSCRIPTION_PAYING),
        )
        self.env.flush_all()
        self.env.cr.execute(query)
        names = [desc[0] for desc in self.env.cr.description]
        rows = {}
        for values in self.env.cr.fetchall():
            row = dict(zip(names, values, strict=True))
            for column in FIGURE_COLUMNS:
                row[column] = row[column] or 0
            rows[row.pop("k")] = row
        return rows

    @api.model
    def _paas_round(self, amount):
        return self.env.company.currency_id.round(float(amount or 0))

    @api.model
    def _paas_kpi(self, key, row):
        """The value of KPI ``key`` from one window's figures."""
        if key == "mrr":
            return self._paas_round(row["mrr"])
        if key == "arr":
            return self._paas_round(row["mrr"] * 12)
        if key in ("new_mrr", "churned_mrr"):
            return self._paas_round(row[key])
        if key == "nrr":
            return _ratio(row["retained_mrr"], row["mrr_start"])
        if key == "arpu":
            ratio = _ratio(row["mrr"], row["customers"])
            return None if ratio is None else self._paas_round(ratio)
        if key == "trial_conversion":
            return _ratio(row["trials_converted"], row["trials_ended"])
        if key == "logo_churn":
            return _ratio(row["customers_lost"], row["customers_start"])
        if key == "revenue_churn":
            return _ratio(row["churned_mrr"] + row["contraction_mrr"], row["mrr_start"])
        return int(row[key])
