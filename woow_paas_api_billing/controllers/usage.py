"""Usage routes of /api/v1, served where woow_paas_billing is installed:
send usage events in batches (billing's ``woow.paas.usage.event.ingest()``)
and read a tenant's aggregate of a metric (``tenant._paas_usage()``)."""

from collections import Counter
from datetime import timedelta

from odoo import fields, http

from odoo.addons.woow_paas_api.tools.framework import PREFIX, ApiError, api_route

from . import usage_schemas as U


class WoowPaasApiUsage(http.Controller):
    @api_route(f"{PREFIX}/usage", "POST", summary="Send usage events", scope="usage:write",
               body=U.UsageBatch, response=U.UsageResults, tags=("usage",),
               read_committed=True)  # fmt: skip
    def post_usage(call):
        """A batch of usage events; one result per event, in order. Duplicates
        (the same tenant and idempotency key) are accepted and counted once.
        A credential bound to a tenant sends for that tenant only.

        The answer is 200 whenever the batch itself was read, even when some
        or all of its events were rejected (not 207 Multi-Status: clients
        that check for 200 keep working): `accepted`, `duplicate` and
        `rejected` count the outcomes, and each rejected result gives its
        `reason`. Send the rejected events again once fixed; the accepted
        ones are stored and a resend of them counts as a duplicate. A batch
        that cannot be read at all (not JSON, no `events` list, more than
        10,000 events) is a 4xx problem and stores nothing."""
        results = _ingest(call, call.body.events)
        counts = Counter(result["status"] for result in results)
        # A plain dict of U.UsageResults' shape: ingest() returns exactly its
        # items, and a pydantic round trip of 1,000 of them costs more than
        # the JSON (the schema test holds the answer to the document).
        return 200, {
            "accepted": counts["accepted"], "duplicate": counts["duplicate"],
            "rejected": counts["rejected"], "results": results,
        }  # fmt: skip

    @api_route(f"{PREFIX}/usage", "GET", summary="Aggregate usage", scope="billing:read",
               response=U.UsageAggregate,
               query={"tenant_id": ("integer", "The tenant (required)."),
                      "metric": ("string", "The metric code (required)."),
                      "from": ("date", "First day, included (default: first of the month)."),
                      "to": ("date", "Last day, excluded (default: tomorrow).")},
               tags=("usage",))  # fmt: skip
    def get_usage(call):
        """A tenant's usage of a metric over a period, aggregated as the metric says."""
        for name in ("tenant_id", "metric"):
            if name not in call.query:
                raise ApiError(400, f"Query parameter {name} is required.")
        tenant = call.find("woow.paas.tenant", call.query["tenant_id"])
        metric = (
            call.env["woow.paas.metric"]
            .sudo()
            .search([("code", "=", call.query["metric"])], limit=1)
        )
        if not metric:
            raise ApiError(404, f"No metric {call.query['metric']}.")
        today = fields.Date.context_today(tenant)
        date_from = call.query.get("from") or today.replace(day=1)
        date_to = call.query.get("to") or today + timedelta(days=1)
        if date_to <= date_from:
            raise ApiError(400, "to must be after from.")
        quantity = tenant._paas_usage(metric, date_from, date_to)
        return 200, U.UsageAggregate(
            tenant_id=tenant.id, metric=metric.code, aggregation=metric.aggregation,
            date_from=date_from, date_to=date_to, quantity=float(quantity),
        )  # fmt: skip


def _ingest(call, events):
    """Ingest ``events``; for a tenant-bound credential, those of another
    tenant are rejected one by one (the others are ingested)."""
    Usage = call.env["woow.paas.usage.event"]
    if not call.tenant:
        return Usage.ingest(events)
    code = call.tenant.sudo().code
    results = [None] * len(events)
    own = []
    for index, event in enumerate(events):
        if isinstance(event, dict) and event.get("tenant") != code:
            results[index] = {
                "idempotency_key": event.get("idempotency_key"), "status": "rejected",
                "reason": f"This credential acts for tenant {code} only.",
            }  # fmt: skip
        else:
            own.append(index)
    for index, result in zip(own, Usage.ingest([events[i] for i in own]), strict=True):
        results[index] = result
    return results
