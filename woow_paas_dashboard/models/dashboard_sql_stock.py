"""The fragments of the dashboard's statement for the stocks at the window
bounds: MRR, retention of the opening base, customers, tenants and MRR per
plan (see ``dashboard_sql``)."""

from .sql_fragment import Fragment

COV = Fragment(
    "cov",
    doc=("The bounds lo..hi each counted segment covers (t0 < bound <= t1)."),
    sql="""
    -- The window bounds a segment covers (t0 < X <= t1) are the consecutive
    -- bounds lo..hi of the sorted list: counting them is integer arithmetic.
    SELECT sub_id, partner_id, currency_id, plan_id, amt,
           width_bucket(t0, %(bounds)s) + 1 AS lo, width_bucket(t1, %(bounds)s) AS hi
      FROM seg WHERE counted
""",
)

PCOV = Fragment(
    "pcov",
    doc=(
        "The covered segments with their customer's bitmask of the bounds it pays at (pm); one "
        "row per customer is marked (first)."
    ),
    sql="""
    -- pm: the bounds at which the segment's customer pays (one bit each);
    -- one row per customer is marked for the customer counts (ppm).
    SELECT cov.*,
           bit_or((1::bigint << hi) - (1::bigint << (lo - 1))) OVER p AS pm,
           row_number() OVER p = 1 AS first
      FROM cov WHERE lo <= hi
    WINDOW p AS (PARTITION BY partner_id)
""",
)

PPM = Fragment(
    "ppm",
    doc=("One bitmask per customer."),
    sql="""
    SELECT partner_id, pm FROM pcov WHERE first
""",
)

PDELTA = Fragment(
    "pdelta",
    doc=("Per currency and plan, the change of MRR at each bound."),
    materialized=True,
    sql="""
    -- Per currency and plan, the change of MRR at each bound: +amt at the
    -- first bound a segment covers, -amt after its last.
    SELECT currency_id, plan_id, i, SUM(d) AS d
      FROM (SELECT currency_id, plan_id, lo AS i, amt AS d FROM pcov
            UNION ALL
            SELECT currency_id, plan_id, hi + 1, -amt FROM pcov) deltas
     GROUP BY currency_id, plan_id, i
""",
)

BSTOCK = Fragment(
    "bstock",
    doc=("MRR at each bound, per currency, in its own amounts."),
    sql="""
    -- MRR at each bound, per currency in its own amounts: the changes summed
    -- in order.
    SELECT currency_id, i, SUM(SUM(d)) OVER (PARTITION BY currency_id ORDER BY i) AS amt
      FROM pdelta GROUP BY currency_id, i
""",
)

STOCKS = Fragment(
    "stocks",
    doc=("MRR at each window's start and end, each currency at its rate there."),
    sql="""
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
""",
)

MRR_IDS = Fragment(
    "mrr_ids",
    doc=("The subscriptions paying at the period's (``cur``) end."),
    sql="""
    SELECT array_agg(c.sub_id) AS mrr_ids
      FROM win w JOIN pcov c ON c.lo <= w.ei AND w.ei <= c.hi
     WHERE w.k = 'cur'
""",
)

WLO = Fragment(
    "wlo",
    doc=("Each bound with the windows it lies in (si < i <= ei), per currency."),
    columns="(n, i, currency_id, si, ei, rs, re)",
    sql="""
    -- Each bound with the windows it lies in (si < i <= ei), and (whi)
    -- those it ends inside of (si <= i < ei), per currency, listed by the
    -- caller: the planner knows their sizes.
    VALUES %(bounds_in)s
""",
)

WHI = Fragment(
    "whi",
    doc=("Each bound with the windows it ends inside of (si <= i < ei), per currency."),
    columns="(n, i, currency_id, si, ei, rs, re)",
    sql="""VALUES %(bounds_end)s""",
)

BDELTA = Fragment(
    "bdelta",
    doc=(
        "Per window and customer, the change of MRR between the window's start and end, from the "
        "only segments whose share differs."
    ),
    sql="""
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
""",
)

RETENTION = Fragment(
    "retention",
    doc=(
        "Per window, the expansion, contraction and churn of the opening base, and the MRR of the "
        "customers who joined."
    ),
    sql="""
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
""",
)

PMC = Fragment(
    "pmc",
    doc=("The customers counted per bitmask."),
    sql="""
    -- Customers sharing a bitmask count together: a few hundred masks
    -- rather than one row per customer and window.
    SELECT pm, COUNT(*) AS n FROM ppm GROUP BY pm
""",
)

