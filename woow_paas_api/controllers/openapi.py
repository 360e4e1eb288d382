"""The OpenAPI 3.1 document of the REST API, built from the routes declared
with :func:`~odoo.addons.woow_paas_api.tools.framework.api_route` by the
addons installed on the database; the API reference page (Swagger UI); and
the 404/405 answers of the paths no route serves."""

import json
import re
import typing

from odoo import http
from odoo.http import request

from ..models.const import SCOPES
from ..tools.framework import (
    MAX_LIMIT,
    PREFIX,
    ROUTES,
    json_response,
    problem_response,
)
from . import schemas as S


class WoowPaasApiReference(http.Controller):
    @http.route(f"{PREFIX}/openapi.json", type="http", auth="none", methods=["GET"],
                csrf=False, save_session=False)  # fmt: skip
    def openapi(self):
        return json_response(200, openapi_document())

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
            return problem_response(405, f"{path} answers {', '.join(allowed)}.",
                            headers=[("Allow", ", ".join(allowed))])  # fmt: skip
        return problem_response(404, f"No route {path}: see {PREFIX}/openapi.json.")


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
