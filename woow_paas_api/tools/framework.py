"""The REST API framework of ``/api/v1``: its public surface.

Routes of this addon and of its bridges (``woow_paas_api_billing``,
``woow_paas_api_tenant``, ...) import from this module only; what it does
not list in ``__all__`` is internal and may change.

Declaring a route
    :func:`api_route` declares a route once: the declaration drives
    authentication (``Authorization: Bearer`` API key or OAuth2 token),
    the scope check, rate limits, body and query validation, the
    ``Idempotency-Key`` protocol of POSTs (kept by the
    ``woow.paas.api.idempotency`` model), the problem+json errors and the
    OpenAPI document (``controllers/openapi.py``), so that the document is
    the code. The decorated function receives a :class:`Call` and the path
    parameters, and returns ``(status, payload)``: a pydantic model, a dict
    of its shape, or (for another media type) a response of its own. A
    route belongs to the addon that declares it: the document lists it only
    on databases where that addon is installed.

The call
    :class:`Call` carries the :class:`Credential` (``call.key``), the
    environment as the credential's user (``call.env``), the validated
    ``call.body`` and ``call.query``, ``call.is_customer``,
    ``call.partner`` and ``call.tenant``; ``call.find()`` reads a record or
    answers 404, ``call.tenant_domain()`` limits a model to a bound
    tenant's records (declared with :func:`register_tenant_domain`) and
    ``call.check_unbound()`` refuses what reaches beyond it.
    :func:`check_read` and :func:`customer_act` check and take the rights
    a customer's route needs.

Errors
    Raise :class:`ApiError` (status, detail, per-field errors, headers):
    it answers ``application/problem+json`` (RFC 9457). Odoo's
    ``ValidationError`` answers 422, ``AccessError`` 403, ``UserError`` 409.
    :func:`problem_response` and :func:`json_response` build answers for
    plain ``http.route`` routes.

Paging
    :func:`page` answers a cursor page; declare its query parameters with
    :data:`LIST_QUERY` (and :data:`SINCE_QUERY`).

Serializers and schemas
    :func:`iso` (RFC 3339), :func:`codes` (linked records' codes in one
    read), :func:`plans_data`, :func:`subscriptions_data`,
    :func:`tenants_data` and :func:`events_data` (the core resources'
    JSON items); the pydantic bases :class:`Page`, :class:`Strict`,
    :data:`UtcDateTime` and :func:`examples` for a bridge's schemas.

Scopes
    :data:`SCOPES`: every scope of the API and what it allows.

GraphQL
    :func:`register_query` adds a bridge's query fields to
    ``/api/graphql``; :func:`graphql_records` reads a list field's records
    with the REST routes' scoping.

OCA's ``fastapi`` was not used: see the README (its 4xx are logged as
errors and new endpoints need a restart).
"""

import base64
import inspect
import re

from odoo import http

from ..controllers.schemas import Page, Strict, UtcDateTime, examples
from ..models.const import SCOPES
from .api_call import Call, Credential, check_read, customer_act, register_tenant_domain
from .api_errors import ApiError, json_response, problem_response
from .api_graphql import graphql_records, register_query
from .api_request import dispatch
from .api_serializers import (
    codes,
    events_data,
    iso,
    plans_data,
    subscriptions_data,
    tenants_data,
)

__all__ = [
    "LIST_QUERY",
    "MAX_LIMIT",
    "PREFIX",
    "SCOPES",
    "SINCE_QUERY",
    "ApiError",
    "Call",
    "Credential",
    "Page",
    "Strict",
    "UtcDateTime",
    "api_route",
    "check_read",
    "codes",
    "customer_act",
    "events_data",
    "examples",
    "graphql_records",
    "iso",
    "json_response",
    "page",
    "plans_data",
    "problem_response",
    "register_query",
    "register_tenant_domain",
    "subscriptions_data",
    "tenants_data",
]

PREFIX = "/api/v1"
MAX_LIMIT = 200
# The declared routes, filled at import by api_route (like Odoo's own
# controller registry) and only read by requests (the OpenAPI document, the
# 405 answers): each names the addon that declares it.
ROUTES = []


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
            return dispatch(func, meta, {k: v for k, v in kwargs.items() if k in path_params})

        wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
        # Not read-only even for GET: authentication records the key's last use.
        return http.route(
            path, type="http", auth="none", methods=[method], csrf=False,
            save_session=False, readonly=False,
        )(wrapper)  # fmt: skip

    return decorator


LIST_QUERY = {
    "limit": ("integer", f"Page size, 1 to {MAX_LIMIT} (default 50)."),
    "cursor": ("string", "The next_cursor of the previous page."),
}
SINCE_QUERY = {
    "created_since": ("date-time", "Only records created at or after this time (UTC)."),
    "updated_since": ("date-time", "Only records changed at or after this time (UTC)."),
}


def page(call, model, domain, serialize):
    """Answer one page of ``model`` (``domain`` and the tenant's records):
    ``(200, {"data": serialize(records), "next_cursor": ...})``, reading
    the ``limit``, ``cursor``, ``created_since`` and ``updated_since``
    query parameters (declare them with ``query={**LIST_QUERY, **SINCE_QUERY}``).
    Cursor pagination on descending ids: stable while records are added."""
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
