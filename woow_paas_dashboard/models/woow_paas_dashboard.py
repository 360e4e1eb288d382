import bisect
from datetime import date, datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

from .woow_paas_dashboard_segment import SEGMENT_COLUMNS, TENANT_SEGMENT_COLUMNS

TREND_MONTHS = 12
FORECAST_MONTHS = 3
# The MRR per month and its movements, for the chart.
# ``fx_mrr`` is the currency effect: the change of MRR that no movement
# explains, since the stocks are converted at the rate of their own day.
MOVEMENTS = (
    "mrr", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
    "fx_mrr",
)  # fmt: skip

# One statement for every window (the period, the previous one and the trend
# months), made of scans, sorts, window functions and integer arithmetic, with
# no join between derived tables (whose row counts the planner can only
# guess). Each subscription's history is one stream of rows in time order: its
# lifecycle events (with "from"/"to") and its plan and price changes (with
# their "before" values). The state after a row is the last "to" so far
# (filled forwards); the price after a row is the "before" of the next price
# change, or today's price after the last one (filled backwards: prices are
# unwound from the current one). Each row starts a segment [t0, t1) of
# constant state, price and plan and knows the one before it. A figure "at X"
# reads the segment with t0 < X <= t1; a movement is a segment start in
# [s, e). The window bounds are sorted once: a segment covers the bounds
# lo..hi (width_bucket), a movement falls in bucket b, so windows compare
# integers and add up buckets rather than join ranges. Amounts are added up
# in double precision (several times faster than numeric over these rows)
# and every amount the statement returns is rounded to the currency's
# digits: the sums of whole cents are exact, and the same figures come out
# whatever the order of the rows (snapshot or live replay).
DASHBOARD_SQL = """
WITH win(k, s, e, si, ei, n, rt) AS (VALUES %(windows)s),
-- Odoo's rate of each day, per currency: rates[i + 1] from starts[i] (the
-- day's first instant), rates[1] before the first; a movement is converted
-- at the rate of its day.
cur(currency_id, starts, rates) AS (VALUES %(currencies)s),
-- A stock at a window's start or end (the end of the day before) is
-- converted at the rate of that day: rs and re.
wrate(k, currency_id, rs, re) AS (VALUES %(window_rates)s),
wj AS (SELECT * FROM win JOIN wrate USING (k)),
%(segment_ctes)s,
%(tenant_segment_ctes)s,
segs AS (
    -- The snapshot, except for the subscriptions changed since its refresh,
    -- which are replayed from the event log (sseg). A segment over before
    -- the first bound covers no bound and moves nothing in any window: the
    -- cost follows the years shown, not the years kept (index on t1).
    SELECT sub_id, partner_id, currency_id, state, prev_state, t0, t1, amount, prev_amount,
           plan_id, prev_plan_id
      FROM woow_paas_dashboard_segment
     WHERE company_id = ANY(%(companies)s) AND t1 >= %(first_bound)s
       AND sub_id NOT IN (SELECT unnest(%(dirty_subs)s::integer[]))
    UNION ALL
    SELECT sub_id, partner_id, currency_id, state, prev_state, t0, t1, amount, prev_amount,
           plan_id, prev_plan_id
      FROM sseg WHERE company_id = ANY(%(companies)s) AND t1 >= %(first_bound)s
),
seg AS (
    -- Amounts in the subscription's currency, converted where they are read.
    SELECT sub_id, partner_id, currency_id, plan_id, state, prev_state, t0, t1,
           state = ANY(%(paying)s) AS paying,
           COALESCE(prev_state = ANY(%(paying)s), FALSE) AS prev_paying,
           %(plan_filter)s AS in_plan,
           %(prev_plan_filter)s AS prev_in_plan,
           state = ANY(%(paying)s) AND %(plan_filter)s AS counted,
           CASE WHEN state = ANY(%(paying)s) AND %(plan_filter)s
                THEN amount::float8 ELSE 0 END AS amt,
           CASE WHEN prev_state = ANY(%(paying)s) AND %(prev_plan_filter)s
                THEN prev_amount::float8 ELSE 0 END AS prev_amt
      FROM segs
),
mrows AS (
    -- Movements at the rate of their day, in the bucket of the bounds they
    -- follow: a window [si, ei) adds up buckets si..ei-1 instead of
    -- comparing every movement to it.
    SELECT sub_id, state, prev_state, mrr, prev_mrr, in_plan, prev_in_plan, b,
           NOT prev_paying AND paying AND prev_state IN ('draft', 'trial') AS is_new,
           NOT prev_paying AND paying AND prev_state NOT IN ('draft', 'trial') AS is_back,
           prev_paying AND NOT paying AS is_churn,
           CASE WHEN prev_paying AND paying THEN mrr - prev_mrr ELSE 0 END AS delta
      FROM (SELECT seg.sub_id, seg.state, seg.prev_state, seg.in_plan, seg.prev_in_plan,
                   seg.paying, seg.prev_paying, width_bucket(seg.t0, %(bounds)s) AS b,
                   seg.amt * cur.rates[width_bucket(seg.t0, cur.starts) + 1] AS mrr,
                   seg.prev_amt * cur.rates[width_bucket(seg.t0, cur.starts) + 1] AS prev_mrr
              FROM seg JOIN cur USING (currency_id)
             WHERE seg.prev_state IS NOT NULL) moves
),
buckets AS (
    SELECT b,
           SUM(mrr) FILTER (WHERE is_new) AS new_mrr,
           COUNT(*) FILTER (WHERE is_new AND in_plan) AS new_count,
           SUM(mrr) FILTER (WHERE is_back) AS reactivation_mrr,
           SUM(prev_mrr) FILTER (WHERE is_churn) AS churned_mrr,
           COUNT(*) FILTER (WHERE is_churn AND prev_in_plan) AS churned_count,
           SUM(GREATEST(delta, 0)) AS expansion_mrr,
           SUM(GREATEST(-delta, 0)) AS contraction_mrr,
           COUNT(*) FILTER (WHERE state = 'trial' AND prev_state != 'trial' AND in_plan) AS trials,
           COUNT(*) FILTER (WHERE prev_state = 'trial' AND state != 'trial' AND prev_in_plan)
               AS trials_ended,
           COUNT(*) FILTER (WHERE prev_state = 'trial' AND state = 'active' AND prev_in_plan)
               AS trials_converted
      FROM mrows GROUP BY b
),
flows AS (
    SELECT w.k,
           COALESCE(SUM(new_mrr), 0) AS new_mrr, SUM(new_count) AS new_count,
           COALESCE(SUM(reactivation_mrr), 0) AS reactivation_mrr,
           COALESCE(SUM(churned_mrr), 0) AS churned_mrr, SUM(churned_count) AS churned_count,
           COALESCE(SUM(expansion_mrr), 0) AS expansion_mrr,
           COALESCE(SUM(contraction_mrr), 0) AS contraction_mrr,
           SUM(trials) AS trials, SUM(trials_ended) AS trials_ended,
           SUM(trials_converted) AS trials_converted
      FROM win w JOIN buckets ON w.si <= buckets.b AND buckets.b < w.ei
     GROUP BY w.k
),
flow_ids AS (
    SELECT array_agg(DISTINCT sub_id) FILTER (WHERE is_new AND in_plan) AS new_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE is_churn AND prev_in_plan) AS churned_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE state = 'trial' AND prev_state != 'trial'
                                                AND in_plan) AS trial_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE prev_state = 'trial' AND state != 'trial'
                                                AND prev_in_plan) AS trial_ended_ids
      FROM mrows m JOIN win w ON w.k = 'cur' AND w.si <= m.b AND m.b < w.ei
),
cov AS (
    -- The window bounds a segment covers (t0 < X <= t1) are the consecutive
    -- bounds lo..hi of the sorted list: counting them is integer arithmetic.
    SELECT sub_id, partner_id, currency_id, plan_id, amt,
           width_bucket(t0, %(bounds)s) + 1 AS lo, width_bucket(t1, %(bounds)s) AS hi
      FROM seg WHERE counted
),
pcov AS (
    -- pm: the bounds at which the segment's customer pays (one bit each);
    -- one row per customer is marked for the customer counts (ppm).
    SELECT cov.*,
           bit_or((1::bigint << hi) - (1::bigint << (lo - 1))) OVER p AS pm,
           row_number() OVER p = 1 AS first
      FROM cov WHERE lo <= hi
    WINDOW p AS (PARTITION BY partner_id)
),
ppm AS (
    SELECT partner_id, pm FROM pcov WHERE first
),
pdelta AS MATERIALIZED (
    -- Per currency and plan, the change of MRR at each bound: +amt at the
    -- first bound a segment covers, -amt after its last.
    SELECT currency_id, plan_id, i, SUM(d) AS d
      FROM (SELECT currency_id, plan_id, lo AS i, amt AS d FROM pcov
            UNION ALL
            SELECT currency_id, plan_id, hi + 1, -amt FROM pcov) deltas
     GROUP BY currency_id, plan_id, i
),
bstock AS (
    -- MRR at each bound, per currency in its own amounts: the changes summed
    -- in order.
    SELECT currency_id, i, SUM(SUM(d)) OVER (PARTITION BY currency_id ORDER BY i) AS amt
      FROM pdelta GROUP BY currency_id, i
),
stocks AS (
    -- MRR at a window's start and end, each currency at its rate there.
    SELECT w.k,
           SUM(w.rs * COALESCE((SELECT b.amt FROM bstock b
                                 WHERE b.currency_id = w.currency_id AND b.i <= w.si
                                 ORDER BY b.i DESC LIMIT 1), 0)) AS mrr_start,
           SUM(w.re * COALESCE((SELECT b.amt FROM bstock b
                                 WHERE b.currency_id = w.currency_id AND b.i <= w.ei
                                 ORDER BY b.i DESC LIMIT 1), 0)) AS mrr
      FROM wj w
     GROUP BY w.k
),
mrr_ids AS (
    SELECT array_agg(c.sub_id) AS mrr_ids
      FROM win w JOIN pcov c ON c.lo <= w.ei AND w.ei <= c.hi
     WHERE w.k = 'cur'
),
wlo(n, i, currency_id, si, ei, rs, re) AS (
    -- Each bound with the windows it lies in (si < i <= ei), and (whi)
    -- those it ends inside of (si <= i < ei), per currency, listed by the
    -- caller: the planner knows their sizes.
    VALUES %(bounds_in)s
),
whi(n, i, currency_id, si, ei, rs, re) AS (VALUES %(bounds_end)s),
bdelta AS (
    -- Per window and customer, the change of MRR between the window's start
    -- and end, summed over the only segments whose share differs: those
    -- starting or ending inside the window, and those in a currency whose
    -- rate moved (a segment covering both ends at one rate adds nothing).
    -- The opening base is the customers paying at the start (bit si of
    -- pm): for those still paying at the end, the change is their
    -- expansion or contraction, netted per customer (a second subscription
    -- is expansion, a move up and down again nets out); for the others,
    -- minus their opening MRR (churn). Customers outside the base paying
    -- at the end add their whole MRR (joined).
    -- The pairs (window, segment) are found by integer equality on the
    -- bounds (wlo, whi), not by comparing every segment to every window:
    -- a segment starting inside (si < lo <= ei) and still running at the
    -- end (one that also ends inside adds nothing), one started before and
    -- ending inside (lo <= si <= hi < ei), one covering the whole window in
    -- a currency whose rate moved.
    SELECT n, partner_id, MIN(pm) AS pm, SUM(d) AS d
      FROM (SELECT w.n, c.partner_id, c.pm, c.amt * w.re AS d
              FROM pcov c JOIN wlo w ON w.i = c.lo AND w.currency_id = c.currency_id
             WHERE c.hi >= w.ei
            UNION ALL
            SELECT w.n, c.partner_id, c.pm, -c.amt * w.rs
              FROM pcov c JOIN whi w ON w.i = c.hi AND w.currency_id = c.currency_id
             WHERE c.lo <= w.si
            UNION ALL
            SELECT w.n, c.partner_id, c.pm, c.amt * (w.re - w.rs)
              FROM wj w JOIN pcov c USING (currency_id)
             WHERE w.rt AND w.rs <> w.re AND c.lo <= w.si AND w.ei <= c.hi) pairs
     GROUP BY n, partner_id
),
retention AS (
    SELECT win.k,
           COALESCE(SUM(GREATEST(d, 0)) FILTER (WHERE in_base AND at_end), 0)
               AS base_expansion_mrr,
           COALESCE(SUM(GREATEST(-d, 0)) FILTER (WHERE in_base AND at_end), 0)
               AS base_contraction_mrr,
           COALESCE(SUM(-d) FILTER (WHERE in_base AND NOT at_end), 0) AS base_churned_mrr,
           COALESCE(SUM(d) FILTER (WHERE NOT in_base AND at_end), 0) AS joined_mrr,
           array_agg(partner_id) FILTER (WHERE win.k = 'cur' AND in_base AND at_end AND d < 0)
               AS contracted_ids
      FROM (SELECT win.k, b.partner_id, b.d, (b.pm >> (win.si - 1)) & 1 = 1 AS in_base,
                   (b.pm >> (win.ei - 1)) & 1 = 1 AS at_end
              FROM bdelta b JOIN win USING (n)) win
     GROUP BY win.k
),
pmc AS (
    -- Customers sharing a bitmask count together: a few hundred masks
    -- rather than one row per customer and window.
    SELECT pm, COUNT(*) AS n FROM ppm GROUP BY pm
),
customers AS (
    SELECT w.k,
           COALESCE(SUM(p.n) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1), 0) AS customers_start,
           COALESCE(SUM(p.n) FILTER (WHERE (p.pm >> (w.ei - 1)) & 1 = 1), 0) AS customers,
           COALESCE(SUM(p.n) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1
                                        AND (p.pm >> (w.ei - 1)) & 1 = 0), 0) AS customers_lost
      FROM win w CROSS JOIN pmc p
     GROUP BY w.k
),
customer_ids AS (
    SELECT array_agg(p.partner_id) FILTER (WHERE (p.pm >> (w.ei - 1)) & 1 = 1) AS customer_ids,
           array_agg(p.partner_id) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1
                                             AND (p.pm >> (w.ei - 1)) & 1 = 0)
               AS lost_customer_ids,
           array_agg(p.partner_id) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1) AS cohort_ids
      FROM win w CROSS JOIN ppm p WHERE w.k = 'cur'
),
tseg AS (
    SELECT tenant_id, state, t0, t1 FROM woow_paas_dashboard_tenant_segment
     WHERE company_id = ANY(%(companies)s) AND %(tenant_plan_filter)s
       AND t1 >= %(first_bound)s
       AND tenant_id NOT IN (SELECT unnest(%(dirty_tenants)s::integer[]))
    UNION ALL
    SELECT tenant_id, state, t0, t1 FROM ttseg
     WHERE company_id = ANY(%(companies)s) AND %(tenant_plan_filter)s
       AND t1 >= %(first_bound)s
),
tcov AS (
    SELECT tenant_id, state, width_bucket(t0, %(bounds)s) + 1 AS lo,
           width_bucket(t1, %(bounds)s) AS hi
      FROM tseg
),
tcount AS MATERIALIZED (
    -- Tenants per state at each bound: +1 where a segment starts covering,
    -- -1 after it stops, summed in order (segments of one tenant are disjoint).
    SELECT state, i, SUM(SUM(d)) OVER (PARTITION BY state ORDER BY i) AS n
      FROM (SELECT state, lo AS i, 1 AS d FROM tcov WHERE lo <= hi
            UNION ALL
            SELECT state, hi + 1, -1 FROM tcov WHERE lo <= hi) deltas
     GROUP BY state, i
),
tenants AS MATERIALIZED (
    SELECT w.k, jsonb_object_agg(c.state, c.n) FILTER (WHERE c.n <> 0) AS tenant_states
      FROM win w
     CROSS JOIN LATERAL (SELECT DISTINCT ON (state) state, n FROM tcount
                          WHERE i <= w.ei ORDER BY state, i DESC) c
     GROUP BY w.k
),
tenant_ids AS (
    SELECT array_agg(c.tenant_id) AS tenant_ids
      FROM win w JOIN tcov c ON c.lo <= w.ei AND w.ei <= c.hi AND c.state = 'active'
     WHERE w.k = 'cur'
),
plan_stock AS MATERIALIZED (
    -- MRR per plan at each bound, like bstock.
    SELECT currency_id, plan_id, i,
           SUM(d) OVER (PARTITION BY currency_id, plan_id ORDER BY i) AS amt
      FROM pdelta
),
plans AS (
    SELECT k, jsonb_object_agg(plan_id, ROUND(mrr::numeric, %(digits)s)) FILTER (WHERE mrr <> 0)
               AS plan_mrr
      FROM (SELECT w.k, p.plan_id, SUM(w.re * p.amt) AS mrr
              FROM wj w
             CROSS JOIN LATERAL (SELECT DISTINCT ON (plan_id) plan_id, amt FROM plan_stock b
                                  WHERE b.currency_id = w.currency_id AND b.i <= w.ei
                                  ORDER BY plan_id, i DESC) p
             GROUP BY w.k, p.plan_id) per_plan
     GROUP BY k
)
SELECT w.k,
       ROUND(f.new_mrr::numeric, %(digits)s) AS new_mrr, f.new_count,
       ROUND(f.reactivation_mrr::numeric, %(digits)s) AS reactivation_mrr,
       ROUND(f.churned_mrr::numeric, %(digits)s) AS churned_mrr, f.churned_count,
       ROUND(f.expansion_mrr::numeric, %(digits)s) AS expansion_mrr,
       ROUND(f.contraction_mrr::numeric, %(digits)s) AS contraction_mrr,
       f.trials, f.trials_ended, f.trials_converted,
       ROUND(s.mrr_start::numeric, %(digits)s) AS mrr_start,
       ROUND(s.mrr::numeric, %(digits)s) AS mrr,
       c.customers_start, c.customers, c.customers_lost,
       ROUND((s.mrr - COALESCE(r.joined_mrr, 0))::numeric, %(digits)s) AS retained_mrr,
       ROUND(r.base_churned_mrr::numeric, %(digits)s) AS base_churned_mrr,
       ROUND(r.base_expansion_mrr::numeric, %(digits)s) AS base_expansion_mrr,
       ROUND(r.base_contraction_mrr::numeric, %(digits)s) AS base_contraction_mrr,
       COALESCE((t.tenant_states->>'active')::integer, 0) AS tenants, t.tenant_states, pl.plan_mrr
       %(id_columns)s
  FROM win w
  LEFT JOIN flows f ON f.k = w.k
  LEFT JOIN stocks s ON s.k = w.k
  LEFT JOIN retention r ON r.k = w.k
  LEFT JOIN customers c ON c.k = w.k
  LEFT JOIN tenants t ON t.k = w.k
  LEFT JOIN plans pl ON pl.k = w.k
  %(id_joins)s
"""
# The records behind the period's figures ("cur"), only read for a
# drill-down (get_kpi_records): an unreferenced CTE costs nothing.
ID_COLUMNS = """
     , fi.new_ids, fi.churned_ids, fi.trial_ids, fi.trial_ended_ids, r.contracted_ids,
       ci.customer_ids, ci.lost_customer_ids, ci.cohort_ids, ti.tenant_ids, mi.mrr_ids
"""
ID_JOINS = """
  LEFT JOIN flow_ids fi ON w.k = 'cur'
  LEFT JOIN mrr_ids mi ON w.k = 'cur'
  LEFT JOIN customer_ids ci ON w.k = 'cur'
  LEFT JOIN tenant_ids ti ON w.k = 'cur'
"""

