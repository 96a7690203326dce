"""RFC 9457 problem details: the one shape of every error response.

Handlers here turn Luna's own errors, the framework's HTTP errors (404, 405, ...),
request validation errors and broken unique constraints (a double submission: 409) into
``application/problem+json``. Unexpected exceptions are turned into a bare 500 by the
request middleware, which also logs them; no stack trace ever leaves the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from luna.errors import LunaError, conflict_for_duplicate
from luna.observability.context import current_request
from luna.observability.logging import get_logger

log = get_logger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:luna:problem:"
# RFC 9110's names where Python's older ones differ by version ("Unprocessable Entity"
# before 3.13), so that every problem of a status carries the same title.
_TITLES: Final = {413: "Content Too Large", 422: "Unprocessable Content"}
# The page a browser is shown for an unknown address, given its path.
NotFoundPage = Callable[[str], Response]

_CODES_BY_STATUS = {
    400: "bad-request",
    401: "unauthenticated",
    402: "entitlement-exceeded",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "content-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    500: "internal-error",
    503: "service-unavailable",
}


class FieldError(BaseModel):
    """One invalid input: where it is and what is wrong with it."""

    model_config = ConfigDict(extra="allow")

    in_: str = Field(alias="in", description="body, query, path, header or cookie")
    pointer: str | None = Field(None, description="JSON pointer into the body (#/a/b)")
    name: str | None = Field(None, description="the parameter, outside the body")
    message: str
    type: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem document. Some problems add fields (``limit``, ``errors``...)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="urn:luna:problem:<code>; branch on this")
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


_PROBLEM_CONTENT = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}

# Documented on every operation: any of them can be refused by the middleware (401, 403,
# 413, 429, 503) or fail validation (400, 422).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "The request was refused; the problem says why.",
        "model": Problem,
        "content": _PROBLEM_CONTENT,
    },
    "5XX": {
        "description": "The server could not serve the request.",
        "model": Problem,
        "content": _PROBLEM_CONTENT,
    },
}


def code_for_status(status: int) -> str:
    """The problem code Luna uses for a bare HTTP status."""
    return _CODES_BY_STATUS.get(status, f"http-{status}")


def problem_body(
    *,
    status: int,
    code: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a problem document; the request id is added from the request context."""
    phrase = _TITLES.get(status) or (
        HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    )
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + (code or code_for_status(status)),
        "title": title or phrase,
        "status": status,
        "detail": detail or title or phrase,
    }
    if instance:
        body["instance"] = instance
    context = current_request.get()
    if context is not None:
        body["request_id"] = context.request_id
    body.update(extra or {})
    return body


def problem_response(
    body: dict[str, Any], *, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON response carrying a problem document."""
    return JSONResponse(
        body, status_code=body["status"], headers=headers, media_type=PROBLEM_CONTENT_TYPE
    )


def _field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    fields = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        where, path = (location[0], location[1:]) if location else ("body", [])
        fields.append(
            {
                "in": where,
                "pointer": "#/" + "/".join(path) if where == "body" else None,
                "name": ".".join(path) if where != "body" else None,
                "message": error.get("msg", "invalid"),
                "type": error.get("type", "value_error"),
            }
        )
    return [{key: value for key, value in item.items() if value is not None} for item in fields]


async def _luna_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LunaError)  # noqa: S101  (registered for LunaError only)
    body = problem_body(
        status=exc.status,
        code=exc.problem_code,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        extra=exc.data,
    )
    return problem_response(body, headers=exc.headers)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """A unique constraint a request broke, wherever it was caught (a service's flush or
    the route's commit): 409, not 500. Other integrity errors stay server errors."""
    assert isinstance(exc, IntegrityError)  # noqa: S101  (registered for IntegrityError only)
    conflict = conflict_for_duplicate(exc)
    if conflict is None:
        raise exc  # the request middleware logs it and answers a bare 500
    log.info("duplicate refused", path=request.url.path, fields=conflict.data.get("fields"))
    return await _luna_error(request, conflict)


def _path_methods(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each documented path as a regular expression, with the methods it supports."""
    cached: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "path_methods", None
    )
    if cached is None:
        cached = []
        for template, operations in app.openapi()["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            methods = frozenset(method.upper() for method in operations)
            cached.append((re.compile(f"^{pattern}$"), methods))
        app.state.path_methods = cached
    return cached


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method any route serves at this path (Starlette names only the first route's)."""
    found: set[str] = set()
    for pattern, methods in _path_methods(app):
        if pattern.match(path):
            found |= methods
    return sorted(found)


async def _http_error(
    request: Request, exc: Exception, not_found_page: NotFoundPage | None = None
) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    if exc.status_code == 404 and not_found_page is not None and wants_a_page(request):
        return not_found_page(request.url.path)
    detail = exc.detail if isinstance(exc.detail, str) else None
    body = problem_body(status=exc.status_code, detail=detail, instance=request.url.path)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(methods)
    return problem_response(body, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        body = problem_body(
            status=400,
            code="malformed-json",
            detail="The request body is not valid JSON.",
            instance=request.url.path,
            extra={"errors": _field_errors(errors)},
        )
    else:
        body = problem_body(
            status=422,
            code="validation-failed",
            detail="The request has invalid fields; see errors.",
            instance=request.url.path,
            extra={"errors": _field_errors(errors)},
        )
    return problem_response(body)


def wants_a_page(request: Request) -> bool:
    """Whether a browser asked for a page (a link followed, an address typed) outside the
    API: it is answered with a page a person can read rather than problem+json."""
    return (
        request.method in {"GET", "HEAD"}
        and not request.url.path.startswith("/api/")
        and "text/html" in request.headers.get("accept", "")
    )


def install_problem_handlers(app: FastAPI, *, not_found_page: NotFoundPage | None = None) -> None:
    """Register the handlers that render every handled error as problem+json, except an
    unknown address a browser asked for as a page: ``not_found_page(path)`` answers it."""

    async def http_error(request: Request, exc: Exception) -> Response:
        return await _http_error(request, exc, not_found_page)

    app.add_exception_handler(LunaError, _luna_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
