"""The webhook endpoints and deliveries of the customer's API page,
/my/api/webhooks (see ``portal.py`` for how records are found and changed)."""

import fnmatch
from http import HTTPStatus

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal import (
    ATTEMPT,
    DELIVERIES_PER_PAGE,
    DELIVERY,
    ENDPOINT,
    NO_STORE,
    WoowPaasApiPortal,
)

_lt = LazyTranslate(__name__)
# Headings of the event type groups of the endpoint form, by prefix.
EVENT_GROUPS = {
    "tenant": _lt("Tenants"),
    "subscription": _lt("Subscriptions"),
    "invoice": _lt("Invoices"),
    "payment": _lt("Payments"),
    "quota": _lt("Quotas"),
    "webhook": _lt("Webhooks"),
}


class WoowPaasApiWebhookPortal(WoowPaasApiPortal):
    # ------------------------------------------------------------------
    # Webhook endpoints
    # ------------------------------------------------------------------
    def _paas_endpoint_form(self, form, errors, endpoint=None):
        """Checked values of the endpoint form, with the API layer's own
        checks (SSRF guard, event patterns). A changed URL loses an
        operator's permission to reach private networks (the endpoint model
        drops it when the URL is saved): the new URL is checked without it."""
        Endpoint = request.env[ENDPOINT].sudo()
        url = (form.get("url") or "").strip()
        url_changed = not endpoint or url != endpoint.url
        allow_private = bool(endpoint and not url_changed and endpoint.sudo().allow_private_network)
        vals = {
            "url": url,
            "event_types": self._paas_event_patterns(form, errors),
            "description": self._paas_name(form, errors, "description", required=False, size=200)
            or False,
            "enabled": bool(form.get("enabled")),
        }
        if not url:
            errors["url"] = request.env._("This field is required.")
        elif len(url) > 2000:
            errors["url"] = request.env._("At most %(size)s characters.", size=2000)
        else:
            probe = Endpoint.new({**vals, "allow_private_network": allow_private})
            try:
                probe._check_url()
            except ValidationError as exc:
                errors["url"] = exc.args[0]
            try:
                probe._check_event_types()
            except ValidationError as exc:
                errors["event_types"] = exc.args[0]
        if "event_types" not in errors and vals["event_types"]:
            known = [t for _group, _label, types in self._paas_event_choices() for t, _l in types]
            useless = [
                pattern for pattern in vals["event_types"].split()
                if not any(fnmatch.fnmatchcase(t, pattern) for t in known)
            ]  # fmt: skip
            if useless:
                errors["event_types"] = request.env._(
                    "%(patterns)s matches none of the event types you receive.",
                    patterns=", ".join(useless),
                )
        return vals

    def _paas_event_choices(self):
        """The event types the user's endpoints can receive, grouped for the
        form: ``[(prefix, heading, [(type, label), ...]), ...]``. A customer
        receives the events of its own records; an operator every one."""
        types = request.env["woow.paas.event"]._paas_event_types()
        customer = request.env.user.share
        groups = {}
        for event_type, info in types.items():
            if info["customer"] or not customer:
                groups.setdefault(event_type.split(".", 1)[0], []).append(
                    (event_type, info["label"])
                )
        order = list(EVENT_GROUPS)
        return [
            (prefix, str(EVENT_GROUPS.get(prefix) or prefix.replace("_", " ").capitalize()),
             choices)
            for prefix, choices in sorted(
                groups.items(),
                key=lambda item: (order.index(item[0]) if item[0] in order else len(order),
                                  item[0]),
            )
        ]  # fmt: skip

    @staticmethod
    def _paas_event_patterns(form, errors):
        """The event types of the endpoint form, as the space-separated value
        of ``event_types`` (False: every event).

        The form posts ``event_scope`` (``all`` or ``some``), the ticked
        ``event_types`` (types and group wildcards such as ``tenant.*``) and
        free ``event_patterns``; a type that a ticked wildcard covers is
        dropped, and ``*`` means every event."""
        posted = request.httprequest.form.getlist("event_types") + [
            form.get("event_patterns") or ""
        ]
        patterns = list(dict.fromkeys(
            p for value in posted for p in value.replace(",", " ").split() if p
        ))  # fmt: skip
        if form.get("event_scope") == "all" or "*" in patterns:
            return False
        if form.get("event_scope") == "some" and not patterns:
            errors["event_types"] = request.env._("Choose at least one event type, or every event.")
            return False
        wildcards = [p for p in patterns if p.endswith(".*")]
        kept = [
            p for p in patterns
            if p in wildcards or not any(fnmatch.fnmatchcase(p, w) for w in wildcards)
        ]  # fmt: skip
        return " ".join(kept) or False

    def _paas_event_form(self, event_types):
        """The form values that show ``event_types`` (a stored or posted
        value): the scope, the ticked boxes and the other patterns."""
        patterns = (event_types or "").replace(",", " ").split()
        if "*" in patterns:
            patterns = []
        boxes = {
            value
            for prefix, _heading, types in self._paas_event_choices()
            for value in (f"{prefix}.*", *(t for t, _label in types))
        }
        return {
            "event_scope": "some" if patterns else "all",
            "event_selected": {p for p in patterns if p in boxes},
            "event_patterns": " ".join(p for p in patterns if p not in boxes),
        }

    def _paas_endpoint_form_values(self, form, vals=None):
        """``form`` with what the event type fieldset shows, after a POST
        (``vals``: what it would store) or from the stored endpoint."""
        if vals is None:
            return {**form, **self._paas_event_form(form.get("event_types"))}
        return {
            **form,
            **self._paas_event_form(vals.get("event_types")),
            "event_scope": form.get("event_scope") or ("some" if vals.get("event_types")
                                                       else "all"),
        }  # fmt: skip

    @http.route("/my/api/webhooks/new", type="http", auth="user", website=True,
                methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_endpoint_new(self, **form):
        if request.httprequest.method != "POST":
            return self._paas_api_render(
                "portal_my_paas_api_endpoint_form", errors={}, endpoint=request.env[ENDPOINT],
                form=self._paas_endpoint_form_values({"enabled": "on"}),
                event_choices=self._paas_event_choices(),
            )  # fmt: skip
        errors = {}
        nonce = self._paas_nonce(form, errors)
        vals = self._paas_endpoint_form(form, errors)
        if not errors and self._paas_form_seen(ENDPOINT, "portal_nonce", nonce):
            return request.redirect("/my/api?notice=already_done")
        if errors:
            return self._paas_api_render(
                "portal_my_paas_api_endpoint_form", status=422, errors=errors,
                endpoint=request.env[ENDPOINT], form=self._paas_endpoint_form_values(form, vals),
                event_choices=self._paas_event_choices(),
            )  # fmt: skip
        endpoint = (
            request.env[ENDPOINT]
            .sudo()
            .create({**vals, "user_id": request.env.uid, "portal_nonce": nonce})
        )
        secret = endpoint.action_reveal_secret()["context"]["default_secret"]
        return self._paas_api_render(
            "portal_my_paas_api_secret", headers=NO_STORE, kind="endpoint", record=endpoint,
            secret=secret,
        )  # fmt: skip

    @http.route(
        ["/my/api/webhooks/<int:endpoint_id>",
         "/my/api/webhooks/<int:endpoint_id>/page/<int:page>"],
        type="http", auth="user", website=True, methods=["GET", "POST"],
    )  # fmt: skip
    def portal_my_paas_api_endpoint(self, endpoint_id, page=1, **form):
        endpoint = self._paas_api_own(ENDPOINT, endpoint_id)
        if endpoint is None:
            return request.not_found()
        errors, status = {}, 200
        if request.httprequest.method == "POST":
            vals = self._paas_endpoint_form(form, errors, endpoint)
            if not errors:
                endpoint.sudo().write(vals)
                return request.redirect(f"/my/api/webhooks/{endpoint.id}?notice=endpoint_saved")
            status = 422
            form = self._paas_endpoint_form_values(form, vals)
        else:
            form = self._paas_endpoint_form_values({
                "url": endpoint.url, "event_types": endpoint.event_types or "",
                "description": endpoint.description or "",
                "enabled": "on" if endpoint.enabled else "",
            })  # fmt: skip
        Delivery = request.env[DELIVERY]
        domain = [("endpoint_id", "=", endpoint.id)]
        pager = portal_pager(
            url=f"/my/api/webhooks/{endpoint.id}",
            total=Delivery.search_count(domain),
            page=page,
            step=DELIVERIES_PER_PAGE,
        )
        deliveries = Delivery.search(domain, limit=DELIVERIES_PER_PAGE, offset=pager["offset"])
        tested = Delivery.browse()
        if (request.params.get("tested") or "").isdigit():
            tested = Delivery.search(
                [*domain, ("id", "=", int(request.params["tested"])), ("is_test", "=", True)]
            )
        return self._paas_api_render(
            "portal_my_paas_api_endpoint", status=status, endpoint=endpoint, form=form,
            errors=errors, deliveries=deliveries, pager=pager, tested=tested,
            event_choices=self._paas_event_choices(),
        )  # fmt: skip

    @http.route("/my/api/webhooks/<int:endpoint_id>/rotate", type="http", auth="user",
                website=True, methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_endpoint_rotate(self, endpoint_id, **form):
        endpoint = self._paas_api_own(ENDPOINT, endpoint_id)
        if endpoint is None:
            return request.not_found()
        if request.httprequest.method != "POST":
            return self._paas_api_render(
                "portal_my_paas_api_confirm", kind="endpoint_rotate", record=endpoint,
                action=f"/my/api/webhooks/{endpoint.id}/rotate",
            )  # fmt: skip
        errors = {}
        nonce = self._paas_nonce(form, errors)
        if errors or self._paas_form_seen(ENDPOINT, "portal_rotation_nonce", nonce, endpoint.id):
            return request.redirect(f"/my/api/webhooks/{endpoint.id}?notice=already_done")
        endpoint_sudo = endpoint.sudo()
        secret = endpoint_sudo._rotate_secret()
        endpoint_sudo.portal_rotation_nonce = nonce
        return self._paas_api_render(
            "portal_my_paas_api_secret", headers=NO_STORE, kind="rotation", record=endpoint,
            secret=secret,
        )  # fmt: skip

    @http.route("/my/api/webhooks/<int:endpoint_id>/test", type="http", auth="user",
                website=True, methods=["POST"])  # fmt: skip
    def portal_my_paas_api_endpoint_test(self, endpoint_id, **form):
        endpoint = self._paas_api_own(ENDPOINT, endpoint_id)
        if endpoint is None:
            return request.not_found()
        endpoint.sudo().action_test_send()
        tested = (
            request.env[DELIVERY]
            .sudo()
            .search([("endpoint_id", "=", endpoint.id), ("is_test", "=", True)], limit=1)
        )
        return request.redirect(f"/my/api/webhooks/{endpoint.id}?tested={tested.id}")

    @http.route("/my/api/webhooks/<int:endpoint_id>/test/json", type="http", auth="user",
                methods=["POST"])  # fmt: skip
    def portal_my_paas_api_endpoint_test_json(self, endpoint_id, **form):
        """Send a test message from the page, without leaving it: the answer
        names the test delivery and the URL to poll for its result (the
        worker sends it within seconds). The form's CSRF token is checked
        as for any POST."""
        endpoint = self._paas_api_own(ENDPOINT, endpoint_id)
        if endpoint is None:
            return request.make_json_response({"error": "not_found"}, status=404)
        delivery = endpoint.sudo()._test_send()
        return request.make_json_response(
            self._paas_delivery_status(delivery), headers=NO_STORE, status=202
        )

    @http.route("/my/api/webhooks/deliveries/<int:delivery_id>/status", type="http",
                auth="user", methods=["GET"], readonly=True)  # fmt: skip
    def portal_my_paas_api_delivery_status(self, delivery_id, **kw):
        """A delivery's state and last result in words, as JSON, for the page
        that waits for a test message."""
        delivery = self._paas_api_own(DELIVERY, delivery_id)
        if delivery is None:
            return request.make_json_response({"error": "not_found"}, status=404)
        return request.make_json_response(self._paas_delivery_status(delivery), headers=NO_STORE)

    @staticmethod
    def _paas_delivery_status(delivery):
        """What the page shows of a delivery: ``done`` once its (last)
        attempt is recorded, and a sentence for it."""
        delivery = delivery.sudo()
        _ = request.env._
        done = delivery.state not in ("pending", "delivering") or (
            bool(delivery.attempts) and not delivery.is_test
        )
        if delivery.state == "delivered":
            code = delivery.last_status_code
            try:
                answer = f"{code} {HTTPStatus(code).phrase}"
            except ValueError:
                answer = str(code)
            message = _(
                "Delivered: the endpoint answered %(answer)s in %(ms)s ms.",
                answer=answer, ms=delivery.last_latency_ms,
            )  # fmt: skip
        elif delivery.last_error:
            message = delivery.last_error
        elif delivery.state == "disabled":
            message = _("The endpoint is disabled.")
        else:
            message = _("Queued: it is sent within seconds.")
        return {
            "id": delivery.id, "state": delivery.state, "done": done,
            "delivered": delivery.state == "delivered", "attempts": delivery.attempts,
            "status_code": delivery.last_status_code or None,
            "latency_ms": delivery.last_latency_ms if delivery.last_attempt_at else None,
            "message": message,
            "status_url": f"/my/api/webhooks/deliveries/{delivery.id}/status",
            "url": f"/my/api/webhooks/deliveries/{delivery.id}",
        }  # fmt: skip

    @http.route("/my/api/webhooks/<int:endpoint_id>/delete", type="http", auth="user",
                website=True, methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_endpoint_delete(self, endpoint_id, **form):
        endpoint = self._paas_api_own(ENDPOINT, endpoint_id)
        if endpoint is None:
            return request.not_found()
        if request.httprequest.method != "POST":
            return self._paas_api_render(
                "portal_my_paas_api_confirm", kind="endpoint_delete", record=endpoint,
                action=f"/my/api/webhooks/{endpoint.id}/delete",
            )  # fmt: skip
        endpoint.sudo().unlink()
        return request.redirect("/my/api?notice=endpoint_deleted")

    # ------------------------------------------------------------------
    # Deliveries
    # ------------------------------------------------------------------
    @http.route("/my/api/webhooks/deliveries/<int:delivery_id>", type="http", auth="user",
                website=True, readonly=True)  # fmt: skip
    def portal_my_paas_api_delivery(self, delivery_id, **kw):
        delivery = self._paas_api_own(DELIVERY, delivery_id)
        if delivery is None:
            return request.not_found()
        attempts = request.env[ATTEMPT].search([("delivery_id", "=", delivery.id)], limit=50)
        return self._paas_api_render(
            "portal_my_paas_api_delivery", delivery=delivery, endpoint=delivery.endpoint_id,
            attempts=attempts,
        )  # fmt: skip

    @http.route("/my/api/webhooks/deliveries/<int:delivery_id>/redeliver", type="http",
                auth="user", website=True, methods=["POST"])  # fmt: skip
    def portal_my_paas_api_delivery_redeliver(self, delivery_id, **form):
        delivery = self._paas_api_own(DELIVERY, delivery_id)
        if delivery is None:
            return request.not_found()
        back = f"/my/api/webhooks/{delivery.endpoint_id.id}?notice="
        if delivery.state in ("pending", "delivering"):
            return request.redirect(back + "already_pending")
        if delivery.is_test:
            return request.redirect(back + "test_not_redelivered")
        try:
            delivery.sudo().action_redeliver()
        except UserError:
            return request.redirect(back + "endpoint_disabled")
        return request.redirect(back + "redelivered")
