from datetime import datetime, time
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import SQL

from .usage_tools import _rollup_upsert, _utcnow


class WoowPaasUsageEventAggregateMixin(models.AbstractModel):
    """The rollups of ``woow.paas.usage.event`` rebuilt from the raw events,
    and the usage of a period aggregated per metric. Mixed into
    ``woow.paas.usage.event``."""

    _name = "woow.paas.usage.event.aggregate.mixin"
    _description = "Woow PaaS Usage Aggregation"

    # ------------------------------------------------------------------
    # Rollups and aggregation
    # ------------------------------------------------------------------
    @api.model
    def _rollup_rebuild(self, keys):
        """Recompute the rollups of ``keys`` [(tenant_id, metric_id, day)] from
        the raw events (after a deletion, or to check the incremental ones)."""
        if not keys:
            return
        tenant_ids, metric_ids, days = (list(col) for col in zip(*keys, strict=True))
        keyset = SQL(
            "SELECT * FROM unnest(%s::int[], %s::int[], %s::date[])"
            " AS k(tenant_id, metric_id, day)",
            tenant_ids,
            metric_ids,
            days,
        )
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "DELETE FROM woow_paas_usage_rollup r USING (%s) k WHERE r.tenant_id = k.tenant_id"
                " AND r.metric_id = k.metric_id AND r.day = k.day",
                keyset,
            )
        )
        source = SQL(
            "(SELECT e.* FROM woow_paas_usage_event e JOIN (%s) k ON e.tenant_id = k.tenant_id"
            ' AND e.metric_id = k.metric_id AND e."timestamp"::date = k.day)',
            keyset,
        )
        self.env.cr.execute(_rollup_upsert(source))
        self.env["woow.paas.usage.rollup"].invalidate_model()

    @api.model
    def _aggregate(self, tenants, metric, date_from, date_to):
        """Usage of ``metric`` by ``tenants`` from ``date_from`` (included) to
        ``date_to`` (excluded), UTC days, aggregated per the metric: a Decimal
        (0 when nothing was reported). Numbers leave PostgreSQL as text, since
        Odoo reads ``numeric`` columns as floats.

        Sum, count, min, max, average and last read the daily rollups only.
        Unique count reads the raw events of the period (distinct values do not
        add up across days); time-weighted sum reads them too (it needs every
        change of the gauge, plus the value carried in from before the period),
        both through the (tenant, metric, timestamp) index.
        """
        metric.ensure_one()
        if not tenants:
            return Decimal(0)
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        self.flush_model()
        self.env["woow.paas.usage.rollup"].flush_model()
        cr = self.env.cr
        aggregation = metric.aggregation
        tenant_ids = list(tenants.ids)
        if aggregation in ("sum", "count", "min", "max", "average"):
            cr.execute(
                SQL(
                    "SELECT sum(quantity_sum)::text, sum(event_count), min(quantity_min)::text,"
                    " max(quantity_max)::text FROM woow_paas_usage_rollup WHERE tenant_id = ANY(%s)"
                    " AND metric_id = %s AND day >= %s AND day < %s",
                    tenant_ids,
                    metric.id,
                    date_from,
                    date_to,
                )
            )
            total, count, low, high = cr.fetchone()
            if not count:
                return Decimal(0)
            return {
                "sum": lambda: Decimal(total),
                "count": lambda: Decimal(count),
                "min": lambda: Decimal(low),
                "max": lambda: Decimal(high),
                "average": lambda: Decimal(total) / Decimal(count),
            }[aggregation]()
        if aggregation == "last":
            cr.execute(
                SQL(
                    "SELECT last_quantity::text FROM woow_paas_usage_rollup"
                    " WHERE tenant_id = ANY(%s) AND metric_id = %s AND day >= %s AND day < %s"
                    " ORDER BY last_timestamp DESC, id DESC LIMIT 1",
                    tenant_ids,
                    metric.id,
                    date_from,
                    date_to,
                )
            )
            row = cr.fetchone()
            return Decimal(row[0]) if row else Decimal(0)
        start = datetime.combine(date_from, time.min)
        end = datetime.combine(date_to, time.min)
        if aggregation == "unique_count":
            cr.execute(
                SQL(
                    "SELECT count(DISTINCT properties ->> %s) FROM woow_paas_usage_event"
                    ' WHERE tenant_id = ANY(%s) AND metric_id = %s AND "timestamp" >= %s'
                    ' AND "timestamp" < %s',
                    metric.property_key,
                    tenant_ids,
                    metric.id,
                    start,
                    end,
                )
            )
            return Decimal(cr.fetchone()[0])
        return self._aggregate_time_weighted(tenant_ids, metric, start, min(end, _utcnow()))

    @api.model
    def _aggregate_time_weighted(self, tenant_ids, metric, start, end):
        """Σ value × days it held, per tenant, over [start, end): each reported
        value holds until the next one; the value reported last before
        ``start`` holds from ``start``."""
        if end <= start:
            return Decimal(0)
        self.env.cr.execute(
            SQL(
                """
                WITH points AS (
                    SELECT t.id AS tenant_id, %(start)s::timestamp AS ts, c.quantity, 0 AS seq
                      FROM unnest(%(tenants)s::int[]) AS t(id)
                      CROSS JOIN LATERAL (
                          SELECT e.quantity FROM woow_paas_usage_event e
                           WHERE e.tenant_id = t.id AND e.metric_id = %(metric)s
                             AND e."timestamp" < %(start)s
                        ORDER BY e."timestamp" DESC, e.id DESC LIMIT 1) c
                    UNION ALL
                    SELECT tenant_id, "timestamp", quantity, id FROM woow_paas_usage_event
                     WHERE tenant_id = ANY(%(tenants)s) AND metric_id = %(metric)s
                       AND "timestamp" >= %(start)s AND "timestamp" < %(end)s
                ), spans AS (
                    SELECT quantity, EXTRACT(EPOCH FROM COALESCE(
                        lead(ts) OVER (PARTITION BY tenant_id ORDER BY ts, seq), %(end)s) - ts
                    ) AS seconds
                      FROM points
                )
                SELECT (COALESCE(sum(quantity * seconds), 0) / 86400)::text FROM spans
                """,
                start=start,
                end=end,
                tenants=tenant_ids,
                metric=metric.id,
            )
        )
        return Decimal(self.env.cr.fetchone()[0])
