"""The event log (the audit trail): list and read events."""

from odoo import http

from ..tools.framework import LIST_QUERY, PREFIX, ApiError, api_route, check_read, events_data, page
from . import schemas as S


class WoowPaasApiEvents(http.Controller):
    @api_route(f"{PREFIX}/events", "GET", summary="List events (the audit trail)",
               scope="events:read", response=S.EventPage,
               query={**LIST_QUERY, "type": ("string", "Only this event type."),
                      "tenant_id": ("integer", "Only this tenant."),
                      "subscription_id": ("integer", "Only this subscription.")},
               tags=("events",))  # fmt: skip
    def list_events(call):
        Event, domain = events_scope(call)
        for name, field in (("type", "event_type"), ("tenant_id", "tenant_id"),
                            ("subscription_id", "subscription_id")):  # fmt: skip
            if name in call.query:
                domain.append((field, "=", call.query[name]))
        return page(call, Event, domain, events_data)

    @api_route(f"{PREFIX}/events/<string:event_id>", "GET", summary="Read an event",
               scope="events:read", response=S.Event, tags=("events",))  # fmt: skip
    def get_event(call, event_id):
        Event, domain = events_scope(call)
        event = Event.search([*domain, ("uuid", "=", event_id)], limit=1)
        if not event:
            raise ApiError(404, f"No event {event_id}.")
        return 200, events_data(event)[0]


def events_scope(call):
    """The event model and domain a credential reads (also GraphQL's):
    customers read their own customer's events (the event log has no portal
    access of its own); operators what their user may. A credential bound
    to a tenant reads that tenant's."""
    tenant_domain = call.tenant_domain("woow.paas.event")
    if call.is_customer:
        Event = call.env["woow.paas.event"].sudo()
        return Event, [("partner_id", "=", call.partner.id), *tenant_domain]
    check_read(call, "woow.paas.event")
    return call.env["woow.paas.event"], tenant_domain
