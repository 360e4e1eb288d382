"""Typed request and response bodies of /api/v1: the source of both the
validation of what comes in and of the OpenAPI document."""

from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Record ids are PostgreSQL integers.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _naive_utc(value):
    """A moment as Odoo stores it (naive UTC); one that UTC cannot hold
    (year 1 at +14:00, year 9999 at -14:00) is refused, not a 500."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError as exc:
        raise ValueError("the moment is out of the range of dates in UTC") from exc


# An RFC 3339 moment, converted to naive UTC on validation.
UtcDateTime = Annotated[datetime, AfterValidator(_naive_utc)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def examples(*items):
    """Pydantic configuration giving a model its JSON Schema ``examples``:
    the OpenAPI document and the API reference show the first one."""
    return ConfigDict(json_schema_extra={"examples": list(items)})


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = examples(
        {"type": "https://woow-paas.dev/problems/unprocessable-content",
         "title": "Unprocessable Content", "status": 422,
         "detail": "The body does not match the expected schema.",
         "errors": [{"name": "code", "reason": "String should have at least 3 characters"}]}
    )  # fmt: skip

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class Plan(BaseModel):
    model_config = examples(
        {"id": 3, "code": "pro", "name": "Pro", "price": 49.0, "currency": "EUR",
         "billing_interval": "month", "trial_days": 14, "public": True,
         "quotas": {"users": 25, "storage_mb": 10240, "api_calls": 100000}}
    )  # fmt: skip

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
    model_config = examples(
        {"id": 12, "reference": "SUB/2026/0012", "customer_id": 7, "plan": "pro",
         "state": "active", "price": 49.0, "currency": "EUR", "billing_interval": "month",
         "mrr": 49.0, "date_start": "2026-01-05", "trial_end_date": None,
         "current_period_start": "2026-03-05", "current_period_end": "2026-04-05",
         "cancel_reason": None, "created_at": "2026-01-05T09:12:44Z",
         "updated_at": "2026-03-05T00:00:03Z"}
    )  # fmt: skip

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
    model_config = examples(
        {"id": 21, "code": "northwind-erp", "name": "Northwind ERP", "customer_id": 7,
         "subscription_id": 12, "plan": "dedicated", "state": "active",
         "state_message": None, "url": "https://northwind-erp.example.com",
         "provisioned_at": "2026-01-05T09:13:02Z", "created_at": "2026-01-05T09:12:50Z",
         "updated_at": "2026-02-01T10:00:00Z"}
    )  # fmt: skip

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
    model_config = examples(
        {"id": "evt_5f0c6c1e9a4b4d0f8d0e2b7a1c3d9e21", "type": "tenant.suspended",
         "occurred_at": "2026-03-02T14:03:11Z", "customer_id": 7, "subscription_id": 12,
         "tenant_id": 21, "plan": "dedicated",
         "payload": {"from": "active", "to": "suspended", "reason": "Maintenance",
                     "by_subscription": False}}
    )  # fmt: skip

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
    model_config = examples({"plan": "pro", "start": "trial"})

    plan: str = Field(min_length=1, description="Plan code.")
    customer_id: Id | None = Field(
        None, description="Operators only: the customer; customer credentials act for themselves."
    )
    start: Literal["draft", "trial", "active"] = "trial"


class PlanChange(Strict):
    model_config = examples({"plan": "business"})

    plan: str = Field(min_length=1, description="Plan code.")


class Cancel(Strict):
    reason: str | None = Field(None, max_length=2000)


class TenantCreate(Strict):
    model_config = examples(
        {"code": "northwind-staging", "name": "Northwind staging", "subscription_id": 12}
    )

    code: str = Field(
        min_length=3,
        max_length=63,
        pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
        description="DNS label: the tenant's host name (reserved platform names are refused).",
    )
    name: str = Field(min_length=1, max_length=200)
    subscription_id: Id
    provision: bool = True


class Suspend(Strict):
    reason: str | None = Field(None, max_length=2000)


class Health(BaseModel):
    status: Literal["ok"]


class Version(BaseModel):
    api: str
    version: str


class GraphqlQuery(Strict):
    model_config = examples(
        {"query": "query { tenants(first: 5) { code state url plan { code } } }"}
    )

    query: str = Field(min_length=1, max_length=20000)
    variables: dict[str, Any] | None = None
    operationName: str | None = None  # the name GraphQL over HTTP uses


class GraphqlResult(BaseModel):
    data: dict[str, Any] | None
