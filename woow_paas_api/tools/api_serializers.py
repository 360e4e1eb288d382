"""Serializers of the REST API's core resources: one ``read()`` and one
query per linked model for a whole page, not record by record, so that a
page of 50 is a handful of queries. The pydantic models of
``controllers/schemas.py`` still define (and document) the shapes.

Public names are re-exported by :mod:`.framework`.
"""

from datetime import datetime


def iso(value):
    """RFC 3339: dates as they are, datetimes (naive UTC in Odoo) with their Z."""
    if not value:
        return None
    return value.isoformat() + ("Z" if isinstance(value, datetime) else "")


def codes(model, ids, field="code"):
    """``{id: field}`` of the records ``ids`` of ``model`` in one read (as superuser:
    codes and names of linked records the caller may not read themselves)."""
    ids = {i for i in ids if i}
    return {r["id"]: r[field] for r in model.browse(ids).sudo().read([field], load=None)}


def plans_data(plans):
    """The JSON items (schema ``Plan``) of ``plans``."""
    quotas = {plan.id: plan._get_quota_limits() for plan in plans.sudo()}
    currencies = codes(plans.env["res.currency"], plans.sudo().currency_id.ids, "name")
    return [
        {"id": r["id"], "code": r["code"], "name": r["name"], "price": r["price"],
         "currency": currencies.get(r["currency_id"]), "billing_interval": r["billing_interval"],
         "trial_days": r["trial_days"], "public": r["is_public"], "quotas": quotas[r["id"]]}
        for r in plans.read(["code", "name", "price", "currency_id", "billing_interval",
                             "trial_days", "is_public"], load=None)
    ]  # fmt: skip


def subscriptions_data(subs):
    """The JSON items (schema ``Subscription``) of ``subs``."""
    rows = subs.read(
        ["name", "commercial_partner_id", "plan_id", "state", "price", "currency_id",
         "billing_interval", "mrr", "date_start", "trial_end_date", "current_period_start",
         "current_period_end", "cancel_reason", "create_date", "write_date"], load=None,
    )  # fmt: skip
    plans = codes(subs.env["woow.paas.plan"], [r["plan_id"] for r in rows])
    currencies = codes(subs.env["res.currency"], [r["currency_id"] for r in rows], "name")
    return [
        {"id": r["id"], "reference": r["name"], "customer_id": r["commercial_partner_id"],
         "plan": plans.get(r["plan_id"]), "state": r["state"], "price": r["price"],
         "currency": currencies.get(r["currency_id"]), "billing_interval": r["billing_interval"],
         "mrr": r["mrr"], "date_start": iso(r["date_start"]),
         "trial_end_date": iso(r["trial_end_date"]),
         "current_period_start": iso(r["current_period_start"]),
         "current_period_end": iso(r["current_period_end"]),
         "cancel_reason": r["cancel_reason"] or None, "created_at": iso(r["create_date"]),
         "updated_at": iso(r["write_date"])}
        for r in rows
    ]  # fmt: skip


def tenants_data(tenants):
    """The JSON items (schema ``Tenant``) of ``tenants``."""
    rows = tenants.read(
        ["code", "name", "commercial_partner_id", "subscription_id", "plan_id", "state",
         "state_message", "provisioned_date", "create_date", "write_date"], load=None,
    )  # fmt: skip
    plans = codes(tenants.env["woow.paas.plan"], [r["plan_id"] for r in rows])
    urls = tenants._paas_urls()
    return [
        {"id": r["id"], "code": r["code"], "name": r["name"],
         "customer_id": r["commercial_partner_id"], "subscription_id": r["subscription_id"] or None,
         "plan": plans.get(r["plan_id"]), "state": r["state"],
         "state_message": r["state_message"] or None, "url": urls.get(r["id"]) or None,
         "provisioned_at": iso(r["provisioned_date"]), "created_at": iso(r["create_date"]),
         "updated_at": iso(r["write_date"])}
        for r in rows
    ]  # fmt: skip


def events_data(events):
    """The JSON items (schema ``Event``) of ``events``."""
    rows = events.read(
        ["uuid", "event_type", "occurred_at", "partner_id", "subscription_id", "tenant_id",
         "plan_id", "payload"], load=None,
    )  # fmt: skip
    plans = codes(events.env["woow.paas.plan"], [r["plan_id"] for r in rows])
    return [
        {"id": r["uuid"], "type": r["event_type"], "occurred_at": iso(r["occurred_at"]),
         "customer_id": r["partner_id"] or None, "subscription_id": r["subscription_id"] or None,
         "tenant_id": r["tenant_id"] or None, "plan": plans.get(r["plan_id"]),
         "payload": r["payload"] or {}}
        for r in rows
    ]  # fmt: skip
