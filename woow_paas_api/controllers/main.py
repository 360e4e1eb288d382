"""REST API /api/v1 on Odoo's own controllers, typed with pydantic.

Every route is declared once with :func:`api_route`: the declaration drives
authentication, scope checks, body and query validation, idempotency, the
problem+json errors and the OpenAPI document, so that the document is the
code. OCA's ``fastapi`` was not used: see the README (its 4xx are logged as
errors and new endpoints need a restart).
"""

import base64
import hashlib
import inspect
import json
import logging
import math
import re
import typing
from collections import Counter
from datetime import datetime, timedelta, timezone

import psycopg2
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from odoo import fields, http
from odoo.exceptions import (
    AccessError,
    ConcurrencyError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.http import Response, request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.sql_db import Cursor

from ..models.const import SCOPES
from ..models.woow_paas_oauth_token import TOKEN_PREFIX
from . import schemas as S

_logger = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_BODY = 1024 * 1024
MAX_LIMIT = 200
# Deeper JSON is refused before it is validated: no schema of the API nests
# this far, and recursion over a deeper value would exhaust Python's stack.
MAX_JSON_DEPTH = 32
# Integers beyond PostgreSQL's bigint are refused with a 4xx, not stored.
MAX_INT = 2**63 - 1
ROUTES = []
# Per model, the domain that limits a credential bound to one tenant to what
# concerns that tenant (a bridge adds its models with register_tenant_domain).
TENANT_DOMAINS = {}
PROBLEM_TYPE = "https://woow-paas.dev/problems/"
STATUS_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
    500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


class ApiError(Exception):
    def __init__(self, status, detail, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers


def _problem(status, detail=None, errors=None, headers=None):
    body = S.Problem(
        type=PROBLEM_TYPE + STATUS_TITLES.get(status, "error").lower().replace(" ", "-"),
        title=STATUS_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=errors,
    ).model_dump(exclude_none=True)
    return request.make_response(
        json.dumps(body),
        headers=[("Content-Type", "application/problem+json"), *(headers or [])],
        status=status,
    )


def _json(status, payload):
    if isinstance(payload, Response):  # a route of another media type answered itself
        return payload
    if status == 204:
        return request.make_response(b"", status=204)
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return request.make_response(
        json.dumps(payload), headers=[("Content-Type", "application/json")], status=status
    )


class Credential:
    """The caller as the API sees it, from an API key or an OAuth2 token.

    ``id`` names the credential for rate limits and idempotency keys: the
    API key, or the OAuth2 client (its tokens rotate, its limits do not).
    """

    def __init__(self, ref, user, scopes, rate_limit=0, record=None):
        self.id = ref
        self.record = record  # the woow.paas.api.key or woow.paas.oauth.client
        self.user_id = user
        self.partner_id = user.partner_id.commercial_partner_id
        self.is_customer_key = user.share
        self.rate_limit = rate_limit
        self._scopes = set(scopes)
        self.tenant = _bound_tenant(record)

    def _scope_set(self):
        return self._scopes


def _bound_tenant(record):
    """The tenant a credential acts for, or None. woow_paas_api_tenant binds
    an API key or an OAuth2 client to one tenant (``paas_tenant_id``): such a
    credential reads and acts on that tenant only (see :data:`TENANT_DOMAINS`)."""
    if record is None or "paas_tenant_id" not in record._fields:
        return None
    return record.sudo().paas_tenant_id or None


def register_tenant_domain(model, domain):
    """Limit ``model`` for credentials bound to a tenant: ``domain(tenant)``
    returns the domain of the records that concern ``tenant``."""
    TENANT_DOMAINS[model] = domain


register_tenant_domain("woow.paas.tenant", lambda tenant: [("id", "=", tenant.id)])
register_tenant_domain(
    "woow.paas.subscription", lambda tenant: [("id", "=", tenant.subscription_id.id)]
)
# The tenant's events, and those of its subscription that name no tenant.
register_tenant_domain(
    "woow.paas.event",
    lambda tenant: ["|", ("tenant_id", "=", tenant.id), "&", ("tenant_id", "=", False),
                    ("subscription_id", "=", tenant.subscription_id.id)],
)  # fmt: skip


class Call:
    """What a route function receives: the credential, the environment it
    acts in, the validated body and query, and helpers to find records."""

    def __init__(self, key, body, query):
        self.key, self.body, self.query = key, body, query
        self.env = request.env
        self.user = key.user_id if key else None
        self.is_customer = bool(key and key.is_customer_key)
        self.partner = key.partner_id if key else None
        self.tenant = key.tenant if key else None

    def tenant_domain(self, model):
        """The domain that limits ``model`` to the bound tenant's records
        (empty for a credential bound to no tenant, or a model that does not
        concern tenants)."""
        if not self.tenant or model not in TENANT_DOMAINS:
            return []
        return TENANT_DOMAINS[model](self.tenant.sudo())

    def check_unbound(self, what):
        """Refuse (403) what reaches beyond the tenant a credential is bound to."""
        if self.tenant:
            raise ApiError(
                403, f"This credential acts for tenant {self.tenant.sudo().code} only: it may "
                f"not {what}.",
            )  # fmt: skip

    def find(self, model, record_id):
        """The record if the credential may see it; 404 otherwise, so that
        another customer's ids reveal nothing."""
        record = self.env[model].search(
            [("id", "=", record_id), *self.tenant_domain(model)], limit=1
        )
        if not record:
            raise ApiError(404, f"No {model.split('.')[-1]} {record_id}.")
        return record


def api_route(path, method, *, summary, scope=None, body=None, response=None, status=200,
              query=None, auth=True, tags=(), media="application/json",
              read_committed=False):  # fmt: skip
    """Declare a route of the API; see the module docstring.

    ``read_committed`` runs the route's transaction at READ COMMITTED
    instead of Odoo's REPEATABLE READ: for bulk upserts of shared counters
    (usage rollups), where concurrent requests would otherwise fail to
    serialise and be retried whole.

    A route of another media type than JSON (``media``, e.g.
    ``application/pdf``) returns a response of its own instead of a payload.
    The route belongs to the addon that declares it: the OpenAPI document
    lists it only on databases where that addon is installed.
    """

    def decorator(func):
        module = func.__module__.split(".")
        meta = {
            "path": path, "method": method, "summary": summary, "scope": scope, "body": body,
            "response": response, "status": status, "query": query or {}, "auth": auth,
            "tags": tags, "doc": inspect.cleandoc(func.__doc__ or ""), "media": media,
            "read_committed": read_committed,
            "module": module[2] if module[:2] == ["odoo", "addons"] else "woow_paas_api",
        }  # fmt: skip
        ROUTES.append(meta)

        path_params = [name for _kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", path)]

        # Not functools.wraps: Odoo would read the function's signature and
        # log a warning for every query parameter it does not name.
        def wrapper(self, **kwargs):
            return _dispatch(func, meta, {k: v for k, v in kwargs.items() if k in path_params})

        wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
        # Not read-only even for GET: authentication records the key's last use.
        return http.route(
            path, type="http", auth="none", methods=[method], csrf=False,
            save_session=False, readonly=False,
        )(wrapper)  # fmt: skip

    return decorator


def _authenticate(meta):
    header = request.httprequest.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "Send a credential: Authorization: Bearer <API key or OAuth2 access token>.",
            headers=[("WWW-Authenticate", 'Bearer realm="api"')],
        )  # fmt: skip
    secret = secret.strip()
    credential = _credential(secret) if secret.isascii() and secret.isprintable() else None
    if not credential or not credential.user_id.active:
        raise ApiError(
            401, "The credential is unknown, expired or revoked.",
            headers=[("WWW-Authenticate", 'Bearer realm="api", error="invalid_token"')],
        )  # fmt: skip
    if meta["scope"] and meta["scope"] not in credential._scope_set():
        raise ApiError(
            403, f"The credential lacks the scope {meta['scope']}.",
            headers=[("WWW-Authenticate",
                      f'Bearer error="insufficient_scope", scope="{meta["scope"]}"')],
        )  # fmt: skip
    if credential.tenant and meta["scope"] in TENANT_UNBOUND_SCOPES:
        raise ApiError(
            403, f"This credential acts for tenant {credential.tenant.code} only: "
            f"{meta['scope']} reaches all of the customer's events.",
        )  # fmt: skip
    request.update_env(user=credential.user_id.id)
    credential.user_id = credential.user_id.with_env(request.env)
    return credential


# Scopes that reach beyond one tenant: a tenant-bound credential may not use
# them (webhook endpoints receive every event of their owner's customer).
TENANT_UNBOUND_SCOPES = {"webhooks:manage"}


def _credential(secret):
    """The credential of an API key (wpk_...) or an OAuth2 access token
    (wat_...), or None."""
    if secret.startswith(TOKEN_PREFIX):
        token = request.env["woow.paas.oauth.token"]._find(secret)
        if not token or not token._is_active() or not token.client_id.active:
            return None
        return Credential(
            f"oauth:{token.client_id.id}", token.user_id, (token.scope or "").split(),
            record=token.client_id,
        )  # fmt: skip
    key = request.env["woow.paas.api.key"]._authenticate(secret, request.httprequest.remote_addr)
    if not key:
        return None
    return Credential(f"key:{key.id}", key.user_id, key._scope_set(), key.rate_limit, record=key)


def _parse_body(meta):
    if not meta["body"]:
        return None
    http_request = request.httprequest
    if (http_request.content_length or 0) > MAX_BODY:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes.")
    raw = http_request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes.")
    if raw and "json" not in (http_request.mimetype or ""):
        raise ApiError(415, "Send the body as application/json.")
    try:
        data = json.loads(raw or b"{}")
    except RecursionError as exc:
        raise ApiError(400, f"The body nests deeper than {MAX_JSON_DEPTH} levels.") from exc
    except ValueError as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}.") from exc
    _check_json(data)
    return meta["body"].model_validate(data)


def _check_json(data):
    """Refuse (4xx) a JSON value that the platform could not store or walk:
    nested deeper than MAX_JSON_DEPTH, text PostgreSQL refuses (NUL, or what
    is not UTF-8), integers beyond bigint, NaN or infinities. Iterative, so
    that no value can exhaust the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _unstorable_text(value):
                raise ApiError(422, "Text may not contain NUL characters or unpaired surrogates.")
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_INT:
                raise ApiError(422, f"Numbers may not exceed {MAX_INT} in magnitude.")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ApiError(422, "Numbers must be finite (no NaN or Infinity).")
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ApiError(400, f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


def _unstorable_text(value):
    """Whether a text holds what PostgreSQL refuses (NUL, or what is not
    UTF-8): found here, it is a 4xx rather than a 500."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return "\x00" in value


def _parse_query(meta):
    args = request.httprequest.args
    if any(_unstorable_text(v) for v in args.values()):
        raise ApiError(400, "Query parameters may not contain NUL characters.")
    unknown = set(args) - set(meta["query"])
    if unknown:
        raise ApiError(400, f"Unknown query parameters: {', '.join(sorted(unknown))}.")
    values = {}
    for name, (kind, _description) in meta["query"].items():
        raw = args.get(name)
        if raw is None or (raw == "" and kind == "string"):
            continue  # an empty text parameter is an absent one
        if "\x00" in raw:  # PostgreSQL refuses NUL in text: a 400, not a 500
            raise ApiError(400, f"Query parameter {name} contains a NUL character.")
        try:
            if kind == "integer":
                values[name] = int(raw)
                if abs(values[name]) > MAX_INT:
                    raise ValueError(f"beyond {MAX_INT}")
            elif kind == "date-time":
                stamp = datetime.fromisoformat(raw)  # RFC 3339: Z, offsets, fractions
                if stamp.tzinfo:
                    stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
                values[name] = stamp
            elif kind == "date":
                values[name] = fields.Date.to_date(raw)
            else:
                values[name] = raw
        except (ValueError, OverflowError) as exc:
            raise ApiError(
                400, f"Query parameter {name} is not a valid {kind}.",
                errors=[{"name": name, "reason": str(exc)}],
            ) from exc  # fmt: skip
    return values


def _rate_limit(key):
    """Take a token from each bucket of the call (the credential's, or the
    caller's address's when there is no valid credential, and those layers
    add, such as the tenant's); return the rate-limit headers, or raise 429
    with them and Retry-After."""
    Bucket = request.env["woow.paas.api.rate.bucket"].sudo()
    buckets = Bucket._request_buckets(key)
    exhausted = next((b for b in buckets if b.get("exhausted")), None)
    if exhausted:
        left = [0 if b is exhausted else b["quota"] for b in buckets]
        headers, _bucket = Bucket._rate_headers(buckets, left)
        raise ApiError(
            429, f"The {exhausted['policy']} quota of this period is used up.",
            headers=[*headers, ("Retry-After", str(int(exhausted["exhausted"])))],
        )  # fmt: skip
    allowed, left = Bucket._take_buckets(buckets)
    headers, _bucket = Bucket._rate_headers(buckets, left)
    if not allowed:
        index = next(i for i, tokens in enumerate(left) if tokens < 1)
        refusing = buckets[index]
        retry_after = Bucket._retry_after(refusing, left[index])
        raise ApiError(
            429, f"Too many requests: {refusing['quota']} per {_window(refusing['window'])}"
            f" ({refusing['policy']}); retry in {retry_after} s.",
            headers=[*headers, ("Retry-After", str(retry_after))],
        )  # fmt: skip
    return headers


def _window(seconds):
    return {60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds} s")


def _read_committed():
    """Restart the request's transaction (nothing was written in it yet) at
    READ COMMITTED. Tests share one transaction: there it stays as it is."""
    cr = request.env.cr
    if isinstance(cr, Cursor):
        cr.rollback()
        cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")


def _dispatch(func, meta, kwargs):
    rate_headers = []
    if meta["read_committed"]:
        _read_committed()
    try:
        try:
            key = _authenticate(meta) if meta["auth"] else None
        except ApiError:
            rate_headers = _rate_limit(None)  # unknown callers share their address's bucket
            raise
        rate_headers = _rate_limit(key)
        _check_path(kwargs)
        body = _parse_body(meta)
        query = _parse_query(meta)
        call = Call(key, body, query)
        if meta["method"] == "POST" and key:
            response = _idempotent(call, func, meta, kwargs)
        else:
            status, payload = func(call, **kwargs)
            response = _json(status, payload)
        # Constraint errors surface here, not at commit after the answer left.
        request.env.flush_all()
    except ApiError as exc:
        request.env.cr.rollback()
        response = _problem(exc.status, exc.detail, exc.errors, exc.headers)
    except PydanticError as exc:
        request.env.cr.rollback()
        errors = [
            {"name": ".".join(str(p) for p in err["loc"]), "reason": err["msg"]}
            for err in exc.errors()
        ]
        response = _problem(422, "The body does not match the expected schema.", errors)
    except ValidationError as exc:
        request.env.cr.rollback()
        response = _problem(422, str(exc.args[0] if exc.args else exc))
    except (AccessError, MissingError) as exc:
        # Before UserError, of which both are subclasses.
        request.env.cr.rollback()
        response = _problem(403, str(exc.args[0] if exc.args else exc))
    except UserError as exc:
        # A business rule refused the move in the record's current state.
        request.env.cr.rollback()
        response = _problem(409, str(exc.args[0] if exc.args else exc))
    except psycopg2.IntegrityError as exc:
        request.env.cr.rollback()
        response = _problem(409, _integrity_message(exc))
    except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
        raise  # Odoo retries the request with a fresh transaction
    except Exception:
        request.env.cr.rollback()
        _logger.exception("API %s %s failed", meta["method"], request.httprequest.path)
        response = _problem(500, "An unexpected error happened; it was logged.")
    for name, value in rate_headers:
        response.headers.setdefault(name, value)
    return response


def _check_path(kwargs):
    """Path parameters are text PostgreSQL can hold, and ids fit its integers."""
    for name, value in kwargs.items():
        if isinstance(value, str) and _unstorable_text(value):
            raise ApiError(400, f"Path parameter {name} contains a NUL character.")
        if isinstance(value, int) and value > MAX_INT:
            raise ApiError(404, f"No record {value}.")


def _integrity_message(exc):
    Model = request.env["base"]
    for model in request.env.registry.values():
        if exc.diag.table_name == model._table:
            Model = request.env[model._name]
            break
    return Model._sql_error_to_message(exc)


def _idempotent(call, func, meta, kwargs):
    """The Idempotency-Key protocol of the IETF draft: the same key and body
    replay the first answer, another body is refused (422), a key whose
    first request still runs is refused (409).

    The key is claimed in the request's own transaction, so that the stored
    answer exists exactly when the change committed and a failed request
    frees its key. A transaction-scoped advisory lock answers 409 at once
    instead of waiting behind the running request; a retry whose snapshot
    predates the first request's commit hits a serialization failure, which
    Odoo retries with a fresh snapshot that sees the stored answer.
    """
    idem_key = request.httprequest.headers.get("Idempotency-Key")
    if not idem_key:
        status, payload = func(call, **kwargs)
        return _json(status, payload)
    if len(idem_key) > 255:
        raise ApiError(400, "The Idempotency-Key is longer than 255 characters.")
    if not (idem_key.isascii() and idem_key.isprintable()):
        raise ApiError(400, "The Idempotency-Key must be printable ASCII.")
    digest = hashlib.sha256(
        request.httprequest.path.encode() + b"\n" + request.httprequest.get_data(cache=True)
    ).hexdigest()
    cr = request.env.cr
    cr.execute(
        "SELECT pg_try_advisory_xact_lock(hashtext(%s))",
        (f"woow_paas_api:{call.key.id}:{idem_key}",),
    )
    if not cr.fetchone()[0]:
        raise ApiError(409, "A request with this Idempotency-Key is still running.")
    cr.execute(
        "INSERT INTO woow_paas_api_idempotency (credential, key, request_hash, state, created_at)"
        " VALUES (%s, %s, %s, 'running', now() at time zone 'utc')"
        " ON CONFLICT (credential, key) DO NOTHING RETURNING id",
        (call.key.id, idem_key, digest),
    )
    claimed = cr.fetchone()
    if not claimed:
        cr.execute(
            "SELECT request_hash, status, response FROM woow_paas_api_idempotency"
            " WHERE credential = %s AND key = %s",
            (call.key.id, idem_key),
        )
        request_hash, status, response = cr.fetchone()
        if request_hash != digest:
            raise ApiError(422, "This Idempotency-Key was used with another request body.")
        return request.make_response(
            response,
            headers=[("Content-Type", "application/json"), ("Idempotent-Replayed", "true")],
            status=status,
        )
    status, payload = func(call, **kwargs)
    request.env.flush_all()  # a refused change must not store its answer
    text = json.dumps(
        payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    )
    cr.execute(
        "UPDATE woow_paas_api_idempotency SET state = 'done', status = %s, response = %s"
        " WHERE id = %s",
        (status, text, claimed[0]),
    )
    return request.make_response(
        text, headers=[("Content-Type", "application/json")], status=status
    )


# ----------------------------------------------------------------------
# Serialisation and lists
# ----------------------------------------------------------------------
# Lists are read with read() and one query per linked model, not record by
# record: a page of 50 is then a handful of queries and no per-field overhead.
# The pydantic models still define (and document) the shape.
def _iso(value):
    """RFC 3339: dates as they are, datetimes (naive UTC in Odoo) with their Z."""
    if not value:
        return None
    return value.isoformat() + ("Z" if isinstance(value, datetime) else "")


def _codes(model, ids, field="code"):
    ids = {i for i in ids if i}
    return {r["id"]: r[field] for r in model.browse(ids).sudo().read([field], load=None)}


def _plans(plans):
    quotas = {plan.id: plan._get_quota_limits() for plan in plans.sudo()}
    currencies = _codes(plans.env["res.currency"], plans.sudo().currency_id.ids, "name")
    return [
        {"id": r["id"], "code": r["code"], "name": r["name"], "price": r["price"],
         "currency": currencies.get(r["currency_id"]), "billing_interval": r["billing_interval"],
         "trial_days": r["trial_days"], "public": r["is_public"], "quotas": quotas[r["id"]]}
        for r in plans.read(["code", "name", "price", "currency_id", "billing_interval",
                             "trial_days", "is_public"], load=None)
    ]  # fmt: skip


def _subscriptions(subs):
    rows = subs.read(
        ["name", "commercial_partner_id", "plan_id", "state", "price", "currency_id",
         "billing_interval", "mrr", "date_start", "trial_end_date", "current_period_start",
         "current_period_end", "cancel_reason", "create_date", "write_date"], load=None,
    )  # fmt: skip
    plans = _codes(subs.env["woow.paas.plan"], [r["plan_id"] for r in rows])
    currencies = _codes(subs.env["res.currency"], [r["currency_id"] for r in rows], "name")
    return [
        {"id": r["id"], "reference": r["name"], "customer_id": r["commercial_partner_id"],
         "plan": plans.get(r["plan_id"]), "state": r["state"], "price": r["price"],
         "currency": currencies.get(r["currency_id"]), "billing_interval": r["billing_interval"],
         "mrr": r["mrr"], "date_start": _iso(r["date_start"]),
         "trial_end_date": _iso(r["trial_end_date"]),
         "current_period_start": _iso(r["current_period_start"]),
         "current_period_end": _iso(r["current_period_end"]),
         "cancel_reason": r["cancel_reason"] or None, "created_at": _iso(r["create_date"]),
         "updated_at": _iso(r["write_date"])}
        for r in rows
    ]  # fmt: skip


def _tenants(tenants):
    rows = tenants.read(
        ["code", "name", "commercial_partner_id", "subscription_id", "plan_id", "state",
         "state_message", "provisioned_date", "create_date", "write_date"], load=None,
    )  # fmt: skip
    plans = _codes(tenants.env["woow.paas.plan"], [r["plan_id"] for r in rows])
    urls = tenants._paas_urls()
    return [
        {"id": r["id"], "code": r["code"], "name": r["name"],
         "customer_id": r["commercial_partner_id"], "subscription_id": r["subscription_id"] or None,
         "plan": plans.get(r["plan_id"]), "state": r["state"],
         "state_message": r["state_message"] or None, "url": urls.get(r["id"]) or None,
         "provisioned_at": _iso(r["provisioned_date"]), "created_at": _iso(r["create_date"]),
         "updated_at": _iso(r["write_date"])}
        for r in rows
    ]  # fmt: skip


def _events_data(events):
    rows = events.read(
        ["uuid", "event_type", "occurred_at", "partner_id", "subscription_id", "tenant_id",
         "plan_id", "payload"], load=None,
    )  # fmt: skip
    plans = _codes(events.env["woow.paas.plan"], [r["plan_id"] for r in rows])
    return [
        {"id": r["uuid"], "type": r["event_type"], "occurred_at": _iso(r["occurred_at"]),
         "customer_id": r["partner_id"] or None, "subscription_id": r["subscription_id"] or None,
         "tenant_id": r["tenant_id"] or None, "plan": plans.get(r["plan_id"]),
         "payload": r["payload"] or {}}
        for r in rows
    ]  # fmt: skip


LIST_QUERY = {
    "limit": ("integer", f"Page size, 1 to {MAX_LIMIT} (default 50)."),
    "cursor": ("string", "The next_cursor of the previous page."),
}
SINCE_QUERY = {
    "created_since": ("date-time", "Only records created at or after this time (timezone.utc)."),
    "updated_since": ("date-time", "Only records changed at or after this time (timezone.utc)."),
}


def _page(call, model, domain, serialize):
    """Cursor pagination on descending ids: stable while records are added."""
    limit = call.query.get("limit", 50)
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}.")
    domain = [*domain, *call.tenant_domain(model._name)]
    if "cursor" in call.query:
        try:
            last_id = int(base64.urlsafe_b64decode(call.query["cursor"].encode()).decode())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "The cursor is not one this API gave.") from exc
        domain = [*domain, ("id", "<", last_id)]
    for name, field in (("created_since", "create_date"), ("updated_since", "write_date")):
        if name in call.query:
            domain = [*domain, (field, ">=", call.query[name])]
    records = model.search(domain, limit=limit + 1, order="id desc")
    more = len(records) > limit
    records = records[:limit]
    cursor = base64.urlsafe_b64encode(str(records[-1].id).encode()).decode() if more else None
    return 200, {"data": serialize(records), "next_cursor": cursor}


