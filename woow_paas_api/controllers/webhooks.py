"""Webhook routes of /api/v1: endpoints, secret rotation, deliveries and
redelivery. A customer credential sees and manages its own endpoints only."""

import json
from datetime import datetime

from odoo import http
from odoo.exceptions import ValidationError

from ..tools.framework import LIST_QUERY, PREFIX, ApiError, api_route, check_read, iso, page
from . import webhook_schemas as W

SCOPE = "webhooks:manage"
TAGS = ("webhooks",)
ENDPOINT = "woow.paas.webhook.endpoint"
DELIVERY = "woow.paas.webhook.delivery"
DELIVERY_STATES = ("pending", "delivering", "delivered", "failed", "disabled")


def _endpoint(endpoint, secret=None):
    endpoint = endpoint.sudo()
    try:
        headers = endpoint._parsed_headers()
    except ValidationError:  # a value stored before a stricter check: shown empty
        headers = {}
    data = {
        "id": endpoint.id, "url": endpoint.url, "description": endpoint.description or None,
        "owner_id": endpoint.user_id.id,
        "customer_id": endpoint.partner_id.id if endpoint.is_customer_endpoint else None,
        "event_types": endpoint._event_patterns(), "enabled": endpoint.enabled,
        "ordered": endpoint.ordered, "disabled_reason": endpoint.disabled_reason or None,
        "disabled_at": iso(endpoint.disabled_at), "reenabled_at": iso(endpoint.reenabled_at),
        "custom_headers": headers,
        "allow_private_network": endpoint.allow_private_network,
        "previous_secret_expires_at": iso(endpoint.previous_secret_expires_at),
        "failing_since": iso(endpoint.failing_since), "created_at": iso(endpoint.create_date),
    }  # fmt: skip
    if secret:
        data["secret"] = secret
    return data


def _delivery(delivery):
    return {
        name: iso(value) if isinstance(value, datetime) else value
        for name, value in delivery._delivery_summary().items()
    }


def _check_private_network(call, allow):
    if allow and (call.is_customer or not call.user.has_group("woow_paas_core.group_paas_manager")):
        raise ApiError(403, "Only a PaaS Manager's credential may allow private networks.")


def _act(call, record):
    """Customers act on their own records (found under their rules) with the
    platform's rights: portal users write nothing themselves."""
    return record.sudo() if call.is_customer else record


