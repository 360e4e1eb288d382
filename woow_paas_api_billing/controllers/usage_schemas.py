"""Typed bodies of the usage routes of /api/v1 (``controllers/usage.py``)."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from odoo.addons.woow_paas_api.tools.framework import Strict, examples


class UsageBatch(Strict):
    """Items are checked one by one by the platform (a bad event never drops
    the good ones), so their fields are described here, not enforced."""

    model_config = examples(
        {"events": [
            {"tenant": "northwind-erp", "metric": "api_calls", "quantity": 120,
             "timestamp": "2026-03-02T14:00:00Z", "idempotency_key": "batch-81-1"},
            {"tenant": "northwind-erp", "metric": "storage_mb", "quantity": 2048,
             "timestamp": "2026-03-02T14:00:00Z", "idempotency_key": "batch-81-2"},
            {"tenant": "northwind-erp", "metric": "unknown_metric", "quantity": 1,
             "timestamp": "2026-03-02T14:00:00Z", "idempotency_key": "batch-81-3"},
        ]}
    )  # fmt: skip

    events: list[dict[str, Any]] = Field(
        max_length=10000,
        description='Each: {"tenant": code, "metric": code, "quantity": number, '
        '"timestamp": ISO 8601, "idempotency_key": string, "properties": object (optional)}.',
    )


class UsageResult(BaseModel):
    idempotency_key: Any = None
    status: Literal["accepted", "duplicate", "rejected"] = Field(
        description="accepted: stored; duplicate: already received with this key, counted "
        "once; rejected: not stored, see reason (fix it and send that event again)."
    )
    reason: str | None = Field(
        None, description="Why the event was rejected, or counted once (duplicate)."
    )


class UsageResults(BaseModel):
    """The outcome of a batch: counts, then one result per event in the order
    sent. The answer is 200 whenever the batch itself was read, even if some
    or all of its events were rejected: check ``rejected``."""

    model_config = examples(
        {"accepted": 1, "duplicate": 1, "rejected": 1, "results": [
            {"idempotency_key": "batch-81-1", "status": "accepted", "reason": None},
            {"idempotency_key": "batch-81-2", "status": "duplicate",
             "reason": "Already received: counted once."},
            {"idempotency_key": "batch-81-3", "status": "rejected",
             "reason": "Unknown or archived metric."},
        ]}
    )  # fmt: skip

    accepted: int = Field(description="Events stored by this call.")
    duplicate: int = Field(description="Events already received (same idempotency key).")
    rejected: int = Field(description="Events refused; their results say why.")
    results: list[UsageResult] = Field(description="One per event, in the order sent.")


class UsageAggregate(BaseModel):
    tenant_id: int
    metric: str
    aggregation: str
    date_from: date
    date_to: date
    quantity: float
