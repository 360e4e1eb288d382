"""Typed answers of the invoice routes (the source of their OpenAPI part)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from odoo.addons.woow_paas_api.tools.framework import Page


class Invoice(BaseModel):
    id: int
    number: str | None = Field(description="The invoice number; null while draft.")
    type: Literal["invoice", "credit_note"]
    customer_id: int
    subscription_id: int | None
    kind: str | None = Field(description="What a subscription invoice charges (period, usage...).")
    state: Literal["draft", "posted", "cancel"]
    payment_state: str
    currency: str
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    amount_due: float
    invoice_date: date | None
    due_date: date | None
    period_start: date | None
    period_end: date | None = Field(description="First day after the period.")
    created_at: datetime
    updated_at: datetime


class InvoiceLine(BaseModel):
    description: str
    quantity: float
    price_unit: float
    subtotal: float
    total: float


class InvoiceDetail(Invoice):
    lines: list[InvoiceLine]


class InvoicePage(Page):
    data: list[Invoice]