# The records behind a chart segment (``get_chart_records``): the same
# snapshot and live replay as the dashboard's statement, one condition.
CHART_SUBSCRIPTIONS_SQL = """
WITH %(segment_ctes)s,
segs AS (
    SELECT sub_id, state, prev_state, t0, t1, amount, prev_amount, plan_id, prev_plan_id
      FROM woow_paas_dashboard_segment
     WHERE company_id = ANY(%(companies)s)
       AND sub_id NOT IN (SELECT unnest(%(dirty_subs)s::integer[]))
    UNION ALL
    SELECT sub_id, state, prev_state, t0, t1, amount, prev_amount, plan_id, prev_plan_id
      FROM sseg WHERE company_id = ANY(%(companies)s)
)
SELECT array_agg(DISTINCT sub_id ORDER BY sub_id) FROM segs WHERE %(condition)s
"""
CHART_TENANTS_SQL = """
WITH %(tenant_segment_ctes)s,
tsegs AS (
    SELECT tenant_id, plan_id, state, t0, t1 FROM woow_paas_dashboard_tenant_segment
     WHERE company_id = ANY(%(companies)s)
       AND tenant_id NOT IN (SELECT unnest(%(dirty_tenants)s::integer[]))
    UNION ALL
    SELECT tenant_id, plan_id, state, t0, t1 FROM ttseg WHERE company_id = ANY(%(companies)s)
)
SELECT array_agg(DISTINCT tenant_id ORDER BY tenant_id) FROM tsegs WHERE %(condition)s
"""
# The movements of the MRR chart's bars, for their drill-down.
MOVEMENT_KINDS = ("new", "reactivation", "expansion", "contraction", "churn")

