import json
from collections import Counter
from datetime import timedelta

import psycopg2.errors

from odoo import api, models
from odoo.tools import SQL

from .const import (
    DEFAULT_FUTURE_TOLERANCE_SECONDS,
    DEFAULT_LATE_WINDOW_DAYS,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    PARAM_FUTURE_TOLERANCE,
    PARAM_LATE_WINDOW,
    USAGE_TENANT_STATES,
)
from .usage_tools import MAX_QUANTITY, _parse_quantity, _parse_timestamp, _rollup_upsert, _utcnow


class WoowPaasUsageEventIngestMixin(models.AbstractModel):
    """The bulk path of :meth:`woow.paas.usage.event.ingest`: resolve the
    codes of a batch, validate every event, insert the good ones and their
    rollups in one statement and answer per event. Mixed into
    ``woow.paas.usage.event``; layers override these methods (e.g. the
    ``_ingest_check`` hook) on ``woow.paas.usage.event``."""

    _name = "woow.paas.usage.event.ingest.mixin"
    _description = "Woow PaaS Usage Ingestion"

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
