"""Typed request and response bodies of /api/v1: the source of both the
validation of what comes in and of the OpenAPI document."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class Plan(BaseModel):
    id: int
    code: str
    name: str
    price: float
    currency: str
    billing_interval: Literal["month", "year"]
    trial_days: int
    public: bool
    quotas: dict[str, float]


class Subscription(BaseModel):
    id: int
    reference: str
    customer_id: int
    plan: str
    state: str
    price: float
    currency: str
    billing_interval: str
    mrr: float
    date_start: date | None
    trial_end_date: date | None
    current_period_start: date | None
    current_period_end: date | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime


class Tenant(BaseModel):
    id: int
    code: str
    name: str
    customer_id: int
    subscription_id: int | None
    plan: str | None
    state: str
    state_message: str | None
    url: str | None = Field(
        description="Where the tenant's application is served (a tenant with its own "
        "database: https://<code>.<platform domain>); null when it has no URL of its own."
    )
    provisioned_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Event(BaseModel):
    id: str
    type: str
    occurred_at: datetime
    customer_id: int | None
    subscription_id: int | None
    tenant_id: int | None
    plan: str | None
    payload: dict[str, Any]


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


class PlanPage(Page):
    data: list[Plan]


class SubscriptionPage(Page):
    data: list[Subscription]


class TenantPage(Page):
    data: list[Tenant]


class EventPage(Page):
    data: list[Event]


class SubscriptionCreate(Strict):
    plan: str = Field(min_length=1, description="Plan code.")
    customer_id: int | None = Field(
        None, description="Operators only: the customer; customer credentials act for themselves."
    )
    start: Literal["draft", "trial", "active"] = "trial"


class PlanChange(Strict):
    plan: str = Field(min_length=1, description="Plan code.")


class Cancel(Strict):
    reason: str | None = Field(None, max_length=2000)


class TenantCreate(Strict):
    code: str = Field(
        min_length=3,
        max_length=63,
        pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
        description="DNS label: the tenant's host name (reserved platform names are refused).",
    )
    name: str = Field(min_length=1, max_length=200)
    subscription_id: int
    provision: bool = True


class Suspend(Strict):
    reason: str | None = Field(None, max_length=2000)


class Health(BaseModel):
    status: Literal["ok"]


class Version(BaseModel):
    api: str
    version: str


class UsageBatch(Strict):
    """Items are checked one by one by the platform (a bad event never drops
    the good ones), so their fields are described here, not enforced."""

    events: list[dict[str, Any]] = Field(
        max_length=10000,
        description='Each: {"tenant": code, "metric": code, "quantity": number, '
        '"timestamp": ISO 8601, "idempotency_key": string, "properties": object (optional)}.',
    )


class UsageResult(BaseModel):
    idempotency_key: Any = None
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None


class UsageResults(BaseModel):
    accepted: int
    duplicate: int
    rejected: int
    results: list[UsageResult]


class UsageAggregate(BaseModel):
    tenant_id: int
    metric: str
    aggregation: str
    date_from: date
    date_to: date
    quantity: float


class GraphqlQuery(Strict):
    query: str = Field(min_length=1, max_length=20000)
    variables: dict[str, Any] | None = None
    operationName: str | None = None  # the name GraphQL over HTTP uses


class GraphqlResult(BaseModel):
    data: dict[str, Any] | None