FIGURE_COLUMNS = (
    "new_mrr", "new_count", "reactivation_mrr", "churned_mrr", "churned_count",
    "expansion_mrr", "contraction_mrr", "trials", "trials_ended", "trials_converted",
    "mrr_start", "mrr", "customers_start", "customers", "customers_lost", "retained_mrr",
    "base_churned_mrr", "base_expansion_mrr", "base_contraction_mrr", "tenants",
)  # fmt: skip
# The cards, in display order: (key, format, higher is better, drill-down model, ids column).
KPIS = (
    ("mrr", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("arr", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("new_mrr", "monetary", True, "woow.paas.subscription", "new_ids"),
    ("churned_mrr", "monetary", False, "woow.paas.subscription", "churned_ids"),
    ("nrr", "percent", True, "res.partner", "cohort_ids"),
    ("grr", "percent", True, "res.partner", "cohort_ids"),
    ("customers", "integer", True, "res.partner", "customer_ids"),
    ("arpu", "monetary", True, "woow.paas.subscription", "mrr_ids"),
    ("tenants", "integer", True, "woow.paas.tenant", "tenant_ids"),
    ("trials", "integer", True, "woow.paas.subscription", "trial_ids"),
    ("trial_conversion", "percent", True, "woow.paas.subscription", "trial_ended_ids"),
    ("logo_churn", "percent", False, "res.partner", "lost_customer_ids"),
    ("revenue_churn", "percent", False, "res.partner", "revenue_churn_ids"),
)
# The parts of the retention figures, shown with their cards.
RETENTION_PARTS = (
    "mrr_start", "base_expansion_mrr", "base_contraction_mrr", "base_churned_mrr", "retained_mrr",
)  # fmt: skip


def _values(rows):
    """``VALUES`` rows (n, i, currency_id, si, ei, rs, re); one that matches
    nothing when there are none."""
    return SQL(", ").join(
        SQL("(%s, %s, %s, %s, %s, %s::float8, %s::float8)", *row)
        for row in rows or [(-1, -1, -1, -1, -1, 0, 0)]
    )


def _ratio(numerator, denominator):
    return float(numerator) / float(denominator) if denominator else None


class WoowPaasDashboard(models.AbstractModel):
    """The figures of the PaaS dashboard, computed in SQL from subscriptions,
    tenants and the event log (see :meth:`get_dashboard`)."""

    _name = "woow.paas.dashboard"
    _description = "PaaS Dashboard"

    @api.model
    def get_dashboard(self, date_from, date_to, plan_ids=None, currency_id=None):
        """Return the dashboard's figures for ``date_from``..``date_to``
        (dates, both included) as JSON-ready data, for PaaS users.

        Each KPI has its value, its value over the previous period of the
        same length, a trend of one point per month for the twelve months
        ending with ``date_to``'s month, and the records behind it
        (``drill``: the model, and the key to give :meth:`get_kpi_records`).
        ``plan_ids`` narrows every figure to subscriptions on those plans at
        the time. Amounts are in
        ``currency_id`` (an active currency; the company's by default),
        converted with Odoo's rates of each date. Other addons add figures
        through :meth:`_paas_dashboard_providers`.
        """
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_user"):
            raise AccessError(self.env._("Only PaaS users can see the PaaS dashboard."))
        period = self._paas_parse_period(date_from, date_to)
        plan_ids = self._paas_parse_plans(plan_ids)
        currency = self._paas_parse_currency(currency_id)
        # Rates, rounding and the providers' amounts follow the chosen currency.
        return self.with_context(paas_dashboard_currency_id=currency.id)._paas_dashboard_data(
            period, plan_ids, currency
        )

    @api.model
    def _paas_dashboard_data(self, period, plan_ids, currency):
        """The data of :meth:`get_dashboard`, its arguments checked."""
        windows = self._paas_windows(*period)
        today = fields.Date.context_today(self)
        tables = self._paas_rate_tables()
        # The forecast's year (trial conversion) and today (the base) need
        # no retention figures.
        rows = self._paas_compute(
            {**windows, **self._paas_forecast_windows(today)},
            plan_ids,
            tables,
            no_retention=("fyear", "now"),
        )
        for row in rows.values():
            row["fx_mrr"] = row["mrr"] - row["mrr_start"] - (
                row["new_mrr"] + row["reactivation_mrr"] + row["expansion_mrr"]
                - row["contraction_mrr"] - row["churned_mrr"]
            )  # fmt: skip
        cur, prev = rows["cur"], rows["prev"]
        months = [key for key in windows if key.startswith("m")]
        kpis = []
        for key, fmt, higher_is_better, model, _ids_column in KPIS:
            kpis.append(
                {
                    "key": key,
                    "format": fmt,
                    "higher_is_better": higher_is_better,
                    "value": self._paas_kpi(key, cur),
                    "previous": self._paas_kpi(key, prev),
                    "trend": [self._paas_kpi(key, rows[m]) for m in months],
                    # The records are read when the card is opened (get_kpi_records).
                    "drill": {"res_model": model, "kpi": key},
                }
            )
            if key in ("nrr", "grr", "revenue_churn"):
                kpis[-1]["parts"] = {part: self._paas_round(cur[part]) for part in RETENTION_PARTS}
        ctx = {"windows": windows, "plan_ids": plan_ids, "rows": rows, "tables": tables}
        for provider in self._paas_dashboard_providers():
            kpis.extend(provider(ctx))
        return {
            "date_from": fields.Date.to_string(period[0]),
            "date_to": fields.Date.to_string(period[1]),
            # False only before any subscription started: the dashboard says
            # so; a period before the first one shows its cards at zero.
            "has_subscriptions": self._paas_has_subscriptions(),
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
            "charts": self._paas_charts(rows, months),
            "currencies": self.env["res.currency"].search_read([], ["name", "symbol"]),
            "plans": self.env["woow.paas.plan"]
            .with_context(active_test=False)
            .search_read([("company_id", "in", [False, *self.env.companies.ids])], ["name"]),
            "kpis": kpis,
            "forecast": self._paas_forecast(rows, plan_ids, today, tables),
        }

    @api.model
    def _paas_has_subscriptions(self):
        """Whether a subscription of the companies ever left draft (one
        indexed probe)."""
        return bool(
            self.env["woow.paas.subscription"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [("state", "!=", "draft"), ("company_id", "in", self.env.companies.ids)], limit=1
            )
        )

    @api.model
    def get_kpi_records(self, key, date_from, date_to, plan_ids=None):
        """The records behind the value of the dashboard's card ``key`` over
        ``date_from``..``date_to``, for PaaS users: ``{"res_model", "ids"}``
        (see ``KPIS`` and the README for which records each card names)."""
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_user"):
            raise AccessError(self.env._("Only PaaS users can see the PaaS dashboard."))
        start, end = self._paas_parse_period(date_from, date_to)
        plan_ids = self._paas_parse_plans(plan_ids)
        kpi = next((kpi for kpi in KPIS if kpi[0] == key), None)
        if not kpi:
            raise UserError(self.env._("Unknown dashboard figure."))
        _key, _fmt, _higher, model, ids_column = kpi
        window = {"cur": (start, end + relativedelta(days=1))}
        row = self._paas_compute(window, plan_ids, with_ids=True)["cur"]
        row["revenue_churn_ids"] = set(row["lost_customer_ids"] or []) | set(
            row["contracted_ids"] or []
        )
        return {"res_model": model, "ids": sorted(row[ids_column] or [])}

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

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    @api.model
    def _paas_dashboard_providers(self):
        """Hook: return the callables that add figures to the dashboard.

        Override to append your own and return the list (``super()`` first).
        Each callable takes a dict ``{"windows", "plan_ids", "rows", "tables"}``:
        ``windows`` maps ``"cur"`` (the period), ``"prev"`` (the previous
        one) and ``"m0"``..``"m11"`` (the trend months) to ``(start, end)``
        dates, the end excluded; ``plan_ids`` is the plan filter (or
        ``None``); ``rows`` holds the core figures per window; ``tables``
        the rates of the subscriptions' currencies to the dashboard's
        (:meth:`_paas_rate_tables`). It returns a
        list of KPI dicts shaped like the core ones: ``key``, ``label``
        (translated), ``format`` (``monetary``, ``integer``, ``percent`` or
        ``number``; a ``number`` may say its ``digits``, 2 by default),
        ``higher_is_better``, ``value``, ``previous``,
        ``trend`` (one value per trend month) and ``drill``
        (``{"res_model", "ids"}`` or ``{"res_model", "domain"}``). ``tables``
        are the rates of the subscriptions' currencies to the dashboard's
        (:meth:`_paas_rate_tables`), for amounts to convert.
        Providers should compute every window in one query.
        """
        return []

    @api.model
    def _paas_dashboard_quotas(self, plan_ids, limit=10):
        """Hook: the tenants' quota lines nearest their limit, for the forecast.

        Override (``super()`` first, then extend) where quota data exists;
        return ``{"lines": [...], "saturated_subscription_ids": [...]}``:
        ``lines`` are at most ``limit`` dicts ``{"tenant_id", "tenant",
        "resource", "usage", "limit", "ratio", "runs_out"}`` (``runs_out`` an
        ISO date, or ``None`` when the current trend never reaches the
        limit), nearest first, and may carry ``usage_text`` (usage and limit
        with their unit, as the reader writes numbers); ``saturated_subscription_ids`` are the
        subscriptions with a tenant at 80 % of a limit or more, which the
        expansion candidates put first. ``saturation`` (optional) is the
        quota saturation chart: ``[{"key", "label", "count"}]``, whose
        segments :meth:`_paas_chart_records` opens (chart ``saturation``).
        ``plan_ids`` is the plan filter.
        """
        return {"lines": [], "saturated_subscription_ids": [], "saturation": []}

    # ------------------------------------------------------------------
    # Forecast
    # ------------------------------------------------------------------
    @api.model
    def _paas_forecast_windows(self, today):
        """The windows the forecast reads, computed in the dashboard's
        statement: the last three full months (churn trend), the last twelve
        (trial conversion) and today (the current base)."""
        first = date(today.year, today.month, 1)
        windows = {}
        for index in range(1, FORECAST_MONTHS + 1):
            start = first - relativedelta(months=index)
            windows[f"f{index}"] = (start, start + relativedelta(months=1))
        windows["fyear"] = (first - relativedelta(months=12), first)
        windows["now"] = (today, today + relativedelta(days=1))
        return windows

    @api.model
    def _paas_forecast(self, rows, plan_ids, today, tables=None):
        """MRR for the next three months, the quotas nearest their limit and
        the largest expansion candidates (see the README for definitions)."""
        base = rows["now"]["mrr"]
        rates = [
            self._paas_kpi("revenue_churn", rows[f"f{i}"])
            for i in range(1, FORECAST_MONTHS + 1)
            if rows[f"f{i}"]["mrr_start"]
        ]
        churn = sum(rates) / len(rates) if rates else 0.0
        year = rows["fyear"]
        conversion = _ratio(year["trials_converted"], year["trials_ended"]) or 0.0
        rates_by_currency = {
            cid: rate for cid, rate, _digits in self._paas_currency_rates(today, tables)
        }
        domain = [("state", "=", "trial"), ("company_id", "in", self.env.companies.ids)]
        if plan_ids:
            domain.append(("plan_id", "in", plan_ids))
        trials = (
            self.env["woow.paas.subscription"]
            .sudo()
            .search_read(domain, ["recurring_monthly", "currency_id", "trial_end_date"])
        )
        points = []
        value = float(base)
        previous_day = None
        trial_mrr = 0.0
        for index in range(1, FORECAST_MONTHS + 1):
            day = today + relativedelta(months=index)
            converting = sum(
                trial["recurring_monthly"]
                * float(rates_by_currency.get(trial["currency_id"][0], 0))
                for trial in trials
                if trial["currency_id"]
                and (
                    not trial["trial_end_date"]
                    or trial["trial_end_date"] <= day
                    and (previous_day is None or trial["trial_end_date"] > previous_day)
                )
            )
            trial_mrr += converting
            value = value * (1 - churn) + conversion * converting
            points.append({"date": fields.Date.to_string(day), "mrr": self._paas_round(value)})
            previous_day = day
        quotas = self._paas_dashboard_quotas(plan_ids, limit=10)
        paying = [("state", "in", list(SUBSCRIPTION_PAYING))]
        return {
            "base_mrr": self._paas_round(base),
            "churn_rate": churn,
            "trial_conversion": conversion,
            "trial_mrr": self._paas_round(trial_mrr),
            "points": points,
            "drill": {
                "base": {"res_model": "woow.paas.subscription", "domain": paying},
                "trials": {
                    "res_model": "woow.paas.subscription",
                    "domain": [("state", "=", "trial")],
                },
            },
            "quotas": quotas["lines"],
            "saturation": quotas.get("saturation", []),
            "expansion": self._paas_expansion_candidates(
                plan_ids, quotas["saturated_subscription_ids"], rates_by_currency
            ),
        }

    @api.model
    def _paas_expansion_candidates(self, plan_ids, saturated_ids, rates, limit=10):
        """The paying subscriptions with the largest expansion MRR: the move to
        the cheapest dearer plan of the same currency and interval, those
        with a tenant near a quota first. One query, whose cost does not grow
        with the number of subscriptions beyond one scan."""
        self.env.cr.execute(
            SQL(
                """
                WITH paying AS (
                    SELECT s.id, s.price, s.billing_interval, s.currency_id, s.company_id
                      FROM woow_paas_subscription s
                     WHERE s.state = ANY(%(paying)s) AND s.company_id = ANY(%(companies)s)
                       AND %(plan_filter)s
                ), nxt AS MATERIALIZED (
                    -- The next plan per price, currency, interval and company: a
                    -- handful of lookups rather than one per subscription.
                    SELECT k.*, n.id AS plan_id, n.price AS next_price
                      FROM (SELECT DISTINCT price, billing_interval, currency_id, company_id
                              FROM paying) k
                     CROSS JOIN LATERAL (
                           SELECT p.id, p.price FROM woow_paas_plan p
                            WHERE p.active AND p.price > k.price
                              AND COALESCE(p.currency_id, k.currency_id) = k.currency_id
                              AND COALESCE(p.billing_interval, 'month') = k.billing_interval
                              AND (p.company_id IS NULL OR p.company_id = k.company_id)
                            ORDER BY p.price, p.id LIMIT 1) n
                ), ranked AS MATERIALIZED (
                    SELECT nxt.*,
                           (nxt.next_price - nxt.price)
                           / CASE WHEN nxt.billing_interval = 'year' THEN 12 ELSE 1 END
                           * cur.rate AS gain
                      FROM nxt JOIN (VALUES %(currencies)s) cur(currency_id, rate)
                        USING (currency_id)
                )
                -- A group's gain is that of each of its subscriptions: the
                -- subscriptions near a quota, then the first ones (by id) of
                -- each group, rather than a sort of every paying subscription.
                SELECT id, plan_id, gain FROM (
                    SELECT s.id, r.plan_id, r.gain, r.price, TRUE AS near
                      FROM woow_paas_subscription s
                      JOIN ranked r USING (price, billing_interval, currency_id, company_id)
                     WHERE s.id = ANY(%(saturated)s) AND s.state = ANY(%(paying)s)
                       AND %(plan_filter)s
                    UNION ALL
                    SELECT f.id, r.plan_id, r.gain, r.price, FALSE
                      FROM ranked r
                     CROSS JOIN LATERAL (
                           SELECT s.id FROM woow_paas_subscription s
                            WHERE s.state = ANY(%(paying)s) AND %(plan_filter)s
                              AND s.price = r.price AND s.billing_interval = r.billing_interval
                              AND s.currency_id = r.currency_id AND s.company_id = r.company_id
                              AND NOT s.id = ANY(%(saturated)s)
                            ORDER BY s.id LIMIT %(limit)s) f
                ) candidates
                 ORDER BY near DESC, gain DESC, price DESC, id
                 LIMIT %(limit)s
                """,
                currencies=SQL(", ").join(
                    SQL("(%s, %s::numeric)", cid, rate) for cid, rate in rates.items()
                ),
                paying=list(SUBSCRIPTION_PAYING),
                companies=self.env.companies.ids,
                plan_filter=SQL("s.plan_id = ANY(%s)", plan_ids) if plan_ids else SQL("TRUE"),
                saturated=list(saturated_ids),
                limit=limit,
            )
        )
        found = self.env.cr.fetchall()
        subs = self.env["woow.paas.subscription"].sudo().browse([row[0] for row in found])
        plans = self.env["woow.paas.plan"].sudo().browse([row[1] for row in found])
        saturated = set(saturated_ids)
        return [
            {
                "subscription_id": sub.id,
                "name": sub.display_name,
                "customer": sub.commercial_partner_id.display_name,
                "plan": sub.plan_id.display_name,
                "next_plan": plan.display_name,
                "expansion_mrr": self._paas_round(gain),
                "near_quota": sub.id in saturated,
            }
            for sub, plan, (_sid, _pid, gain) in zip(subs, plans, found, strict=True)
        ]

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
    def _paas_parse_currency(self, currency_id):
        """The currency of the figures: ``currency_id`` (an active currency)
        or the company's."""
        if not currency_id:
            return self.env.company.currency_id
        if not isinstance(currency_id, int) or isinstance(currency_id, bool):
            raise UserError(self.env._("The currency is given by its id."))
        currency = self.env["res.currency"].browse(currency_id).exists()
        if not currency or not currency.active:
            raise UserError(
                self.env._("Choose an active currency: activate it in the accounting settings.")
            )
        return currency

    @api.model
    def _paas_currency(self):
        """The currency the figures are shown in (see :meth:`get_dashboard`)."""
        currency_id = self.env.context.get("paas_dashboard_currency_id")
        return (
            self.env["res.currency"].browse(currency_id)
            if currency_id
            else self.env.company.currency_id
        )

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
    def _paas_currency_rates(self, day=None, tables=None):
        """``[(currency_id, rate to the dashboard's currency, digits)]`` for the
        currencies of the subscriptions, at ``day`` (default today), from
        ``tables`` (:meth:`_paas_rate_tables`, read when not given)."""
        day = fields.Date.to_date(day) or fields.Date.context_today(self)
        return [
            (currency.id, self._paas_rate_at(table, day), currency.decimal_places)
            for currency, table in (tables or self._paas_rate_tables()).items()
        ]

    @api.model
    def _paas_rate_tables(self, extra_currencies=None):
        """``{currency: (days, rates)}`` for the dashboard's currency
        (:meth:`_paas_currency`) and those of the subscriptions (and
        ``extra_currencies``): the rate to the dashboard's currency is
        ``rates[0]`` before ``days[0]`` and ``rates[i + 1]`` from ``days[i]`` on.

        Odoo's rule (``res.currency._get_rates``), read in one query for
        every day: the latest rate on or before the day, the company's own
        rates (of its root company) before the shared ones; else the
        earliest rate; else 1. The conversion is the target currency's
        rate over the currency's rate."""
        company = self.env.company
        target = self._paas_currency()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT currency_id FROM woow_paas_subscription"
                " WHERE company_id = ANY(%s) AND currency_id IS NOT NULL",
                self.env.companies.ids,
            )
        )
        currencies = (
            target
            | self.env["res.currency"].browse([cid for (cid,) in self.env.cr.fetchall()])
            | (extra_currencies or self.env["res.currency"])
        )
        # Per currency, the company's own rates then the shared ones: (days, rates).
        history = {cid: (([], []), ([], [])) for cid in currencies.ids}
        if len(currencies) > 1:
            self.env.cr.execute(
                SQL(
                    "SELECT currency_id, company_id IS NOT NULL, name, rate"
                    " FROM res_currency_rate WHERE currency_id = ANY(%s)"
                    " AND (company_id IS NULL OR company_id = %s) ORDER BY name",
                    currencies.ids,
                    company.root_id.id,
                )
            )
            for cid, own, day, rate in self.env.cr.fetchall():
                days, rates = history[cid][0 if own else 1]
                days.append(day)
                rates.append(rate)

        def rate_at(cid, day):
            for days, rates in history[cid]:
                index = bisect.bisect_right(days, day)
                if index:
                    return rates[index - 1]
            for _days, rates in history[cid]:
                if rates:
                    return rates[0]
            return 1.0

        tables = {}
        for currency in currencies:
            if currency == target:
                tables[currency] = ([], [1.0])
                continue
            changes = sorted(
                {
                    day
                    for cid in (currency.id, target.id)
                    for days, _rates in history[cid]
                    for day in days
                }
            )
            days = []
            rates = [rate_at(target.id, date.min) / rate_at(currency.id, date.min)]
            for day in changes:
                rate = rate_at(target.id, day) / rate_at(currency.id, day)
                if rate != rates[-1]:
                    days.append(day)
                    rates.append(rate)
            tables[currency] = (days, rates)
        return tables

    @api.model
    def _paas_rate_at(self, table, day):
        """The rate of ``table`` (see :meth:`_paas_rate_tables`) on ``day``."""
        days, rates = table
        return rates[bisect.bisect_right(days, day)]

    @api.model
    def _paas_compute(self, windows, plan_ids, tables=None, no_retention=(), with_ids=False):
        """Run the dashboard statement; ``{window key: {column: value}}``.
        ``tables``: the currency rates (:meth:`_paas_rate_tables`); windows
        of ``no_retention`` get no retention figures (they cost the most);
        ``with_ids`` adds the records behind the ``cur`` window's figures."""
        # Windows with the same bounds (the forecast's last months are trend
        # months) are computed once, under their first key.
        same = {}
        for key, bounds in windows.items():
            same.setdefault(bounds, []).append(key)
        instants = {
            keys[0]: tuple(map(self._paas_instant, bounds)) for bounds, keys in same.items()
        }
        retention = {keys[0] for keys in same.values() if not set(keys) <= set(no_retention)}
        # Window bounds, sorted: a window [s, e) is the bounds si..ei (1-based).
        bounds = sorted({instant for pair in instants.values() for instant in pair})
        rank = {instant: index for index, instant in enumerate(bounds, 1)}
        # Customers carry one bit per bound in a bigint.
        assert len(bounds) < 63, "too many window bounds"
        window_sql = SQL(", ").join(
            SQL(
                "(%s, %s::timestamp, %s::timestamp, %s, %s, %s, %s)",
                *(key, s, e, rank[s], rank[e], n, key in retention),
            )
            for n, (key, (s, e)) in enumerate(instants.items())
        )
        # The pairs (window, bound) with si < bound <= ei and si <= bound < ei,
        # for the windows with retention figures.
        positions = [
            (n, rank[s], rank[e])
            for n, (key, (s, e)) in enumerate(instants.items())
            if key in retention
        ]
        tables = tables or self._paas_rate_tables()
        rates = {
            (key, currency.id): (
                self._paas_rate_at(table, start - relativedelta(days=1)),
                self._paas_rate_at(table, stop - relativedelta(days=1)),
            )
            for (start, stop), (key, *_same) in same.items()
            for currency, table in tables.items()
        }
        keys = list(instants)
        bounds_in, bounds_end = [], []
        for n, si, ei in positions:
            for currency in tables:
                rs, re = rates[keys[n], currency.id]
                row = (currency.id, si, ei, rs, re)
                bounds_in.extend((n, i, *row) for i in range(si + 1, ei + 1))
                bounds_end.extend((n, i, *row) for i in range(si, ei))
        currency_sql = SQL(", ").join(
            SQL(
                "(%s, %s::timestamp[], %s::float8[])",
                currency.id,
                [self._paas_instant(day) for day in days],
                rates,
            )
            for currency, (days, rates) in tables.items()
        )
        # A stock at a bound is that of the end of the day before it.
        window_rates_sql = SQL(", ").join(
            SQL("(%s, %s, %s::float8, %s::float8)", key, currency_id, rs, re)
            for (key, currency_id), (rs, re) in rates.items()
        )
        if plan_ids:
            plan_filter = SQL("COALESCE(plan_id = ANY(%s), FALSE)", plan_ids)
            prev_plan_filter = SQL("COALESCE(prev_plan_id = ANY(%s), FALSE)", plan_ids)
            tenant_plan_filter = SQL("COALESCE(plan_id = ANY(%s), FALSE)", plan_ids)
        else:
            plan_filter = prev_plan_filter = tenant_plan_filter = SQL("TRUE")
        self.env.flush_all()
        dirty = self._paas_dirty()
        Segment = self.env["woow.paas.dashboard.segment"]
        query = SQL(
            DASHBOARD_SQL,
            segment_ctes=Segment._paas_segment_query(dirty["s"]),
            tenant_segment_ctes=Segment._paas_tenant_segment_query(dirty["t"]),
            dirty_subs=dirty["s"],
            dirty_tenants=dirty["t"],
            windows=window_sql,
            bounds_in=_values(bounds_in),
            bounds_end=_values(bounds_end),
            bounds=SQL("%s::timestamp[]", bounds),
            first_bound=bounds[0],
            currencies=currency_sql,
            window_rates=window_rates_sql,
            plan_filter=plan_filter,
            prev_plan_filter=prev_plan_filter,
            tenant_plan_filter=tenant_plan_filter,
            companies=self.env.companies.ids,
            paying=list(SUBSCRIPTION_PAYING),
            id_columns=SQL(ID_COLUMNS if with_ids else ""),
            digits=self._paas_currency().decimal_places,
            id_joins=SQL(ID_JOINS if with_ids else ""),
        )
        # Room for the sorts and hashes of one statement, and no JIT (its
        # compilation costs more than this query runs); for this transaction.
        self.env.cr.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        self.env.cr.execute(query)
        names = [desc[0] for desc in self.env.cr.description]
        rows = {}
        for values in self.env.cr.fetchall():
            row = dict(zip(names, values, strict=True))
            for column in FIGURE_COLUMNS:
                row[column] = row[column] or 0
            for key in same[windows[row.pop("k")]]:
                rows[key] = dict(row)
        return rows

    # ------------------------------------------------------------------
    # Snapshot
    # ------------------------------------------------------------------
    @api.model
    def _paas_dirty(self, up_to=None):
        """``{"s": [subscription ids], "t": [tenant ids]}`` changed since
        their snapshot was refreshed (up to the marker ``up_to`` included)."""
        self.env.cr.execute(
            SQL(
                "SELECT kind, array_agg(DISTINCT res_id) FROM woow_paas_dashboard_dirty"
                " WHERE %s GROUP BY kind",
                SQL("id <= %s", up_to) if up_to else SQL("TRUE"),
            )
        )
        dirty = {"s": [], "t": []}
        dirty.update(dict(self.env.cr.fetchall()))
        return dirty

    @api.model
    def _paas_refresh_snapshot(self, full=False):
        """Rebuild the snapshot segments of the subscriptions and tenants
        changed since the last refresh (of all of them with ``full``), then
        forget the changes it saw. Markers written by transactions that this
        one does not see stay, so their records keep being replayed live
        until the next refresh: the dashboard is exact whenever this runs."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SELECT MAX(id) FROM woow_paas_dashboard_dirty")
        up_to = cr.fetchone()[0]
        if full:
            subs = tenants = None
        elif not up_to:
            return
        else:
            dirty = self._paas_dirty(up_to)
            subs, tenants = dirty["s"], dirty["t"]
        Segment = self.env["woow.paas.dashboard.segment"]
        for table, key, ids, ctes, columns, source in (
            ("woow_paas_dashboard_segment", "sub_id", subs,
             Segment._paas_segment_query(subs), SEGMENT_COLUMNS, "sseg"),
            ("woow_paas_dashboard_tenant_segment", "tenant_id", tenants,
             Segment._paas_tenant_segment_query(tenants), TENANT_SEGMENT_COLUMNS, "ttseg"),
        ):  # fmt: skip
            if ids is None:
                cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
            elif not ids:
                continue
            else:
                cr.execute(
                    SQL("DELETE FROM %s WHERE %s = ANY(%s)",
                        SQL.identifier(table), SQL.identifier(key), ids)
                )  # fmt: skip
            cr.execute(
                SQL(
                    "INSERT INTO %s (%s) WITH %s SELECT %s FROM %s",
                    SQL.identifier(table), SQL(columns), ctes, SQL(columns),
                    SQL.identifier(source),
                )
            )  # fmt: skip
        if up_to:
            cr.execute("DELETE FROM woow_paas_dashboard_dirty WHERE id <= %s", [up_to])

    @api.model
    def _cron_refresh_snapshot(self):
        self._paas_refresh_snapshot()

    @api.model
    def _paas_round(self, amount):
        return self._paas_currency().round(float(amount or 0))

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
        if key == "grr":
            return _ratio(
                row["mrr_start"] - row["base_churned_mrr"] - row["base_contraction_mrr"],
                row["mrr_start"],
            )
        if key == "arpu":
            ratio = _ratio(row["mrr"], row["customers"])
            return None if ratio is None else self._paas_round(ratio)
        if key == "trial_conversion":
            return _ratio(row["trials_converted"], row["trials_ended"])
        if key == "logo_churn":
            return _ratio(row["customers_lost"], row["customers_start"])
        if key == "revenue_churn":
            return _ratio(row["base_churned_mrr"] + row["base_contraction_mrr"], row["mrr_start"])
        return int(row[key])
