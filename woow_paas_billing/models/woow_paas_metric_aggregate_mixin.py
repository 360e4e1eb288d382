from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from .const import ADDITIVE_AGGREGATIONS, ROLLUP_AGGREGATIONS
from .usage_tools import _utcnow


class WoowPaasMetricAggregateMixin(models.AbstractModel):
    """The usage of periods, each aggregated as its metric says: the one
    reader of usage figures for invoices, quotas, the API, the portal and
    the dashboard. Mixed into ``woow.paas.metric``.

    The rules, for the tenants of a request over [date_from, date_to), UTC
    days:

    - sum, count, min, max and average read the daily rollups;
    - last adds up each tenant's latest value (a subscription's seats are
      the seats of all its tenants);
    - unique count counts the distinct values of the metric's property over
      all the tenants' raw events (distinct values do not add up over days);
    - time-weighted sum adds up, per tenant, each value times the days it
      held, the value reported last before the period holding from its
      start; a running period stops at now.

    Sum, count and time-weighted sum add up over days and tenants: the
    figures of the days of a period add up to the period's.
    """

    _name = "woow.paas.metric.aggregate.mixin"
    _description = "Woow PaaS Usage Aggregator"

    @api.model
    def _paas_aggregate(self, requests):
        """Usage for many ``(key, metric, tenant_ids, date_from, date_to)`` at
        once: ``{key: Decimal}`` (0 where nothing was reported).

        Whatever the number of requests, one query per kind of aggregation
        (rollups, last value, unique count, time-weighted sum), each reading
        only the requested tenants' rows through their (tenant, metric, day or
        timestamp) index. Reads as the superuser: callers check access to the
        tenants. Numbers leave PostgreSQL as text, since Odoo reads
        ``numeric`` columns as floats.
        """
        Metric = self.env["woow.paas.metric"].sudo()
        requests = [
            (
                key,
                Metric.browse(metric.id if isinstance(metric, models.BaseModel) else metric),
                sorted(set(tenant_ids)),
                fields.Date.to_date(date_from),
                fields.Date.to_date(date_to),
            )
            for key, metric, tenant_ids, date_from, date_to in requests
        ]
        result = {request[0]: Decimal(0) for request in requests}
        Metric.browse({request[1].id for request in requests}).fetch(
            ["aggregation", "property_key"]
        )
        now = _utcnow()
        kinds = defaultdict(list)
        for request in requests:
            _key, metric, tenant_ids, date_from, date_to = request
            metric.ensure_one()
            if not tenant_ids or date_from >= date_to:
                continue
            aggregation = metric.aggregation
            if aggregation == "time_weighted_sum" and datetime.combine(date_from, time.min) >= now:
                continue
            kinds["rollup" if aggregation in ROLLUP_AGGREGATIONS else aggregation].append(request)
        if not kinds:
            return result
        self.env["woow.paas.usage.event"].flush_model()
        self.env["woow.paas.usage.rollup"].flush_model()
        readers = {
            "rollup": self._paas_aggregate_rollups,
            "last": self._paas_aggregate_last,
            "unique_count": self._paas_aggregate_unique,
            "time_weighted_sum": self._paas_aggregate_time_weighted,
        }
        for kind, batch in kinds.items():
            tables = self._paas_request_tables(batch, now)
            for index, value in readers[kind](tables, batch).items():
                result[batch[index][0]] = value
        return result

    @api.model
    def _paas_request_tables(self, batch, now):
        """The requests as two SQL relations: ``k`` (req, metric_id, d0, d1,
        prop, t0, t1: the period as days and as timestamps, t1 not after
        now) and ``rt`` (req, tenant_id), ``req`` being the index in
        ``batch``."""
        starts = [datetime.combine(request[3], time.min) for request in batch]
        ends = [min(datetime.combine(request[4], time.min), now) for request in batch]
        keys = SQL(
            "SELECT * FROM unnest(%s::int[], %s::int[], %s::date[], %s::date[], %s::text[],"
            " %s::timestamp[], %s::timestamp[]) AS k(req, metric_id, d0, d1, prop, t0, t1)",
            list(range(len(batch))),
            [request[1].id for request in batch],
            [request[3] for request in batch],
            [request[4] for request in batch],
            [request[1].property_key or None for request in batch],
            starts,
            ends,
        )
        pairs = [(index, tenant) for index, request in enumerate(batch) for tenant in request[2]]
        tenants = SQL(
            "SELECT * FROM unnest(%s::int[], %s::int[]) AS rt(req, tenant_id)",
            [pair[0] for pair in pairs],
            [pair[1] for pair in pairs],
        )
        return {"keys": keys, "tenants": tenants}

    def _paas_aggregate_rollups(self, tables, batch):
        self.env.cr.execute(
            SQL(
                """
                SELECT k.req, sum(r.quantity_sum)::text, sum(r.event_count),
                       min(r.quantity_min)::text, max(r.quantity_max)::text
                  FROM (%(keys)s) k
                  JOIN (%(tenants)s) rt ON rt.req = k.req
                  JOIN woow_paas_usage_rollup r ON r.tenant_id = rt.tenant_id
                       AND r.metric_id = k.metric_id AND r.day >= k.d0 AND r.day < k.d1
              GROUP BY k.req
                """,
                **tables,
            )
        )
        result = {}
        for index, total, count, low, high in self.env.cr.fetchall():
            if not count:
                continue
            result[index] = {
                "sum": lambda t=total: Decimal(t),
                "count": lambda c=count: Decimal(c),
                "min": lambda v=low: Decimal(v),
                "max": lambda v=high: Decimal(v),
                "average": lambda t=total, c=count: Decimal(t) / Decimal(c),
            }[batch[index][1].aggregation]()
        return result

    def _paas_aggregate_last(self, tables, batch):
        # A tenant's day may have several rollup rows (one per writing
        # session): its latest value is its latest row's.
        self.env.cr.execute(
            SQL(
                """
                SELECT req, sum(last_quantity)::text
                  FROM (SELECT DISTINCT ON (rt.req, rt.tenant_id) rt.req, r.last_quantity
                          FROM (%(keys)s) k
                          JOIN (%(tenants)s) rt ON rt.req = k.req
                          JOIN woow_paas_usage_rollup r ON r.tenant_id = rt.tenant_id
                               AND r.metric_id = k.metric_id AND r.day >= k.d0 AND r.day < k.d1
                      ORDER BY rt.req, rt.tenant_id, r.last_timestamp DESC, r.id DESC) latest
              GROUP BY req
                """,
                **tables,
            )
        )
        return {index: Decimal(value) for index, value in self.env.cr.fetchall()}

    def _paas_aggregate_unique(self, tables, batch):
        self.env.cr.execute(
            SQL(
                """
                SELECT k.req, count(DISTINCT e.properties ->> k.prop)
                  FROM (%(keys)s) k
                  JOIN (%(tenants)s) rt ON rt.req = k.req
                  JOIN woow_paas_usage_event e ON e.tenant_id = rt.tenant_id
                       AND e.metric_id = k.metric_id
                       AND e."timestamp" >= k.t0 AND e."timestamp" < k.d1::timestamp
              GROUP BY k.req
                """,
                **tables,
            )
        )
        return {index: Decimal(value) for index, value in self.env.cr.fetchall()}

    def _paas_aggregate_time_weighted(self, tables, batch):
        # Points: each tenant's value carried in at the start of the period
        # (its last report before), then every report of the period; each
        # holds until the next point of its tenant, the last one until t1.
        self.env.cr.execute(
            SQL(
                """
                WITH k AS (%(keys)s), rt AS (%(tenants)s), points AS (
                    SELECT rt.req, rt.tenant_id, k.t0 AS ts, c.quantity, 0 AS seq, k.t1
                      FROM rt JOIN k ON k.req = rt.req
                      CROSS JOIN LATERAL (
                          SELECT e.quantity FROM woow_paas_usage_event e
                           WHERE e.tenant_id = rt.tenant_id AND e.metric_id = k.metric_id
                             AND e."timestamp" < k.t0
                        ORDER BY e."timestamp" DESC, e.id DESC LIMIT 1) c
                    UNION ALL
                    SELECT rt.req, rt.tenant_id, e."timestamp", e.quantity, e.id, k.t1
                      FROM rt JOIN k ON k.req = rt.req
                      JOIN woow_paas_usage_event e ON e.tenant_id = rt.tenant_id
                           AND e.metric_id = k.metric_id
                           AND e."timestamp" >= k.t0 AND e."timestamp" < k.t1
                ), spans AS (
                    SELECT req, quantity, EXTRACT(EPOCH FROM COALESCE(
                        lead(ts) OVER (PARTITION BY req, tenant_id ORDER BY ts, seq), t1) - ts
                    ) AS seconds
                      FROM points
                )
                SELECT req, (sum(quantity * seconds) / 86400)::text FROM spans GROUP BY req
                """,
                **tables,
            )
        )
        return {index: Decimal(value) for index, value in self.env.cr.fetchall()}

    @api.model
    def _paas_additive_domain(self):
        """The metrics whose figures add up over days and tenants from the
        rollups' daily sums (sum and count), such as dashboard totals."""
        return [("aggregation", "in", list(ADDITIVE_AGGREGATIONS))]

    @api.model
    def _paas_additive_sql(self, row, aggregation):
        """The figure of a row of daily sums (``row``: the alias of a relation
        with the rollups' ``event_count`` and ``quantity_sum`` columns) for a
        metric of ``aggregation`` (SQL) among those of
        :meth:`_paas_additive_domain`."""
        return SQL(
            "CASE %s %s END",
            aggregation,
            SQL(" ").join(
                SQL("WHEN %s THEN %s", name, SQL.identifier(row, column))
                for name, column in ADDITIVE_AGGREGATIONS.items()
            ),
        )
