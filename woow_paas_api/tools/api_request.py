"""How the REST framework serves one request of a route declared with
:func:`.framework.api_route`: authentication, rate limits, body and query
validation, idempotency and the mapping of exceptions to problem+json.

Internal to the framework: routes and bridges use :mod:`.framework`.
"""

import hashlib
import json
import logging
import math
from datetime import datetime, timezone

import psycopg2
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from odoo import fields
from odoo.exceptions import (
    AccessError,
    ConcurrencyError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.sql_db import Cursor

from ..models.woow_paas_oauth_token import TOKEN_PREFIX
from .api_call import Call, Credential
from .api_errors import ApiError, json_response, problem_response

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
# Deeper JSON is refused before it is validated: no schema of the API nests
# this far, and recursion over a deeper value would exhaust Python's stack.
MAX_JSON_DEPTH = 32
# Integers beyond PostgreSQL's bigint are refused with a 4xx, not stored.
MAX_INT = 2**63 - 1


def authenticate(meta):
    header = request.httprequest.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401, "Send a credential: Authorization: Bearer <API key or OAuth2 access token>.",
            headers=[("WWW-Authenticate", 'Bearer realm="api"')],
        )  # fmt: skip
    secret = secret.strip()
    credential = credential_for(secret) if secret.isascii() and secret.isprintable() else None
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
TENANT_UNBOUND_SCOPES = frozenset({"webhooks:manage"})


def credential_for(secret):
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


def parse_body(meta):
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
    check_json(data)
    return meta["body"].model_validate(data)


def check_json(data):
    """Refuse (4xx) a JSON value that the platform could not store or walk:
    nested deeper than MAX_JSON_DEPTH, text PostgreSQL refuses (NUL, or what
    is not UTF-8), integers beyond bigint, NaN or infinities. Iterative, so
    that no value can exhaust the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if unstorable_text(value):
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


def unstorable_text(value):
    """Whether a text holds what PostgreSQL refuses (NUL, or what is not
    UTF-8): found here, it is a 4xx rather than a 500."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return "\x00" in value


def parse_query(meta):
    args = request.httprequest.args
    if any(unstorable_text(v) for v in args.values()):
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


def rate_limit(key):
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
            429, f"Too many requests: {refusing['quota']} per {window_name(refusing['window'])}"
            f" ({refusing['policy']}); retry in {retry_after} s.",
            headers=[*headers, ("Retry-After", str(retry_after))],
        )  # fmt: skip
    return headers


def window_name(seconds):
    return {60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds} s")


def read_committed():
    """Restart the request's transaction (nothing was written in it yet) at
    READ COMMITTED. Tests share one transaction: there it stays as it is."""
    cr = request.env.cr
    if isinstance(cr, Cursor):
        cr.rollback()
        cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")


def dispatch(func, meta, kwargs):
    rate_headers = []
    if meta["read_committed"]:
        read_committed()
    try:
        try:
            key = authenticate(meta) if meta["auth"] else None
        except ApiError:
            rate_headers = rate_limit(None)  # unknown callers share their address's bucket
            raise
        rate_headers = rate_limit(key)
        check_path(kwargs)
        body = parse_body(meta)
        query = parse_query(meta)
        call = Call(key, body, query)
        if meta["method"] == "POST" and key:
            response = idempotent(call, func, meta, kwargs)
        else:
            status, payload = func(call, **kwargs)
            response = json_response(status, payload)
        # Constraint errors surface here, not at commit after the answer left.
        request.env.flush_all()
    except ApiError as exc:
        request.env.cr.rollback()
        response = problem_response(exc.status, exc.detail, exc.errors, exc.headers)
    except PydanticError as exc:
        request.env.cr.rollback()
        errors = [
            {"name": ".".join(str(p) for p in err["loc"]), "reason": err["msg"]}
            for err in exc.errors()
        ]
        response = problem_response(422, "The body does not match the expected schema.", errors)
    except ValidationError as exc:
        request.env.cr.rollback()
        response = problem_response(422, str(exc.args[0] if exc.args else exc))
    except (AccessError, MissingError) as exc:
        # Before UserError, of which both are subclasses.
        request.env.cr.rollback()
        response = problem_response(403, str(exc.args[0] if exc.args else exc))
    except UserError as exc:
        # A business rule refused the move in the record's current state.
        request.env.cr.rollback()
        response = problem_response(409, str(exc.args[0] if exc.args else exc))
    except psycopg2.IntegrityError as exc:
        request.env.cr.rollback()
        response = problem_response(409, integrity_message(exc))
    except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
        raise  # Odoo retries the request with a fresh transaction
    except Exception:
        request.env.cr.rollback()
        _logger.exception("API %s %s failed", meta["method"], request.httprequest.path)
        response = problem_response(500, "An unexpected error happened; it was logged.")
    for name, value in rate_headers:
        response.headers.setdefault(name, value)
    return response


def check_path(kwargs):
    """Path parameters are text PostgreSQL can hold, and ids fit its integers."""
    for name, value in kwargs.items():
        if isinstance(value, str) and unstorable_text(value):
            raise ApiError(400, f"Path parameter {name} contains a NUL character.")
        if isinstance(value, int) and value > MAX_INT:
            raise ApiError(404, f"No record {value}.")


def integrity_message(exc):
    Model = request.env["base"]
    for model in request.env.registry.values():
        if exc.diag.table_name == model._table:
            Model = request.env[model._name]
            break
    return Model._sql_error_to_message(exc)


def idempotent(call, func, meta, kwargs):
    """The Idempotency-Key protocol of the IETF draft: the same key and body
    replay the first answer, another body is refused (422), a key whose
    first request still runs is refused (409). The keys and answers are kept
    by ``woow.paas.api.idempotency`` (see its ``_paas_begin``)."""
    idem_key = request.httprequest.headers.get("Idempotency-Key")
    if not idem_key:
        status, payload = func(call, **kwargs)
        return json_response(status, payload)
    if len(idem_key) > 255:
        raise ApiError(400, "The Idempotency-Key is longer than 255 characters.")
    if not (idem_key.isascii() and idem_key.isprintable()):
        raise ApiError(400, "The Idempotency-Key must be printable ASCII.")
    digest = hashlib.sha256(
        request.httprequest.path.encode() + b"\n" + request.httprequest.get_data(cache=True)
    ).hexdigest()
    Idempotency = request.env["woow.paas.api.idempotency"].sudo()
    outcome, value = Idempotency._paas_begin(call.key.id, idem_key, digest)
    if outcome == "busy":
        raise ApiError(409, "A request with this Idempotency-Key is still running.")
    if outcome == "mismatch":
        raise ApiError(422, "This Idempotency-Key was used with another request body.")
    if outcome == "replay":
        status, response = value
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
    Idempotency._paas_finish(value, status, text)
    return request.make_response(
        text, headers=[("Content-Type", "application/json")], status=status
    )
