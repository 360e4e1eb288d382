"""Errors and answers of the REST API: :class:`ApiError` and the
problem+json (RFC 9457) and JSON responses. Public names are re-exported by
:mod:`.framework`."""

import json

from pydantic import BaseModel

from odoo.http import Response, request

from ..controllers import schemas as S

PROBLEM_TYPE = "https://woow-paas.dev/problems/"
STATUS_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
    500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


class ApiError(Exception):
    """Raised by a route (or the framework) to answer a problem+json:
    ``status``, a ``detail`` for people, per-field ``errors``
    (``[{"name", "reason"}]``) and extra response ``headers``."""

    def __init__(self, status, detail, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers


def problem_response(status, detail=None, errors=None, headers=None):
    """An ``application/problem+json`` response (RFC 9457)."""
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


def json_response(status, payload):
    """The JSON response of a route's ``(status, payload)``: a pydantic
    model, a plain dict of its shape, or a response of its own."""
    if isinstance(payload, Response):  # a route of another media type answered itself
        return payload
    if status == 204:
        return request.make_response(b"", status=204)
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return request.make_response(
        json.dumps(payload), headers=[("Content-Type", "application/json")], status=status
    )
