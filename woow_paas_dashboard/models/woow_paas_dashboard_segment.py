from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.woow_paas_core.history import HISTORY_PAYLOAD_KEYS

# The price and plan changes, with the payload keys core guarantees them
# (``woow_paas_core.history``): the CTEs below read no other key nor column
# than that module declares (checked by ``test_sql_fragments``).
PRICE_EVENTS = tuple(HISTORY_PAYLOAD_KEYS)

# The history of the subscriptions chosen by %(sub_filter)s (on ``s``) and
# %(event_filter)s (on ``e``), cut into segments [t0, t1) of constant state,
# price and plan, each knowing the one before it. Each subscription's history
# is one stream of rows in time order: its lifecycle events (with
# "from"/"to") and its plan and price changes (with their "before" values).
# The state after a row is the last "to" so far (filled forwards); the price
# after a row is the "before" of the next price change, or today's price
# after the last one (filled backwards: prices are unwound from the current
# one). Only the records' own rows are read, so the cost is that of the
# records asked for; the dashboard uses it for the records changed since the
# last refresh, and the refresh to store the segments.
SEGMENT_CTES = """
ssub AS (
    SELECT s.id, s.commercial_partner_id AS partner_id, s.company_id, s.currency_id,
           s.plan_id, s.price, s.billing_interval AS interval, s.state, s.date_start,
           s.cancel_date, COALESCE(c.decimal_places, 2) AS digits
      FROM woow_paas_subscription s
      LEFT JOIN res_currency c ON c.id = s.currency_id
     WHERE %(sub_filter)s
),
sev AS (
    SELECT e.id AS eid, e.res_id AS sub_id, e.occurred_at AS at, e.event_type, e.plan_id,
           e.payload->>'to' AS dst, e.payload->>'from' AS src,
           CASE WHEN e.event_type = 'subscription.plan_changed'
                THEN (e.payload->'before'->>'price')::numeric
                WHEN e.event_type = 'subscription.price_changed'
                THEN (e.payload->>'before')::numeric END AS before_price,
           e.payload->'before'->>'interval' AS before_interval,
           e.payload->>'from_plan' AS from_plan
      FROM woow_paas_event e
     WHERE e.res_model = 'woow.paas.subscription' AND %(event_filter)s
       AND e.event_type LIKE 'subscription.%%'
       AND (e.payload ? 'to' OR e.event_type = ANY(%(price_events)s))
),
sbare AS (
    -- Subscriptions without lifecycle events (imported): rebuilt from their dates.
    SELECT * FROM ssub WHERE id NOT IN (SELECT sub_id FROM sev WHERE dst IS NOT NULL)
),
sstream AS (
    -- (at, seq, eid) orders the rows of one subscription.
    SELECT sub_id, at, 1 AS seq, eid, dst, src, FALSE AS carrier, NULL::numeric AS price,
           NULL::varchar AS interval, NULL::integer AS plan_id
      FROM sev WHERE before_price IS NULL
    UNION ALL
    SELECT sev.sub_id, sev.at, 1, sev.eid, sev.dst, sev.src, TRUE, sev.before_price,
           COALESCE(sev.before_interval, plan.billing_interval), COALESCE(plan.id, sev.plan_id)
      FROM sev
      LEFT JOIN woow_paas_plan plan
        ON plan.id = CASE WHEN sev.event_type = 'subscription.price_changed' THEN sev.plan_id END
        OR (sev.event_type = 'subscription.plan_changed' AND plan.code = sev.from_plan)
     WHERE sev.before_price IS NOT NULL
    UNION ALL
    -- Before its first kept event, a subscription was in that event's source
    -- state: only worth a row when it paid (events purged by retention).
    SELECT * FROM (
        SELECT DISTINCT ON (sub_id) sub_id, '-infinity'::timestamp AS at, 0, 0, src AS dst,
               NULL::varchar AS src, FALSE, NULL::numeric, NULL::varchar, NULL::integer
          FROM sev WHERE dst IS NOT NULL ORDER BY sub_id, at, eid
    ) first_event WHERE dst = ANY(%(paying)s)
    UNION ALL
    SELECT id, date_start::timestamp, 1, 0,
           CASE WHEN state = 'cancelled' THEN 'active' ELSE state END, 'draft',
           FALSE, NULL, NULL, NULL
      FROM sbare WHERE date_start IS NOT NULL
    UNION ALL
    SELECT id, cancel_date::timestamp, 2, 0, 'cancelled', NULL, FALSE, NULL, NULL, NULL
      FROM sbare WHERE cancel_date IS NOT NULL
),
sfilled AS (
    -- The state so far, the "before" price of the next price row or today's
    -- price, in one ordering: one sort. Partitions hold a few rows, so the
    -- running arrays stay tiny.
    SELECT st.sub_id, st.at, st.seq, st.eid, st.dst, st.src, st.carrier,
           st.price AS own_price, st.interval AS own_interval, st.plan_id AS own_plan_id,
           COALESCE((array_agg(st.dst) FILTER (WHERE st.dst IS NOT NULL) OVER a)
                        [COUNT(st.dst) OVER a],
                    (array_agg(st.src) FILTER (WHERE st.dst IS NOT NULL) OVER z)[1]) AS state,
           COALESCE((array_agg(st.price) FILTER (WHERE st.carrier) OVER n)[1], sub.price)
               AS price,
           COALESCE((array_agg(st.interval) FILTER (WHERE st.carrier) OVER n)[1], sub.interval)
               AS interval,
           COALESCE((array_agg(st.plan_id) FILTER (WHERE st.carrier) OVER n)[1], sub.plan_id)
               AS plan_id,
           sub.partner_id, sub.company_id, sub.currency_id, sub.digits
      FROM sstream st JOIN ssub sub ON sub.id = st.sub_id
    WINDOW a AS (PARTITION BY st.sub_id ORDER BY st.at, st.seq, st.eid ROWS UNBOUNDED PRECEDING),
           n AS (PARTITION BY st.sub_id ORDER BY st.at, st.seq, st.eid
                 ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING),
           z AS (PARTITION BY st.sub_id ORDER BY st.at, st.seq, st.eid
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
sseg0 AS (
    -- The first row's "before" comes from the row itself: its source state,
    -- and its own "before" price when it is a price change.
    SELECT sub_id, partner_id, company_id, currency_id, digits, state, at AS t0,
           price, interval, plan_id,
           COALESCE(LEAD(at) OVER w, 'infinity') AS t1,
           COALESCE(LAG(state) OVER w, CASE WHEN dst IS NOT NULL THEN src ELSE state END)
               AS prev_state,
           COALESCE(LAG(price) OVER w, CASE WHEN carrier THEN own_price ELSE price END)
               AS prev_price,
           COALESCE(LAG(interval) OVER w, CASE WHEN carrier THEN own_interval ELSE interval END)
               AS prev_interval,
           COALESCE(LAG(plan_id) OVER w, CASE WHEN carrier THEN own_plan_id ELSE plan_id END)
               AS prev_plan_id
      FROM sfilled
    WINDOW w AS (PARTITION BY sub_id ORDER BY at, seq, eid)
),
sseg AS (
    -- Monthly amounts in the subscription's currency (yearly / 12, rounded
    -- like the subscription's own ``mrr``).
    SELECT sub_id, partner_id, company_id, currency_id, state, prev_state, t0, t1,
           ROUND(price / CASE WHEN interval = 'year' THEN 12 ELSE 1 END, digits) AS amount,
           ROUND(prev_price / CASE WHEN prev_interval = 'year' THEN 12 ELSE 1 END, digits)
               AS prev_amount,
           plan_id, prev_plan_id
      FROM sseg0
)
"""

