"""Typed bodies of the webhook routes of /api/v1."""

from datetime import datetime

from pydantic import BaseModel, Field

from .schemas import Page, Strict, UtcDateTime


class WebhookEndpoint(BaseModel):
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
    secret: str = Field(description="The whsec_ signing secret, shown this once.")


class WebhookEndpointPage(Page):
    data: list[WebhookEndpoint]


class WebhookEndpointCreate(Strict):
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
    last_error: str | None
    created_at: datetime


class WebhookDeliveryPage(Page):
    data: list[WebhookDelivery]
