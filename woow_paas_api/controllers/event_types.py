"""The event types a webhook endpoint may ask for, from the platform's
registry (``woow.paas.event._paas_event_types()``)."""

from odoo import http

from ..tools.framework import PREFIX, api_route
from . import webhook_schemas as W


class WoowPaasEventTypeApi(http.Controller):
    @api_route(f"{PREFIX}/webhooks/event-types", "GET", summary="List webhook event types",
               scope="webhooks:manage", response=W.EventTypeList,
               tags=("webhooks",))  # fmt: skip
    def list_webhook_event_types(call):
        """Every event type the platform emits, with its label: the values of
        an endpoint's event_types (which also take wildcards such as
        tenant.*). A customer's credential gets the types its endpoints can
        receive, those that concern one customer."""
        types = call.env["woow.paas.event"]._paas_event_types()
        return 200, {
            "data": [
                {"type": name, "label": str(info["label"]), "customer": info["customer"]}
                for name, info in types.items()
                if info["customer"] or not call.is_customer
            ]
        }