CUSTOMERS = Fragment(
    "customers",
    doc=("Per window, the customers paying at its start, at its end, and those lost."),
    sql="""
    SELECT w.k,
           COALESCE(SUM(p.n) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1), 0) AS customers_start,
           COALESCE(SUM(p.n) FILTER (WHERE (p.pm >> (w.ei - 1)) & 1 = 1), 0) AS customers,
           COALESCE(SUM(p.n) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1
                                        AND (p.pm >> (w.ei - 1)) & 1 = 0), 0) AS customers_lost
      FROM win w CROSS JOIN pmc p
     GROUP BY w.k
""",
)

CUSTOMER_IDS = Fragment(
    "customer_ids",
    doc=("The customers behind the period's (``cur``) customer figures."),
    sql="""
    SELECT array_agg(p.partner_id) FILTER (WHERE (p.pm >> (w.ei - 1)) & 1 = 1) AS customer_ids,
           array_agg(p.partner_id) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1
                                             AND (p.pm >> (w.ei - 1)) & 1 = 0)
               AS lost_customer_ids,
           array_agg(p.partner_id) FILTER (WHERE (p.pm >> (w.si - 1)) & 1 = 1) AS cohort_ids
      FROM win w CROSS JOIN ppm p WHERE w.k = 'cur'
""",
)

TSEG = Fragment(
    "tseg",
    doc=(
        "The tenants' state spans: the snapshot, except the tenants changed since its refresh, "
        "replayed live (``ttseg``)."
    ),
    sql="""
    SELECT tenant_id, state, t0, t1 FROM woow_paas_dashboard_tenant_segment
     WHERE company_id = ANY(%(companies)s) AND %(tenant_plan_filter)s
       AND t1 >= %(first_bound)s
       AND tenant_id NOT IN (SELECT unnest(%(dirty_tenants)s::integer[]))
    UNION ALL
    SELECT tenant_id, state, t0, t1 FROM ttseg
     WHERE company_id = ANY(%(companies)s) AND %(tenant_plan_filter)s
       AND t1 >= %(first_bound)s
""",
)

TCOV = Fragment(
    "tcov",
    doc=("The bounds lo..hi each tenant span covers."),
    sql="""
    SELECT tenant_id, state, width_bucket(t0, %(bounds)s) + 1 AS lo,
           width_bucket(t1, %(bounds)s) AS hi
      FROM tseg
""",
)

TCOUNT = Fragment(
    "tcount",
    doc=("The tenants per state at each bound."),
    materialized=True,
    sql="""
    -- Tenants per state at each bound: +1 where a segment starts covering,
    -- -1 after it stops, summed in order (segments of one tenant are disjoint).
    SELECT state, i, SUM(SUM(d)) OVER (PARTITION BY state ORDER BY i) AS n
      FROM (SELECT state, lo AS i, 1 AS d FROM tcov WHERE lo <= hi
            UNION ALL
            SELECT state, hi + 1, -1 FROM tcov WHERE lo <= hi) deltas
     GROUP BY state, i
""",
)

TENANTS = Fragment(
    "tenants",
    doc=("The tenants per state at each window's end, as a JSON object."),
    materialized=True,
    sql="""
    SELECT w.k, jsonb_object_agg(c.state, c.n) FILTER (WHERE c.n <> 0) AS tenant_states
      FROM win w
     CROSS JOIN LATERAL (SELECT DISTINCT ON (state) state, n FROM tcount
                          WHERE i <= w.ei ORDER BY state, i DESC) c
     GROUP BY w.k
""",
)

TENANT_IDS = Fragment(
    "tenant_ids",
    doc=("The tenants active at the period's (``cur``) end."),
    sql="""
    SELECT array_agg(c.tenant_id) AS tenant_ids
      FROM win w JOIN tcov c ON c.lo <= w.ei AND w.ei <= c.hi AND c.state = 'active'
     WHERE w.k = 'cur'
""",
)

PLAN_STOCK = Fragment(
    "plan_stock",
    doc=("MRR per currency and plan at each bound."),
    materialized=True,
    sql="""
    -- MRR per plan at each bound, like bstock.
    SELECT currency_id, plan_id, i,
           SUM(d) OVER (PARTITION BY currency_id, plan_id ORDER BY i) AS amt
      FROM pdelta
""",
)

PLANS = Fragment(
    "plans",
    doc=("MRR per plan at each window's end (in the dashboard's currency), as a JSON object."),
    sql="""
    SELECT k, jsonb_object_agg(plan_id, ROUND(mrr::numeric, %(digits)s)) FILTER (WHERE mrr <> 0)
               AS plan_mrr
      FROM (SELECT w.k, p.plan_id, SUM(w.re * p.amt) AS mrr
              FROM wj w
             CROSS JOIN LATERAL (SELECT DISTINCT ON (plan_id) plan_id, amt FROM plan_stock b
                                  WHERE b.currency_id = w.currency_id AND b.i <= w.ei
                                  ORDER BY plan_id, i DESC) p
             GROUP BY w.k, p.plan_id) per_plan
     GROUP BY k
""",
)
