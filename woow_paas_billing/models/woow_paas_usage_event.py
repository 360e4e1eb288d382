import json
import math
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .const import (
    DEFAULT_FUTURE_TOLERANCE_SECONDS,
    DEFAULT_LATE_WINDOW_DAYS,
    DEFAULT_MAX_BATCH,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    PARAM_FUTURE_TOLERANCE,
    PARAM_LATE_WINDOW,
    PARAM_MAX_BATCH,
    USAGE_TENANT_STATES,
)

# A quantity beyond this is a client bug, not usage.
MAX_QUANTITY = Decimal(10) ** 15


def _rollup_upsert(source):
    """Roll the rows of ``source`` (an SQL relation with id, tenant_id,
    metric_id, quantity, "timestamp") into the daily rollups: one
    upsert, in key order.

    Each database session adds to its own rows (``writer_pid``): the
    transactions of one session follow each other, so the row a transaction
    updates was committed before its snapshot was taken and REPEATABLE READ
    never refuses the update; concurrent sessions never touch the same row."""
    return SQL(
        """
    INSERT INTO woow_paas_usage_rollup AS r (
        tenant_id, metric_id, day, writer_pid, event_count, quantity_sum,
        quantity_min, quantity_max, last_quantity, last_timestamp)
    SELECT s.tenant_id, s.metric_id, s."timestamp"::date, pg_backend_pid(), count(*),
           sum(s.quantity), min(s.quantity), max(s.quantity),
           (array_agg(s.quantity ORDER BY s."timestamp" DESC, s.id DESC))[1],
           max(s."timestamp")
      FROM %s s
  GROUP BY s.tenant_id, s.metric_id, s."timestamp"::date
  ORDER BY s.tenant_id, s.metric_id, s."timestamp"::date
    ON CONFLICT (tenant_id, metric_id, day, writer_pid) DO UPDATE SET
        event_count = r.event_count + EXCLUDED.event_count,
        quantity_sum = r.quantity_sum + EXCLUDED.quantity_sum,
        quantity_min = LEAST(r.quantity_min, EXCLUDED.quantity_min),
        quantity_max = GREATEST(r.quantity_max, EXCLUDED.quantity_max),
        last_quantity = CASE WHEN EXCLUDED.last_timestamp >= r.last_timestamp
                             THEN EXCLUDED.last_quantity ELSE r.last_quantity END,
        last_timestamp = GREATEST(r.last_timestamp, EXCLUDED.last_timestamp)
        """,
        source,
    )


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _parse_quantity(value):
    """Exact Decimal of a JSON number (or numeric string); None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            quantity = Decimal(repr(value)) if math.isfinite(value) else None
        elif isinstance(value, int | Decimal | str):
            quantity = Decimal(value.strip() if isinstance(value, str) else value)
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    if quantity is None or not quantity.is_finite():
        return None
    return quantity


def _parse_timestamp(value):
    """Naive UTC datetime of an ISO 8601 string (naive means UTC); None if unparsable."""
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


class WoowPaasUsageEvent(models.Model):
    """One usage report of a tenant: ``quantity`` of a metric at ``timestamp``.

    Written by :meth:`ingest` in bulk with raw SQL (a few statements per
    batch). The pair (tenant, idempotency key) is unique for as long as the
    events are kept, so a retried report is counted once, however often and
    from however many workers it arrives. Daily rollups
    (``woow.paas.usage.rollup``) are kept current in the same statement, so
    sums, counts, minima, maxima and last values never scan these rows.

    Append-only: only the superuser may change or delete events, and deleting
    rebuilds the affected rollups.
    """

    _name = "woow.paas.usage.event"
    _description = "PaaS Usage Event"
    # The primary key follows arrival: a list sorted on it needs no extra index
    # on a table of hundreds of millions of rows.
    _order = "id desc"
    _rec_name = "idempotency_key"
    _log_access = False

    tenant_id = fields.Many2one("woow.paas.tenant", required=True, ondelete="restrict")
    metric_id = fields.Many2one("woow.paas.metric", required=True, ondelete="restrict")
    quantity = fields.Float(required=True, digits=(16, 6))
    unit = fields.Char(related="metric_id.unit")
    metric_digits = fields.Integer(related="metric_id.digits")
    timestamp = fields.Datetime(required=True, help="When the usage happened (timezone.utc).")
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, help="When the platform stored it."
    )
    idempotency_key = fields.Char(
        required=True,
        help="Chosen by the sender; the same key for the same tenant is counted once.",
    )
    properties = fields.Json(help="Free attributes of the event, e.g. the user id.")
    # The tenant's company, not stored: one foreign key less per row on the
    # hottest insert of the platform; the multi-company rule joins the tenant.
    company_id = fields.Many2one(related="tenant_id.company_id")

    _tenant_key_uniq = models.Constraint(
        "UNIQUE(tenant_id, idempotency_key)",
        "This idempotency key was already used for this tenant.",
    )
    _quantity_check = models.Constraint("CHECK(quantity >= 0)", "A quantity cannot be negative.")
    _tenant_metric_time_idx = models.Index('(tenant_id, metric_id, "timestamp")')
    _timestamp_brin_idx = models.Index('USING brin ("timestamp")')

    # ------------------------------------------------------------------
    # CRUD: the slow path, for corrections by hand
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and self.env.user.share:
            raise AccessError(self.env._("Send usage through ingest(), which validates it."))
        events = super().create(vals_list)
        self.env.cr.execute(
            _rollup_upsert(
                SQL("(SELECT * FROM woow_paas_usage_event WHERE id = ANY(%s))", events.ids)
            )
        )
        self.env["woow.paas.usage.rollup"].invalidate_model()
        return events

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Usage events are append-only: they cannot change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_superuser(self):
        if not self.env.su:
            raise AccessError(self.env._("Usage events are append-only: they cannot be deleted."))

    def unlink(self):
        self.env.cr.execute(
            SQL(
                'SELECT DISTINCT tenant_id, metric_id, "timestamp"::date'
                " FROM woow_paas_usage_event WHERE id = ANY(%s)",
                self.ids,
            )
        )
        keys = self.env.cr.fetchall()
        result = super().unlink()
        self._rollup_rebuild(keys)
        return result

    # ------------------------------------------------------------------
    # Ingestion
    # ------------------------------------------------------------------
    @api.model
    def ingest(self, events):
        """Store a batch of usage events; return one result per event, in order.

        ``events`` is a list of dicts ``{"tenant": code, "metric": code,
        "quantity": n, "timestamp": iso8601, "idempotency_key": str,
        "properties": {...}}`` (properties optional). Each result is
        ``{"idempotency_key", "status", "reason"}`` with status ``accepted``,
        ``duplicate`` (already stored, or repeated in the batch: counted once)
        or ``rejected`` (with the reason; nothing stored). A bad event never
        drops the good ones. A batch that is not a list of objects raises a
        ``UserError``.

        Internal users send for the tenants of their companies; other users
        (portal, API customers) only for the tenants of their own customer.
        """
        self.check_access("create")
        if not isinstance(events, list | tuple):
            raise UserError(self.env._("Usage must be sent as a list of events."))
        max_batch = self._ingest_param(PARAM_MAX_BATCH, DEFAULT_MAX_BATCH)
        if len(events) > max_batch:
            raise UserError(
                self.env._(
                    "A batch holds at most %(max)s usage events; this one has %(count)s.",
                    max=max_batch,
                    count=len(events),
                )
            )
        for index, event in enumerate(events):
            if not isinstance(event, dict):
                raise UserError(
                    self.env._(
                        "Usage event #%(index)s is not an object: each event must be a dict "
                        "with tenant, metric, quantity, timestamp and idempotency_key.",
                        index=index + 1,
                    )
                )
        if not events:
            return []
        return self._ingest(events)

    @api.model
    def _ingest_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value not in (None, False, "") else default
        except ValueError:
            return default

    @api.model
    def _ingest_reasons(self):
        """Messages of the refusal codes (translated once per batch)."""
        _ = self.env._
        return {
            "missing_key": _("idempotency_key is missing: it must be a non-empty string."),
            "key_too_long": _(
                "idempotency_key is longer than %(max)s characters.",
                max=MAX_IDEMPOTENCY_KEY_LENGTH,
            ),
            "unknown_tenant": _("Unknown tenant."),
            "foreign_tenant": _("This tenant belongs to another customer."),
            "foreign_company": _("This tenant belongs to a company you do not have access to."),
            "tenant_not_running": _("The tenant is not running (draft, failed or archived)."),
            "unknown_metric": _("Unknown or archived metric."),
            "bad_quantity": _("quantity must be a number."),
            "negative_quantity": _("quantity cannot be negative."),
            "quantity_too_large": _("quantity is out of range."),
            "bad_timestamp": _("timestamp must be an ISO 8601 date and time."),
            "future_timestamp": _("timestamp is in the future."),
            "late_timestamp": _("timestamp is older than the late-arrival window."),
            "bad_properties": _("properties must be a JSON object."),
            "missing_property": _("properties lack the key this unique count metric counts."),
            "repeated": _("Repeated in the same batch: counted once."),
            "already_received": _("Already received: counted once."),
        }

    @api.model
    def _ingest_lookup(self, events):
        """Resolve every tenant and metric code of the batch: one query."""
        Tenant = self.env["woow.paas.tenant"]
        Metric = self.env["woow.paas.metric"]
        Tenant.flush_model(["code", "state", "commercial_partner_id", "company_id"])
        Metric.flush_model(["code", "active", "aggregation", "property_key"])
        tenant_codes = list({e.get("tenant") for e in events if isinstance(e.get("tenant"), str)})
        metric_codes = list({e.get("metric") for e in events if isinstance(e.get("metric"), str)})
        # One round trip for both: ingestion is the hottest path.
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT 't', code, id, state, commercial_partner_id, company_id"
                " FROM woow_paas_tenant WHERE code = ANY(%s)"
                " UNION ALL SELECT 'm', code, id,"
                " CASE WHEN aggregation = 'unique_count' THEN property_key END, NULL, NULL"
                " FROM woow_paas_metric WHERE active AND code = ANY(%s)",
                tenant_codes,
                metric_codes,
            )
        )
        tenants, metrics = {}, {}
        for kind, code, *values in cr.fetchall():
            if kind == "t":
                tenants[code] = tuple(values)
            else:
                metrics[code] = tuple(values[:2])
        return tenants, metrics

    @api.model
    def _ingest(self, events):
        """Validate in bulk, insert the good events and their rollups in one
        statement, and answer per event (see :meth:`ingest`)."""
        reasons = self._ingest_reasons()
        now = _utcnow()
        late_days = self._ingest_param(PARAM_LATE_WINDOW, DEFAULT_LATE_WINDOW_DAYS)
        tolerance = self._ingest_param(PARAM_FUTURE_TOLERANCE, DEFAULT_FUTURE_TOLERANCE_SECONDS)
        tenants, metrics = self._ingest_lookup(events)
        user = self.env.user
        scope = {
            "tenants": tenants,
            "metrics": metrics,
            "own_partner": (
                None if self.env.su or not user.share else user.commercial_partner_id.id
            ),
            "companies": None if self.env.su or user.share else set(user.company_ids.ids),
            "latest": now + timedelta(seconds=tolerance),
            "earliest": now - timedelta(days=late_days),
        }
        results = []
        refused = Counter()
        valid = []  # (result, tenant_id, metric_id, quantity, ts, key, properties_json)
        for event in events:
            result = {
                "idempotency_key": event.get("idempotency_key"),
                "status": "rejected",
                "reason": None,
            }
            results.append(result)
            code, row = self._ingest_parse(event, scope)
            if code:
                result["reason"] = reasons[code]
                refused[code] += 1
            else:
                valid.append((result, *row))
        for index, reason in self._ingest_check(valid).items():
            valid[index][0]["reason"] = reason
            refused["refused_by_check"] += 1
            valid[index] = None
        rows = []
        seen = set()
        for row in valid:
            if row is None:
                continue
            if (row[1], row[5]) in seen:
                row[0].update(status="duplicate", reason=reasons["repeated"])
            else:
                seen.add((row[1], row[5]))
                rows.append(row)
        inserted = self._ingest_insert(rows, now) if rows else set()
        for row in rows:
            if (row[1], row[5]) in inserted:
                row[0].update(status="accepted")
            else:
                row[0].update(status="duplicate", reason=reasons["already_received"])
        if refused:
            self._ingest_emit_rejected(results, refused)
        return results

    @api.model
    def _ingest_parse(self, event, scope):
        """Check one event; return ``(refusal code, None)`` or ``(None, row)``
        with row = (tenant_id, metric_id, quantity, timestamp, key,
        properties_json)."""
        key = event.get("idempotency_key")
        if not isinstance(key, str) or not key:
            return "missing_key", None
        if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            return "key_too_long", None
        code = event.get("tenant")
        tenant = scope["tenants"].get(code) if isinstance(code, str) else None
        if tenant is None:
            return "unknown_tenant", None
        if scope["own_partner"] is not None and tenant[2] != scope["own_partner"]:
            return "foreign_tenant", None
        if scope["companies"] is not None and tenant[3] not in scope["companies"]:
            return "foreign_company", None
        if tenant[1] not in USAGE_TENANT_STATES:
            return "tenant_not_running", None
        code = event.get("metric")
        metric = scope["metrics"].get(code) if isinstance(code, str) else None
        if metric is None:
            return "unknown_metric", None
        quantity = _parse_quantity(event.get("quantity"))
        if quantity is None:
            return "bad_quantity", None
        if quantity < 0:
            return "negative_quantity", None
        if quantity >= MAX_QUANTITY:
            return "quantity_too_large", None
        stamp = _parse_timestamp(event.get("timestamp"))
        if stamp is None:
            return "bad_timestamp", None
        if stamp > scope["latest"]:
            return "future_timestamp", None
        if stamp < scope["earliest"]:
            return "late_timestamp", None
        return self._ingest_parse_properties(event.get("properties"), metric, (
            tenant[0], metric[0], quantity, stamp, key, None
        ))  # fmt: skip

    @api.model
    def _ingest_parse_properties(self, properties, metric, row):
        if properties is None:
            return ("missing_property", None) if metric[1] else (None, row)
        if not isinstance(properties, dict):
            return "bad_properties", None
        if metric[1] and properties.get(metric[1]) in (None, ""):
            return "missing_property", None
        try:
            return None, (*row[:5], json.dumps(properties))
        except (TypeError, ValueError):
            return "bad_properties", None

    @api.model
    def _ingest_check(self, rows):
        """Hook: refuse more events after the built-in checks.

        ``rows`` are the events that passed them (repeats within the batch
        included), as tuples ``(result, tenant_id, metric_id, quantity,
        timestamp, idempotency_key, properties_json)``. Return ``{index in
        rows: reason}`` for the ones to refuse (e.g. the invoicing layer refuses events of posted
        periods). Must stay cheap: one query for the whole batch at most.

        Refuses the events of a usage period already billed on a posted
        invoice (a draft one is re-rated when it is posted).
        """
        if not rows:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT e.idx - 1
                  FROM unnest(%s::int[], %s::timestamp[]) WITH ORDINALITY AS e(tenant_id, ts, idx)
                  JOIN woow_paas_tenant t ON t.id = e.tenant_id
                 WHERE EXISTS (
                       SELECT 1 FROM account_move m
                        WHERE m.paas_subscription_id = t.subscription_id
                          AND m.state = 'posted' AND m.paas_usage_start IS NOT NULL
                          AND m.paas_usage_start <= e.ts::date AND m.paas_usage_end > e.ts::date)
                """,
                [row[1] for row in rows],
                [row[4] for row in rows],
            )
        )
        reason = self.env._("timestamp is in a usage period already invoiced.")
        return {index: reason for (index,) in self.env.cr.fetchall()}

    @api.model
    def _ingest_insert(self, rows, received_at):
        """Insert ``rows`` and roll them up in one statement; return the
        ``(tenant_id, idempotency_key)`` pairs really inserted (the others
        were already stored, possibly by a concurrent transaction).

        Safe for every caller at any isolation level. At REPEATABLE READ
        (Odoo's default), a key committed by a concurrent transaction after
        this one's snapshot makes ``ON CONFLICT`` fail to serialize: the
        statement runs in a savepoint, the keys committed meanwhile are read
        on a fresh connection, counted as duplicates, and the rest inserted
        again. Each failure reveals at least one such key, so it ends.
        """
        cr = self.env.cr
        stored = set()
        pending = rows
        while True:
            try:
                cr.execute(SQL("SAVEPOINT woow_paas_ingest; %s", self._ingest_insert_query(
                    pending, received_at
                )), log_exceptions=False)  # fmt: skip
            except psycopg2.errors.SerializationFailure:
                cr.execute("ROLLBACK TO SAVEPOINT woow_paas_ingest")
                cr.execute("RELEASE SAVEPOINT woow_paas_ingest")
                found = self._ingest_committed_keys(pending)
                if not found:
                    raise
                stored |= found
                pending = [row for row in pending if (row[1], row[5]) not in stored]
                if not pending:
                    inserted = set()
                    break
                continue
            inserted = set(cr.fetchall())
            cr.execute("RELEASE SAVEPOINT woow_paas_ingest")
            break
        self.invalidate_model()
        self.env["woow.paas.usage.rollup"].invalidate_model()
        return inserted

    @api.model
    def _ingest_committed_keys(self, rows):
        """The ``(tenant_id, idempotency_key)`` pairs of ``rows`` committed by
        now, read on a new connection (this transaction's snapshot may be
        older than their commit)."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT e.tenant_id, e.idempotency_key FROM woow_paas_usage_event e"
                    " JOIN unnest(%s::int[], %s::varchar[]) AS k(tenant_id, idempotency_key)"
                    " ON e.tenant_id = k.tenant_id AND e.idempotency_key = k.idempotency_key",
                    [row[1] for row in rows],
                    [row[5] for row in rows],
                )
            )
            return set(cr.fetchall())

    @api.model
    def _ingest_insert_query(self, rows, received_at):
        columns = list(zip(*rows, strict=True))
        return SQL(
            """
            WITH input AS (
                SELECT * FROM unnest(%s::int[], %s::int[], %s::numeric[], %s::timestamp[],
                                     %s::varchar[], %s::jsonb[])
                    AS t(tenant_id, metric_id, quantity, ts, idempotency_key, properties)
            ), inserted AS (
                INSERT INTO woow_paas_usage_event (tenant_id, metric_id, quantity, "timestamp",
                    idempotency_key, properties, received_at)
                SELECT tenant_id, metric_id, quantity, ts, idempotency_key, properties, %s
                  FROM input ORDER BY tenant_id, idempotency_key
                ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
                RETURNING id, tenant_id, metric_id, quantity, "timestamp", idempotency_key
            ), rolled AS (%s)
            SELECT tenant_id, idempotency_key FROM inserted
            """,
            list(columns[1]),
            list(columns[2]),
            list(columns[3]),
            list(columns[4]),
            list(columns[5]),
            list(columns[6]),
            received_at,
            _rollup_upsert(SQL("inserted")),
        )

    @api.model
    def _ingest_emit_rejected(self, results, refused):
        """One ``usage.rejected`` event per call, on the sender, with counts."""
        statuses = Counter(result["status"] for result in results)
        self.env["woow.paas.event"]._emit(
            "usage.rejected",
            self.env.user,
            {
                "rejected": statuses["rejected"],
                "accepted": statuses["accepted"],
                "duplicate": statuses["duplicate"],
                "reasons": dict(refused),
            },
        )

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