SEGMENT_COLUMNS = (
    "sub_id, partner_id, company_id, currency_id, state, prev_state, t0, t1, amount, "
    "prev_amount, plan_id, prev_plan_id"
)

# The state spans of the tenants chosen by %(tenant_filter)s (on ``t``) and
# %(tenant_event_filter)s (on ``e``), from their lifecycle events; a tenant
# without any is in its current state since its creation. Tenants count with
# their current plan.
TENANT_SEGMENT_CTES = """
ttev AS (
    SELECT e.res_id AS tenant_id, e.payload->>'to' AS state, e.occurred_at AS t0,
           COALESCE(LEAD(e.occurred_at) OVER (PARTITION BY e.res_id ORDER BY e.occurred_at, e.id),
                    'infinity') AS t1
      FROM woow_paas_event e
     WHERE e.res_model = 'woow.paas.tenant' AND %(tenant_event_filter)s AND e.payload ? 'to'
),
ttseg AS (
    -- Spans of no length (a state left at once) never cover an instant.
    SELECT t.id AS tenant_id, t.company_id, t.plan_id, ttev.state, ttev.t0, ttev.t1
      FROM ttev JOIN woow_paas_tenant t ON t.id = ttev.tenant_id
     WHERE ttev.t1 > ttev.t0
    UNION ALL
    SELECT t.id, t.company_id, t.plan_id, t.state, t.create_date, 'infinity'
      FROM woow_paas_tenant t
     WHERE %(tenant_filter)s AND t.id NOT IN (SELECT tenant_id FROM ttev)
)
"""

