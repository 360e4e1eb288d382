"""Typed bodies of the webhook routes of /api/v1."""

from datetime import datetime

from pydantic import BaseModel, Field

from .schemas import Page, Strict, UtcDateTime, examples

ENDPOINT_EXAMPLE = {
    "id": 4, "url": "https://hooks.example.com/woow", "description": "Production receiver",
    "owner_id": 9, "customer_id": 7, "event_types": ["tenant.*", "invoice.paid"],
    "enabled": True, "ordered": True, "disabled_reason": None, "disabled_at": None,
    "reenabled_at": None, "custom_headers": {"X-Env": "prod"},
    "allow_private_network": False, "previous_secret_expires_at": None,
    "failing_since": None, "created_at": "2026-02-10T08:30:00Z",
}  # fmt: skip


class WebhookEndpoint(BaseModel):
    model_config = examples(ENDPOINT_EXAMPLE)

    id: int
    url: str
    description: str | None
    owner_id: int = Field(description="The user the endpoint belongs to.")
    customer_id: int | None = Field(description="Set for a customer's endpoint.")
    event_types: list[str] = Field(description="Types or patterns (tenant.*); empty: all.")
    enabled: bool
    ordered: bool = Field(
        description="Deliveries go one at a time in event order; a failing one holds the "
        "later ones during its first three attempts (about five minutes)."
    )
    disabled_reason: str | None
    disabled_at: datetime | None
    reenabled_at: datetime | None = Field(
        description="Set when re-enabled after being disabled: replay-missed sends what "
        "was emitted between disabled_at and this."
    )
    custom_headers: dict[str, str]
    allow_private_network: bool
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the previous secret still signs (rotation overlap)."
    )
    failing_since: datetime | None
    created_at: datetime


class WebhookEndpointWithSecret(WebhookEndpoint):
    model_config = examples(
        {**ENDPOINT_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
    )

    secret: str = Field(description="The whsec_ signing secret, shown this once.")


class WebhookEndpointPage(Page):
    data: list[WebhookEndpoint]


class WebhookEndpointCreate(Strict):
    model_config = examples(
        {"url": "https://hooks.example.com/woow", "description": "Production receiver",
         "event_types": ["tenant.*", "invoice.paid"]}
    )  # fmt: skip

    url: str = Field(max_length=2048, description="An http(s) URL on a public address.")
    description: str | None = Field(None, max_length=256)
    event_types: list[str] = Field(default_factory=list, max_length=100)
    custom_headers: dict[str, str] = Field(default_factory=dict, max_length=20)
    enabled: bool = True
    ordered: bool = True
    allow_private_network: bool = Field(False, description="Operators with manager rights.")


class WebhookEndpointUpdate(Strict):
    """Only the fields sent change."""

    url: str | None = Field(None, max_length=2048)
    description: str | None = Field(None, max_length=256)
    event_types: list[str] | None = Field(None, max_length=100)
    custom_headers: dict[str, str] | None = Field(None, max_length=20)
    enabled: bool | None = None
    ordered: bool | None = None
    allow_private_network: bool | None = Field(None, description="Operators with manager rights.")


class Redelivery(Strict):
    since: UtcDateTime = Field(
        description="Failed deliveries created at or after this moment (RFC 3339) are sent "
        "again, with their webhook-id."
    )


class RedeliveryResult(BaseModel):
    endpoint_id: int
    redelivered: int = Field(description="How many deliveries were queued.")


class ReplayResult(BaseModel):
    endpoint_id: int
    replayed: int = Field(description="How many deliveries were queued (0 on a repeat).")


class SecretRotation(Strict):
    overlap_hours: int = Field(
        24, ge=0, le=168, description="How long the current secret keeps signing too."
    )


class WebhookDelivery(BaseModel):
    model_config = examples(
        {"id": 311, "endpoint_id": 4, "event_id": "evt_5f0c6c1e9a4b4d0f8d0e2b7a1c3d9e21",
         "event_type": "tenant.suspended",
         "webhook_id": "msg_5f0c6c1e9a4b4d0f8d0e2b7a1c3d9e21_4", "state": "pending",
         "attempts": 2, "next_attempt_at": "2026-03-02T14:38:40Z",
         "last_attempt_at": "2026-03-02T14:08:40Z", "delivered_at": None,
         "last_status_code": 500, "last_latency_ms": 84,
         "last_response": "upstream unavailable",
         "last_error": "The endpoint answered 500 Internal Server Error.",
         "created_at": "2026-03-02T14:03:11Z"}
    )  # fmt: skip

    id: int
    endpoint_id: int
    event_id: str | None
    event_type: str | None
    webhook_id: str = Field(description="The webhook-id header: the same on every retry.")
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_response: str | None
    last_error: str | None = Field(
        description="Why the last attempt failed, in words: the status the endpoint "
        "answered, or what went wrong before it answered (connection refused, timeout, "
        "TLS, a refused address)."
    )
    created_at: datetime


class WebhookDeliveryPage(Page):
    data: list[WebhookDelivery]


class EventType(BaseModel):
    type: str = Field(description="The type, as in a webhook body and in event_types.")
    label: str
    customer: bool = Field(
        description="The event concerns one customer, whose endpoints receive it; the "
        "others reach operators only."
    )


class EventTypeList(BaseModel):
    model_config = examples(
        {"data": [
            {"type": "tenant.suspended", "label": "Tenant suspended", "customer": True},
            {"type": "invoice.paid", "label": "Invoice paid", "customer": True},
        ]}
    )  # fmt: skip

    data: list[EventType]
