"""Start localstripe (PyPI, GPL-3.0) for the tests, the demo and the benchmarks.

Run with localstripe's own interpreter (``.work/localstripe-venv``), never
imported by the addons. Adjustments, all outside Odoo's payload:

* ``PaymentIntent`` accepts and keeps ``description``, ``shipping`` and
  ``setup_future_usage``: Odoo's ``payment_stripe`` always sends the first two
  and finds the transaction of a notification by ``description`` (the third
  when the customer saves the card while paying); localstripe refuses unknown
  parameters.
* a PaymentIntent is confirmed from the browser as Stripe.js does it
  (``confirmPayment``): ``POST /v1/payment_intents/<id>/confirm`` with the
  publishable key, the intent's client secret and the card typed
  (``payment_method_data``); the card becomes a PaymentMethod (attached to the
  intent's customer when it is saved for later) and the intent is charged.
  localstripe only confirms with the secret key and an attached method.
* ``SetupIntent`` accepts and keeps ``description`` and
  ``payment_method_options`` (card mandate options) too (Odoo's validation
  transactions, the "save a card" path of ``/my/payment_method``), and a
  confirmed one (without 3-D Secure) attaches its payment method to its customer, as Stripe does
  (off-session charges need it).
* its Stripe.js (``/js.stripe.com/v3/``) is served inside a function scope:
  it declares ``class Element`` at the top level of a classic script, which
  shadows the DOM's ``Element`` for every script of the page (Bootstrap's
  selector engine, hence Odoo's portal, breaks on the first click).
* a GET reads its parameters from a form body too, as Stripe does
  (``payment_stripe`` sends ``expand[]`` there when a customer comes back
  from saving a card).
* ``Idempotency-Key`` on a POST replays the first answer, as Stripe does, so a
  retried charge with the same key never charges twice.
* the store is not pickled to ``/tmp`` after every POST (that file is shared
  by every localstripe of the machine and the dump grows with each object).

Usage: ``python localstripe_launcher.py --port 8420``.
"""

import hashlib
import json
import re
import sys
from urllib.parse import parse_qsl

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

_PaymentIntent = resources.PaymentIntent
_init = _PaymentIntent.__init__


def _payment_intent_init(
    self, *args, description=None, shipping=None, setup_future_usage=None, **kwargs
):
    _init(self, *args, **kwargs)
    self.description = description
    self.shipping = shipping
    self.setup_future_usage = setup_future_usage


_PaymentIntent.__init__ = _payment_intent_init
# Objects that never went through __init__ (none at start) still answer.
_PaymentIntent.description = None
_PaymentIntent.shipping = None
_PaymentIntent.setup_future_usage = None

_SetupIntent = resources.SetupIntent
_setup_init = _SetupIntent.__init__
_setup_attach = _SetupIntent._attach_pm


def _setup_intent_init(self, *args, description=None, payment_method_options=None, **kwargs):
    _setup_init(self, *args, **kwargs)
    self.description = description
    self.payment_method_options = payment_method_options or {}


def _setup_intent_attach(self, pm):
    # (The routes hold the class's _api_confirm already: patch what it calls.)
    _setup_attach(self, pm)
    if self.status == "succeeded" and self.customer and not pm.customer:
        pm.customer = self.customer


_SetupIntent.__init__ = _setup_intent_init
_SetupIntent.description = None
_SetupIntent.payment_method_options = {}
_SetupIntent._attach_pm = _setup_intent_attach

resources.store.dump_to_disk = lambda: None
resources.store.try_load_from_disk = lambda: None

_replies = {}


@web.middleware
async def idempotency_middleware(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    cache_key = (request.path, key)
    digest = hashlib.sha256(await request.read()).hexdigest()
    if cache_key in _replies:
        first_digest, status, body = _replies[cache_key]
        if first_digest != digest:
            return web.json_response(
                {"error": {"type": "idempotency_error", "message": (
                    "Keys for idempotent requests can only be used with the same parameters"
                    " they were first used with.")}},
                status=400,
            )  # fmt: skip
        response = web.Response(status=status, body=body, content_type="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        return response
    response = await handler(request)
    # Stripe keeps the first answer, success or card error (4xx), for 24 hours.
    if response.status < 500 and isinstance(response, web.Response) and response.body:
        _replies[cache_key] = (digest, response.status, response.body)
    return response


@web.middleware
async def scoped_stripe_js(request, handler):
    response = await handler(request)
    if request.path == "/js.stripe.com/v3/" and response.status == 200:
        return web.Response(
            text="(function () {\n" + response.text + "\n})();\n",
            content_type="application/javascript",
        )
    return response


@web.middleware
async def get_body_as_query(request, handler):
    if (
        request.method == "GET"
        and request.body_exists
        and request.content_type == "application/x-www-form-urlencoded"
    ):
        # The stream, not request.read(): a request whose body was read cannot be cloned.
        extra = parse_qsl((await request.content.read()).decode(), keep_blank_values=True)
        if extra:
            query = list(request.rel_url.query.items()) + extra
            request = request.clone(rel_url=request.rel_url.with_query(query))
    return await handler(request)


_BROWSER_CONFIRM = re.compile(r"^/v1/payment_intents/(pi_\w+)/confirm$")


@web.middleware
async def confirm_payment_in_browser(request, handler):
    """Stripe.js's ``confirmPayment``: the browser confirms a PaymentIntent
    with the publishable key, the intent's client secret and the card typed.
    Any other confirmation goes to localstripe (secret key, attached method)."""
    match = _BROWSER_CONFIRM.match(request.path)
    if request.method != "POST" or not match:
        return await handler(request)
    data = await server.get_post_data(request, remove_auth=False) or {}
    key = data.get("key")
    if not (isinstance(key, str) and key.startswith("pk_") and "client_secret" in data):
        return await handler(request)
    intent = resources.PaymentIntent._api_retrieve(match.group(1))
    if data["client_secret"] != intent.client_secret:
        raise UserError(401, "Unauthorized")
    if intent.status != "requires_payment_method":
        raise UserError(
            400,
            f"This PaymentIntent's status is {intent.status}: it cannot be confirmed.",
            {"code": "payment_intent_unexpected_state"},
        )
    method_data = data.get("payment_method_data")
    if not isinstance(method_data, dict):
        raise UserError(400, "Missing payment_method_data.")
    method = resources.PaymentMethod._api_create(**method_data)
    if intent.customer and intent.setup_future_usage:
        # Saved for later: Stripe attaches it to the customer (or declines it).
        resources.PaymentMethod._api_attach(method.id, customer=intent.customer)
    intent.payment_method = method.id
    # A declined card raises a 402 card error, as Stripe answers.
    intent._confirm(on_failure_now=intent._report_failure)
    return server.json_response(intent._export())


async def stats(request):
    """How many objects localstripe holds, by kind (for tests and benchmarks)."""
    counts = {}
    for key in resources.store:
        kind = key.split(":", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return web.Response(text=json.dumps(counts), content_type="application/json")


# Outside the error middleware, so that card errors (4xx answers) are kept
# and replayed too.
server.app.middlewares.insert(0, idempotency_middleware)
server.app.middlewares.insert(0, scoped_stripe_js)
server.app.middlewares.insert(0, get_body_as_query)
# Inside the error middleware (its card errors become answers), before the
# authentication that would refuse the publishable key.
server.app.middlewares.insert(
    server.app.middlewares.index(server.error_middleware) + 1, confirm_payment_in_browser
)
server.app.router.add_get("/_config/stats", stats)

if __name__ == "__main__":
    if "--from-scratch" not in sys.argv:
        sys.argv.append("--from-scratch")
    server.start()
