"""Pure helpers of usage events: the rollup upsert statement and the
parsing of reported values, shared by ``woow.paas.usage.event`` and its
mixins."""

import math
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from odoo.tools import SQL

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