class WoowPaasWebhookApi(http.Controller):
    @api_route(f"{PREFIX}/webhooks/endpoints", "GET", summary="List webhook endpoints",
               scope=SCOPE, response=W.WebhookEndpointPage,
               query={**LIST_QUERY, "enabled": ("string", "true or false.")},
               tags=TAGS)  # fmt: skip
    def list_webhook_endpoints(call):
        """The credential's own endpoints (all of them for a PaaS Manager)."""
        check_read(call, ENDPOINT)
        domain = []
        if "enabled" in call.query:
            if call.query["enabled"] not in ("true", "false"):
                raise ApiError(400, "enabled is true or false.")
            domain.append(("enabled", "=", call.query["enabled"] == "true"))
        return page(call, call.env[ENDPOINT], domain, lambda rs: [_endpoint(r) for r in rs])

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>", "GET",
               summary="Read a webhook endpoint", scope=SCOPE, response=W.WebhookEndpoint,
               tags=TAGS)  # fmt: skip
    def get_webhook_endpoint(call, endpoint_id):
        check_read(call, ENDPOINT)
        return 200, _endpoint(call.find(ENDPOINT, endpoint_id))

    @api_route(f"{PREFIX}/webhooks/endpoints", "POST", summary="Create a webhook endpoint",
               scope=SCOPE, body=W.WebhookEndpointCreate, response=W.WebhookEndpointWithSecret,
               status=201, tags=TAGS)  # fmt: skip
    def create_webhook_endpoint(call):
        """Create an endpoint owned by the credential's user. The answer carries
        its whsec_ secret, shown this once. A URL on a private, loopback or
        link-local address is refused (422)."""
        body = call.body
        _check_private_network(call, body.allow_private_network)
        vals = {
            "url": body.url, "description": body.description or False,
            "event_types": " ".join(body.event_types) or False,
            "custom_headers": json.dumps(body.custom_headers) if body.custom_headers else False,
            "enabled": body.enabled, "ordered": body.ordered,
            "allow_private_network": body.allow_private_network, "user_id": call.user.id,
        }  # fmt: skip
        env = call.env(su=True) if call.is_customer else call.env
        endpoint = env[ENDPOINT].create(vals)
        endpoint.sudo().secret_shown = True
        return 201, _endpoint(endpoint, secret=endpoint.sudo().secret)

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>", "PATCH",
               summary="Update a webhook endpoint", scope=SCOPE, body=W.WebhookEndpointUpdate,
               response=W.WebhookEndpoint, tags=TAGS)  # fmt: skip
    def update_webhook_endpoint(call, endpoint_id):
        """Change the fields sent. Enabling a disabled endpoint does not send
        what it missed: ask for it with replay-missed."""
        endpoint = call.find(ENDPOINT, endpoint_id)
        body = call.body.model_dump(exclude_unset=True)
        if None in (body.get(k, "") for k in ("url", "enabled", "ordered",
                                                "allow_private_network")):  # fmt: skip
            raise ApiError(422, "url, enabled, ordered and allow_private_network cannot be null.")
        _check_private_network(call, body.get("allow_private_network"))
        vals = {}
        for name in ("url", "enabled", "ordered", "allow_private_network"):
            if name in body:
                vals[name] = body[name]
        if "description" in body:
            vals["description"] = body["description"] or False
        if "event_types" in body:
            vals["event_types"] = " ".join(body["event_types"] or []) or False
        if "custom_headers" in body:
            headers = body["custom_headers"]
            vals["custom_headers"] = json.dumps(headers) if headers else False
        if vals:
            _act(call, endpoint).write(vals)
        return 200, _endpoint(endpoint)

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>", "DELETE",
               summary="Delete a webhook endpoint", scope=SCOPE, status=204,
               tags=TAGS)  # fmt: skip
    def delete_webhook_endpoint(call, endpoint_id):
        """Delete the endpoint with its deliveries and their attempts."""
        endpoint = call.find(ENDPOINT, endpoint_id)
        _act(call, endpoint).unlink()
        return 204, None

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>/test", "POST",
               summary="Send a test message to a webhook endpoint", scope=SCOPE,
               body=W.Strict, response=W.WebhookDelivery, status=202, tags=TAGS)  # fmt: skip
    def test_webhook_endpoint(call, endpoint_id):
        """Queue a webhook.test message, which the worker sends at once (it is
        not retried); follow its delivery for the result."""
        endpoint = call.find(ENDPOINT, endpoint_id)
        delivery = _act(call, endpoint)._test_send()
        return 202, _delivery(delivery)

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>/redeliver", "POST",
               summary="Redeliver failed webhooks since a date", scope=SCOPE,
               body=W.Redelivery, response=W.RedeliveryResult, status=202,
               tags=TAGS)  # fmt: skip
    def redeliver_failed_webhooks(call, endpoint_id):
        """Send again every failed delivery (retries exhausted) of the
        endpoint created at or after since, each with its webhook-id and a
        fresh schedule of retries. A disabled endpoint is refused (409)."""
        endpoint = call.find(ENDPOINT, endpoint_id)
        count = _act(call, endpoint)._redeliver_failed(call.body.since)
        return 202, {"endpoint_id": endpoint.id, "redelivered": count}

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>/replay-missed", "POST",
               summary="Replay what a webhook endpoint missed while disabled", scope=SCOPE,
               body=W.Strict, response=W.ReplayResult, status=202, tags=TAGS)  # fmt: skip
    def replay_missed_webhooks(call, endpoint_id):
        """For a re-enabled endpoint: queue the deliveries stopped when it was
        disabled and one for every matching event emitted while it was
        disabled, each event once (a repeat queues nothing). A disabled
        endpoint is refused (409)."""
        endpoint = call.find(ENDPOINT, endpoint_id)
        count = _act(call, endpoint)._replay_missed()
        return 202, {"endpoint_id": endpoint.id, "replayed": count}

    @api_route(f"{PREFIX}/webhooks/endpoints/<int:endpoint_id>/rotate-secret", "POST",
               summary="Rotate a webhook endpoint's secret", scope=SCOPE,
               body=W.SecretRotation, response=W.WebhookEndpointWithSecret,
               tags=TAGS)  # fmt: skip
    def rotate_webhook_secret(call, endpoint_id):
        """A new secret, shown this once; the current one keeps signing beside
        it for overlap_hours (default 24), then stops."""
        endpoint = call.find(ENDPOINT, endpoint_id)
        secret = _act(call, endpoint)._rotate_secret(call.body.overlap_hours)
        return 200, _endpoint(endpoint, secret=secret)

    @api_route(f"{PREFIX}/webhooks/deliveries", "GET", summary="List webhook deliveries",
               scope=SCOPE, response=W.WebhookDeliveryPage,
               query={**LIST_QUERY,
                      "endpoint_id": ("integer", "Only this endpoint's."),
                      "state": ("string", "Only this state: " + ", ".join(DELIVERY_STATES))},
               tags=TAGS)  # fmt: skip
    def list_webhook_deliveries(call):
        check_read(call, DELIVERY)
        domain = []
        if "endpoint_id" in call.query:
            domain.append(("endpoint_id", "=", call.query["endpoint_id"]))
        if "state" in call.query:
            if call.query["state"] not in DELIVERY_STATES:
                raise ApiError(400, f"state is one of {', '.join(DELIVERY_STATES)}.")
            domain.append(("state", "=", call.query["state"]))
        return page(call, call.env[DELIVERY], domain, lambda rs: [_delivery(r) for r in rs])

    @api_route(f"{PREFIX}/webhooks/deliveries/<int:delivery_id>/redeliver", "POST",
               summary="Redeliver a webhook", scope=SCOPE, body=W.Strict,
               response=W.WebhookDelivery, status=202, tags=TAGS)  # fmt: skip
    def redeliver_webhook(call, delivery_id):
        """Send the delivery again soon, with the same webhook-id and a fresh
        schedule of retries."""
        delivery = call.find(DELIVERY, delivery_id)
        if delivery.state in ("pending", "delivering"):
            raise ApiError(409, "The delivery is already waiting to be sent.")
        if delivery.is_test:
            raise ApiError(422, "A test message is not redelivered.")
        _act(call, delivery).action_redeliver()
        return 202, _delivery(delivery)