TENANT_SEGMENT_COLUMNS = "tenant_id, company_id, plan_id, state, t0, t1"


class WoowPaasDashboardSegment(models.Model):
    """A snapshot of the subscriptions' history: one row per span of
    constant state, price and plan (and the span before it), rebuilt from the
    event log. The past never changes, so the dashboard reads these rows
    instead of replaying the whole log, and replays only the subscriptions
    changed since the last refresh (``woow.paas.dashboard.dirty``)."""

    _name = "woow.paas.dashboard.segment"
    _description = "PaaS Dashboard: Subscription Segment"
    _log_access = False

    sub_id = fields.Many2one("woow.paas.subscription", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", ondelete="cascade")
    company_id = fields.Many2one("res.company", ondelete="cascade")
    currency_id = fields.Many2one("res.currency", ondelete="cascade")
    state = fields.Char()
    prev_state = fields.Char()
    t0 = fields.Datetime()
    t1 = fields.Datetime()
    amount = fields.Float(digits=(16, 6))
    prev_amount = fields.Float(digits=(16, 6))
    plan_id = fields.Integer()
    prev_plan_id = fields.Integer()

    _sub_idx = models.Index("(sub_id)")
    # The dashboard reads the segments still running at its first bound.
    _t1_idx = models.Index("(t1)")

    @api.model
    def _paas_segment_query(self, sub_ids=None):
        """``SEGMENT_CTES`` as an SQL fragment for ``sub_ids`` (all when None)."""
        from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING

        if sub_ids is None:
            sub_filter = event_filter = SQL("TRUE")
        else:
            sub_filter = SQL("s.id = ANY(%s)", list(sub_ids))
            event_filter = SQL("e.res_id = ANY(%s)", list(sub_ids))
        return SQL(
            SEGMENT_CTES,
            sub_filter=sub_filter,
            event_filter=event_filter,
            price_events=list(PRICE_EVENTS),
            paying=list(SUBSCRIPTION_PAYING),
        )

    @api.model
    def _paas_tenant_segment_query(self, tenant_ids=None):
        if tenant_ids is None:
            tenant_filter = tenant_event_filter = SQL("TRUE")
        else:
            tenant_filter = SQL("t.id = ANY(%s)", list(tenant_ids))
            tenant_event_filter = SQL("e.res_id = ANY(%s)", list(tenant_ids))
        return SQL(
            TENANT_SEGMENT_CTES,
            tenant_filter=tenant_filter,
            tenant_event_filter=tenant_event_filter,
        )