def _customer_act(call, record):
    """Customers act on their own records (found under their rules) through
    the platform's rights: portal users write nothing themselves."""
    return record.sudo() if call.is_customer else record


def _events(call):
    """Customers read their own customer's events (the event log has no
    portal access of its own); operators what their user may. A credential
    bound to a tenant reads that tenant's."""
    tenant_domain = call.tenant_domain("woow.paas.event")
    if call.is_customer:
        Event = call.env["woow.paas.event"].sudo()
        return Event, [("partner_id", "=", call.partner.id), *tenant_domain]
    _check_read(call, "woow.paas.event")
    return call.env["woow.paas.event"], tenant_domain


def _check_read(call, model):
    if not call.env[model].has_access("read"):
        raise ApiError(403, "The credential's user may not read these records.")


class WoowPaasApi(http.Controller):
    # ------------------------------------------------------------------
    # Service
    # ------------------------------------------------------------------
    @api_route("/api/health", "GET", summary="Health check", auth=False, response=S.Health,
               tags=("service",))  # fmt: skip
    def health(call):
        """For load balancers and uptime monitors: answers without credentials
        and says nothing but that the service and its database answer."""
        call.env.cr.execute("SELECT 1")
        return 200, S.Health(status="ok")

    @api_route("/api/version", "GET", summary="API version", auth=False, response=S.Version,
               tags=("service",))  # fmt: skip
    def version(call):
        """The API version and the addon's version."""
        return 200, S.Version(api="v1", version=_addon_version())

    @http.route(f"{PREFIX}/openapi.json", type="http", auth="none", methods=["GET"],
                csrf=False, save_session=False)  # fmt: skip
    def openapi(self):
        return _json(200, openapi_document())

    @http.route(f"{PREFIX}/docs", type="http", auth="none", methods=["GET"], csrf=False,
                save_session=False)  # fmt: skip
    def docs(self):
        return request.render(
            "woow_paas_api.api_reference", {"doc": openapi_document(), "json": json}
        )

    @http.route([f"{PREFIX}", f"{PREFIX}/<woow_anypath:rest>"], type="http", auth="none",
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"], csrf=False,
                save_session=False)  # fmt: skip
    def not_found(self, rest=""):
        path = request.httprequest.path
        allowed = sorted(
            r["method"] for r in _active_routes() if re.fullmatch(_path_regex(r["path"]), path)
        )
        if allowed:
            return _problem(405, f"{path} answers {', '.join(allowed)}.",
                            headers=[("Allow", ", ".join(allowed))])  # fmt: skip
        return _problem(404, f"No route {path}: see {PREFIX}/openapi.json.")

    # ------------------------------------------------------------------
    # Plans
    # ------------------------------------------------------------------
    @api_route(f"{PREFIX}/plans", "GET", summary="List plans", scope="plans:read",
               response=S.PlanPage, query=LIST_QUERY, tags=("plans",))  # fmt: skip
    def list_plans(call):
        """Plans the credential may see: public ones and its own for a customer."""
        _check_read(call, "woow.paas.plan")
        return _page(call, call.env["woow.paas.plan"], [], _plans)

    @api_route(f"{PREFIX}/plans/<int:plan_id>", "GET", summary="Read a plan",
               scope="plans:read", response=S.Plan, tags=("plans",))  # fmt: skip
    def get_plan(call, plan_id):
        _check_read(call, "woow.paas.plan")
        return 200, _plans(call.find("woow.paas.plan", plan_id))[0]

    # ------------------------------------------------------------------
    # Subscriptions
    # ------------------------------------------------------------------
    @api_route(f"{PREFIX}/subscriptions", "GET", summary="List subscriptions",
               scope="subscriptions:read", response=S.SubscriptionPage,
               query={**LIST_QUERY, **SINCE_QUERY,
                      "state": ("string", "Only this state (draft, trial, active, ...)."),
                      "plan": ("string", "Only this plan code."),
                      "customer_id": ("integer", "Only this customer (operators).")},
               tags=("subscriptions",))  # fmt: skip
    def list_subscriptions(call):
        _check_read(call, "woow.paas.subscription")
        domain = []
        if "state" in call.query:
            domain.append(("state", "=", call.query["state"]))
        if "plan" in call.query:
            domain.append(("plan_id.code", "=", call.query["plan"]))
        if "customer_id" in call.query:
            domain.append(("commercial_partner_id", "=", call.query["customer_id"]))
        Sub = call.env["woow.paas.subscription"]
        return _page(call, Sub, domain, _subscriptions)

    @api_route(f"{PREFIX}/subscriptions/<int:sub_id>", "GET", summary="Read a subscription",
               scope="subscriptions:read", response=S.Subscription,
               tags=("subscriptions",))  # fmt: skip
    def get_subscription(call, sub_id):
        _check_read(call, "woow.paas.subscription")
        return 200, _subscriptions(call.find("woow.paas.subscription", sub_id))[0]

    @api_route(f"{PREFIX}/subscriptions", "POST", summary="Create a subscription",
               scope="subscriptions:write", body=S.SubscriptionCreate,
               response=S.Subscription, status=201, tags=("subscriptions",))  # fmt: skip
    def create_subscription(call):
        """Subscribe a customer to a plan and start it (trial by default).
        A customer credential subscribes its own customer to a public plan;
        a paid plan starts active only when the customer has a saved payment
        method, else as the plan's free trial (one per customer and plan),
        else the answer is 409 with the reason."""
        call.check_unbound("create subscriptions")
        body = call.body
        plan = call.env["woow.paas.plan"].search([("code", "=", body.plan)], limit=1)
        if not plan:
            raise ApiError(422, f"No plan {body.plan}.", [{"name": "plan", "reason": "unknown"}])
        if call.is_customer:
            if body.customer_id not in (None, call.partner.id):
                raise ApiError(403, "A customer credential subscribes its own customer only.")
            env, partner = call.env(su=True), call.partner
            if not plan.is_public:
                raise ApiError(422, f"Plan {plan.code} is not offered.")
        else:
            if not body.customer_id:
                raise ApiError(422, "customer_id is required.",
                               [{"name": "customer_id", "reason": "missing"}])  # fmt: skip
            env = call.env
            partner = env["res.partner"].search([("id", "=", body.customer_id)], limit=1)
            if not partner:
                raise ApiError(422, f"No customer {body.customer_id}.")
        sub = env["woow.paas.subscription"].create({"partner_id": partner.id, "plan_id": plan.id})
        # A customer starts a paid plan only with a payment method, and one
        # trial per plan: the model decides (409 with the reason otherwise).
        sub._paas_start(body.start)
        return 201, _subscriptions(sub.with_env(call.env))[0]

    @api_route(f"{PREFIX}/subscriptions/<int:sub_id>/change-plan", "POST",
               summary="Change a subscription's plan", scope="subscriptions:write",
               body=S.PlanChange, response=S.Subscription, tags=("subscriptions",))  # fmt: skip
    def change_plan(call, sub_id):
        sub = call.find("woow.paas.subscription", sub_id)
        call.check_unbound("change the plan of its subscription")
        plan = call.env["woow.paas.plan"].search([("code", "=", call.body.plan)], limit=1)
        if not plan or (call.is_customer and not plan.is_public):
            raise ApiError(422, f"No plan {call.body.plan} is offered.")
        _customer_act(call, sub).action_change_plan(plan.id)
        return 200, _subscriptions(sub)[0]

    @api_route(f"{PREFIX}/subscriptions/<int:sub_id>/cancel", "POST",
               summary="Cancel a subscription", scope="subscriptions:write", body=S.Cancel,
               response=S.Subscription, tags=("subscriptions",))  # fmt: skip
    def cancel_subscription(call, sub_id):
        sub = call.find("woow.paas.subscription", sub_id)
        call.check_unbound("cancel its subscription")
        _customer_act(call, sub).action_cancel(reason=call.body.reason)
        return 200, _subscriptions(sub)[0]

    # ------------------------------------------------------------------
    # Tenants
    # ------------------------------------------------------------------
    @api_route(f"{PREFIX}/tenants", "GET", summary="List tenants", scope="tenants:read",
               response=S.TenantPage,
               query={**LIST_QUERY, **SINCE_QUERY,
                      "state": ("string", "Only this state."),
                      "plan": ("string", "Only this plan code."),
                      "customer_id": ("integer", "Only this customer (operators)."),
                      "subscription_id": ("integer", "Only this subscription.")},
               tags=("tenants",))  # fmt: skip
    def list_tenants(call):
        _check_read(call, "woow.paas.tenant")
        domain = []
        for name, field in (("state", "state"), ("plan", "plan_id.code"),
                            ("customer_id", "commercial_partner_id"),
                            ("subscription_id", "subscription_id")):  # fmt: skip
            if name in call.query:
                domain.append((field, "=", call.query[name]))
        return _page(call, call.env["woow.paas.tenant"], domain, _tenants)

    @api_route(f"{PREFIX}/tenants/<int:tenant_id>", "GET", summary="Read a tenant",
               scope="tenants:read", response=S.Tenant, tags=("tenants",))  # fmt: skip
    def get_tenant(call, tenant_id):
        _check_read(call, "woow.paas.tenant")
        return 200, _tenants(call.find("woow.paas.tenant", tenant_id))[0]

    @api_route(f"{PREFIX}/tenants", "POST", summary="Create a tenant (and provision it)",
               scope="tenants:write", body=S.TenantCreate, response=S.Tenant, status=201,
               tags=("tenants",))  # fmt: skip
    def create_tenant(call):
        call.check_unbound("create tenants")
        body = call.body
        sub = call.find("woow.paas.subscription", body.subscription_id)
        env = call.env(su=True) if call.is_customer else call.env
        tenant = env["woow.paas.tenant"].create(
            {"name": body.name, "code": body.code, "partner_id": sub.partner_id.id,
             "subscription_id": sub.id}
        )  # fmt: skip
        if body.provision:
            tenant.action_provision()
        return 201, _tenants(tenant.with_env(call.env))[0]

    @api_route(f"{PREFIX}/tenants/<int:tenant_id>/suspend", "POST", summary="Suspend a tenant",
               scope="tenants:write", body=S.Suspend, response=S.Tenant,
               tags=("tenants",))  # fmt: skip
    def suspend_tenant(call, tenant_id):
        """A customer suspends an active tenant where its plan allows
        self-suspension (else 403); only such a suspension may the customer
        resume."""
        tenant = call.find("woow.paas.tenant", tenant_id)
        if call.is_customer:
            tenant._paas_customer_suspend(reason=call.body.reason)
        else:
            tenant.action_suspend(reason=call.body.reason)
        return 200, _tenants(tenant)[0]

    @api_route(f"{PREFIX}/tenants/<int:tenant_id>/resume", "POST", summary="Resume a tenant",
               scope="tenants:write", body=S.Strict, response=S.Tenant,
               tags=("tenants",))  # fmt: skip
    def resume_tenant(call, tenant_id):
        """A customer resumes only a tenant it suspended itself (403 for a
        suspension by the platform: an operator, dunning or the subscription)."""
        tenant = call.find("woow.paas.tenant", tenant_id)
        if call.is_customer:
            tenant._paas_customer_resume()
        else:
            tenant.action_activate()
        return 200, _tenants(tenant)[0]

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    @api_route(f"{PREFIX}/events", "GET", summary="List events (the audit trail)",
               scope="events:read", response=S.EventPage,
               query={**LIST_QUERY, "type": ("string", "Only this event type."),
                      "tenant_id": ("integer", "Only this tenant."),
                      "subscription_id": ("integer", "Only this subscription.")},
               tags=("events",))  # fmt: skip
    def list_events(call):
        Event, domain = _events(call)
        for name, field in (("type", "event_type"), ("tenant_id", "tenant_id"),
                            ("subscription_id", "subscription_id")):  # fmt: skip
            if name in call.query:
                domain.append((field, "=", call.query[name]))
        return _page(call, Event, domain, _events_data)

    @api_route(f"{PREFIX}/events/<string:event_id>", "GET", summary="Read an event",
               scope="events:read", response=S.Event, tags=("events",))  # fmt: skip
    def get_event(call, event_id):
        Event, domain = _events(call)
        event = Event.search([*domain, ("uuid", "=", event_id)], limit=1)
        if not event:
            raise ApiError(404, f"No event {event_id}.")
        return 200, _events_data(event)[0]

    # ------------------------------------------------------------------
    # Usage (served when woow_paas_billing is installed)
    # ------------------------------------------------------------------
    @api_route(f"{PREFIX}/usage", "POST", summary="Send usage events", scope="usage:write",
               body=S.UsageBatch, response=S.UsageResults, tags=("usage",),
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
        # A plain dict of S.UsageResults' shape: ingest() returns exactly its
        # items, and a pydantic round trip of 1,000 of them costs more than
        # the JSON (the schema test holds the answer to the document).
        return 200, {
            "accepted": counts["accepted"], "duplicate": counts["duplicate"],
            "rejected": counts["rejected"], "results": results,
        }  # fmt: skip

    @api_route(f"{PREFIX}/usage", "GET", summary="Aggregate usage", scope="billing:read",
               response=S.UsageAggregate,
               query={"tenant_id": ("integer", "The tenant (required)."),
                      "metric": ("string", "The metric code (required)."),
                      "from": ("date", "First day, included (default: first of the month)."),
                      "to": ("date", "Last day, excluded (default: tomorrow).")},
               tags=("usage",))  # fmt: skip
    def get_usage(call):
        """A tenant's usage of a metric over a period, aggregated as the metric says."""
        _usage_model(call)
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
        return 200, S.UsageAggregate(
            tenant_id=tenant.id, metric=metric.code, aggregation=metric.aggregation,
            date_from=date_from, date_to=date_to, quantity=float(quantity),
        )  # fmt: skip


def _ingest(call, events):
    """Ingest ``events``; for a tenant-bound credential, those of another
    tenant are rejected one by one (the others are ingested)."""
    Usage = _usage_model(call)
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


def _usage_model(call):
    if "woow.paas.usage.event" not in call.env:
        raise ApiError(404, "Usage metering is not installed on this platform.")
    return call.env["woow.paas.usage.event"]


# ----------------------------------------------------------------------
# OpenAPI
# ----------------------------------------------------------------------
def _path_regex(path):
    path = re.sub(r"<int:\w+>", r"\\d+", path)
    return re.sub(r"<(?:\w+:)?\w+>", r"[^/]+", path)


def _active_routes():
    """The declared routes of the addons installed on the request's database
    (the Python code of an addon serves every database of the server)."""
    installed = request.env.registry._init_modules
    return [route for route in ROUTES if route["module"] in installed]


def _openapi_path(path):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def _addon_version():
    module = (
        request.env["ir.module.module"].sudo().search([("name", "=", "woow_paas_api")], limit=1)
    )
    return module.latest_version or "unknown"


API_DESCRIPTION = """Plans, subscriptions, tenants, usage and the event log of the platform.

- **Authentication**: `Authorization: Bearer <credential>`, an API key (`wpk_...`, from
  the portal's *API* page or *PaaS > API Keys*) or an OAuth2 access token from
  `/oauth2/token`. Each route needs the scope it names.
- **Errors** are `application/problem+json` (RFC 9457): `title`, `status`, `detail`, and
  per-field `errors` when the body does not validate.
- **Lists** take `?limit=` (1 to 200) and `?cursor=`: pass the `next_cursor` of a page to
  get the next one; it is `null` on the last page.
- **Retries**: send an `Idempotency-Key` header with every POST; the same key and body
  replay the first answer (kept 7 days).
- **Rate limits** answer `429` with `Retry-After`; every answer carries `RateLimit` and
  `X-RateLimit-*` headers.
- **Webhooks** are signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`,
  `webhook-signature`).

Try a route: *Authorize* with a key, then *Try it out* on the route."""
TAG_DESCRIPTIONS = {
    "service": "Health and version: no credential needed.",
    "plans": "The plans on offer, with their prices and quotas.",
    "subscriptions": "Subscriptions: create, change plan, cancel.",
    "tenants": "Tenants: create and provision, suspend, resume; each with its URL.",
    "usage": "Metered usage: send events in batches, read aggregates.",
    "invoices": "Invoices of the subscriptions, and their PDF.",
    "events": "The event log: every business event of the platform (the audit trail).",
    "webhooks": "Webhook endpoints and their deliveries: signed events sent to your URLs.",
    "graphql": "A read-only GraphQL query over the same resources.",
}


def _example(model):
    """The first example of a typed body (its ``examples``), or, for a page,
    a page holding the first example of its items; None without one."""
    extra = model.model_config.get("json_schema_extra")
    if isinstance(extra, dict) and extra.get("examples"):
        return extra["examples"][0]
    if issubclass(model, S.Page) and "data" in model.model_fields:
        (item,) = typing.get_args(model.model_fields["data"].annotation) or (None,)
        example = _example(item) if isinstance(item, type) else None
        if example is not None:
            return {"data": [example], "next_cursor": None}
    return None


def _media(schema, model):
    """A JSON media type object: its schema and, when the model has one,
    an example (shown by the API reference and its try-it form)."""
    example = _example(model)
    return {"schema": schema} if example is None else {"schema": schema, "example": example}


def openapi_document():
    """The OpenAPI 3.1 document of every route, built from the declarations."""
    components = {"Problem": S.Problem.model_json_schema()}

    def ref(model):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    paths = {}
    for route in _active_routes():
        operation = {
            "operationId": route["summary"].lower().replace(" ", "_").replace("'", ""),
            "summary": route["summary"],
            "tags": list(route["tags"]),
            "responses": {
                str(route["status"]): {
                    "description": "Success",
                    "content": (
                        {"application/json": _media(ref(route["response"]), route["response"])}
                        if route["media"] == "application/json"
                        else {route["media"]: {"schema": {"type": "string", "format": "binary"}}}
                    ),
                }
                if route["response"] or route["media"] != "application/json"
                else {"description": "Success, no content"},
                "400": {"description": "Bad request", "content": problem},
                "429": {"description": "Rate limit reached (see Retry-After)", "content": problem},
                "500": {"description": "Unexpected error", "content": problem},
            },
        }
        if route["doc"]:
            operation["description"] = route["doc"]
        if route["media"] != "application/json":
            operation["responses"]["503"] = {
                "description": "The server cannot render this format now",
                "content": problem,
            }
        parameters = [
            {"name": name, "in": "path", "required": True,
             "schema": {"type": "integer" if kind == "int" else "string"}}
            for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", route["path"])
        ]  # fmt: skip
        for name, (kind, description) in route["query"].items():
            schema = {"type": "integer"} if kind == "integer" else {"type": "string"}
            if kind in ("date", "date-time"):
                schema["format"] = kind
            if name == "limit":
                schema.update(minimum=1, maximum=MAX_LIMIT)
            parameters.append(
                {"name": name, "in": "query", "required": False, "schema": schema,
                 "description": description}
            )  # fmt: skip
        if route["auth"]:
            operation["security"] = [{"bearer": [route["scope"]] if route["scope"] else []}]
            operation["responses"]["401"] = {
                "description": "No valid credential",
                "content": problem,
            }
            operation["responses"]["403"] = {
                "description": "Missing scope or right",
                "content": problem,
            }
        if parameters:
            operation["parameters"] = parameters
        if route["auth"]:
            operation["responses"]["404"] = {"description": "Not found", "content": problem}
        if route["method"] == "PATCH":
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": _media(ref(route["body"]), route["body"])},
            }
            for status, text in (("409", "Refused in the current state"),
                                 ("413", "Body too large"), ("415", "Body not JSON"),
                                 ("422", "Invalid body or refused change")):  # fmt: skip
                operation["responses"][status] = {"description": text, "content": problem}
        if route["method"] == "POST":
            operation["parameters"] = [
                *operation.get("parameters", []),
                {"name": "Idempotency-Key", "in": "header", "required": False,
                 "schema": {"type": "string", "maxLength": 255},
                 "description": "Replays the first answer of a retried request (kept 7 days)."},
            ]  # fmt: skip
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": _media(ref(route["body"]), route["body"])},
            }
            for status, text in (("409", "Refused in the current state, or key in use"),
                                 ("413", "Body too large"),
                                 ("415", "Body not JSON"),
                                 ("422", "Invalid body or refused change")):  # fmt: skip
                operation["responses"][status] = {"description": text, "content": problem}
        paths.setdefault(_openapi_path(route["path"]), {})[route["method"].lower()] = operation
    used = {tag for operations in paths.values() for op in operations.values()
            for tag in op["tags"]}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": "Woow PaaS API", "version": "v1", "description": API_DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": [
            {"name": name, "description": text}
            for name, text in TAG_DESCRIPTIONS.items()
            if name in used
        ]
        + [{"name": name} for name in sorted(used - set(TAG_DESCRIPTIONS))],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key (wpk_...) from PaaS > API Keys.\n\n"
                    + "\n".join(f"- `{k}`: {v}" for k, v in SCOPES.items()),
                }
            },
        },
    }
