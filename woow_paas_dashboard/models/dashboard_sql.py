"""The dashboard's statement, as named fragments (CTEs).

Each :class:`Fragment` is one CTE with a docstring (``doc``); the statement
(:data:`DASHBOARD_SQL`) puts them together in order, and
:func:`dashboard_fragment_query` selects one of them alone, with the fragments it reads
given as small lists of values: each one is tested on its own
(``tests/test_sql_fragments.py``). Fragments only read what core declares in
``woow_paas_core.history`` (through the segment CTEs of
``woow.paas.dashboard.segment``) and the dashboard's own tables.
"""

from types import MappingProxyType

from .dashboard_sql_stock import (
    BDELTA,
    BSTOCK,
    COV,
    CUSTOMER_IDS,
    CUSTOMERS,
    MRR_IDS,
    PCOV,
    PDELTA,
    PLAN_STOCK,
    PLANS,
    PMC,
    PPM,
    RETENTION,
    STOCKS,
    TCOUNT,
    TCOV,
    TENANT_IDS,
    TENANTS,
    TSEG,
    WHI,
    WLO,
)  # fmt: skip
from .sql_fragment import Fragment, fragment_query

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

WIN = Fragment(
    "win",
    doc=(
        "The windows, listed by the caller: key, start and end instants, the numbers si and ei of "
        "those instants in the sorted bounds, the window's number n and whether it gets retention "
        "figures (rt)."
    ),
    columns="(k, s, e, si, ei, n, rt)",
    sql="""VALUES %(windows)s""",
)

CUR = Fragment(
    "cur",
    doc=(
        "Odoo's rate of each day, per currency: ``rates[i + 1]`` from ``starts[i]`` (the day's "
        "first instant), ``rates[1]`` before the first; a movement is converted at the rate of "
        "its day."
    ),
    columns="(currency_id, starts, rates)",
    sql="""VALUES %(currencies)s""",
)

WRATE = Fragment(
    "wrate",
    doc=(
        "The rates of a stock at each window's start (rs) and end (re), per currency: the rate of "
        "the day before each bound."
    ),
    columns="(k, currency_id, rs, re)",
    sql="""VALUES %(window_rates)s""",
)

WJ = Fragment(
    "wj",
    doc=("The windows with their rates, one row per window and currency."),
    sql="""SELECT * FROM win JOIN wrate USING (k)""",
)

SEGS = Fragment(
    "segs",
    doc=(
        "The subscriptions' segments: the snapshot, except the subscriptions changed since its "
        "refresh, replayed from the event log (``sseg``); only those still running at the first "
        "bound."
    ),
    sql="""
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
""",
)

SEG = Fragment(
    "seg",
    doc=(
        "The segments with whether they pay, whether they are in the plan filter, and their "
        "amounts in the subscription's currency (zero when not counted)."
    ),
    sql="""
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
""",
)

MROWS = Fragment(
    "mrows",
    doc=(
        "The movements (segment starts with a state before): new, reactivation, churn and price "
        "delta, at the rate of their day, with the bucket of bounds (b) they fall in."
    ),
    sql="""
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
""",
)

BUCKETS = Fragment(
    "buckets",
    doc=("The movements added up per bucket of bounds."),
    sql="""
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
""",
)

FLOWS = Fragment(
    "flows",
    doc=("The movements of each window: the buckets si..ei-1, added up."),
    sql="""
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
""",
)

FLOW_IDS = Fragment(
    "flow_ids",
    doc=("The subscriptions behind the period's (``cur``) movements, for the drill-down."),
    sql="""
    SELECT array_agg(DISTINCT sub_id) FILTER (WHERE is_new AND in_plan) AS new_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE is_churn AND prev_in_plan) AS churned_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE state = 'trial' AND prev_state != 'trial'
                                                AND in_plan) AS trial_ids,
           array_agg(DISTINCT sub_id) FILTER (WHERE prev_state = 'trial' AND state != 'trial'
                                                AND prev_in_plan) AS trial_ended_ids
      FROM mrows m JOIN win w ON w.k = 'cur' AND w.si <= m.b AND m.b < w.ei
""",
)

# The fragments of the dashboard's statement, in order. The segment CTEs of
# ``woow.paas.dashboard.segment`` (``sseg``, ``ttseg``: the live replay of the
# records changed since the snapshot's refresh) come after ``wj``.
HEAD_FRAGMENTS = (WIN, CUR, WRATE, WJ)
DASHBOARD_FRAGMENTS = (
    WIN,
    CUR,
    WRATE,
    WJ,
    SEGS,
    SEG,
    MROWS,
    BUCKETS,
    FLOWS,
    FLOW_IDS,
    COV,
    PCOV,
    PPM,
    PDELTA,
    BSTOCK,
    STOCKS,
    MRR_IDS,
    WLO,
    WHI,
    BDELTA,
    RETENTION,
    PMC,
    CUSTOMERS,
    CUSTOMER_IDS,
    TSEG,
    TCOV,
    TCOUNT,
    TENANTS,
    TENANT_IDS,
    PLAN_STOCK,
    PLANS,
)
# What the segment CTEs provide, by placeholder.
SEGMENT_SOURCES = MappingProxyType({"sseg": "%(segment_ctes)s", "ttseg": "%(tenant_segment_ctes)s"})

# One row per window: the figures, rounded to the currency's digits.
DASHBOARD_SELECT = """
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


def _with(ctes, select):
    return "WITH " + ",\n".join(ctes) + "\n" + select


DASHBOARD_SQL = _with(
    [
        *(fragment.cte() for fragment in HEAD_FRAGMENTS),
        *SEGMENT_SOURCES.values(),
        *(fragment.cte() for fragment in DASHBOARD_FRAGMENTS[len(HEAD_FRAGMENTS) :]),
    ],
    DASHBOARD_SELECT,
)
# Read-only: shared by every request.
FRAGMENTS = MappingProxyType({fragment.name: fragment for fragment in DASHBOARD_FRAGMENTS})


def dashboard_fragment_query(name, inputs, **params):
    """:func:`~.sql_fragment.fragment_query` on the dashboard's fragments,
    for their tests; ``sseg`` and ``ttseg`` (the segment CTEs) are inputs."""
    return fragment_query(FRAGMENTS, name, inputs, **params)
