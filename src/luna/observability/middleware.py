"""The outermost ASGI middleware: request id, trace propagation, access log, last resort.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it wraps every request and
every streamed byte.
"""

from __future__ import annotations

import json
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.observability.context import context_from_headers, current_request
from luna.observability.logging import get_logger
from luna.observability.metrics import REQUEST_SECONDS
from luna.observability.tracing import traced_request_context
from luna.problems import PROBLEM_CONTENT_TYPE, problem_body
from luna.security.redaction import REDACTED, is_secret_key

access_log = get_logger("luna.access")
error_log = get_logger("luna.error")


class RequestContextMiddleware:
    """Give each request an id and a trace, log it once, and answer 500 on a crash."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        context = traced_request_context(headers.get("x-request-id")) or context_from_headers(
            headers.get("x-request-id"), headers.get("traceparent")
        )
        token = current_request.set(context)
        scope.setdefault("state", {})["request_context"] = context
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_ids(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers["X-Request-ID"] = context.request_id
                response_headers["traceparent"] = context.traceparent
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        except Exception:  # noqa: BLE001  (the outermost handler: log once, answer a bare 500)
            error_log.exception(
                "unhandled error", method=scope["method"], path=loggable_path(scope)
            )
            status = 500
            if not response_started:
                await _send_internal_error(scope, send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            REQUEST_SECONDS.labels(scope["method"], route_of(scope), str(status)).observe(elapsed)
            access_log.info(
                "request",
                method=scope["method"],
                path=loggable_path(scope),
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                client=(scope.get("client") or ("", 0))[0],
                user_id=context.user_id,
                workspace_id=context.workspace_id,
            )
            current_request.reset(token)


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/workspaces/{workspace_id}/runs``),
    or ``unmatched``: a metric's label must not carry ids."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def loggable_path(scope: Scope) -> str:
    """The request's path with the value of each secret path parameter (a share link's
    ``{token}``) replaced: more people read the logs than a link was given to."""
    path: str = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, str) and value and is_secret_key(name):
            path = path.replace(value, REDACTED)
    return path


async def _send_internal_error(scope: Scope, send: Send) -> None:
    body = problem_body(
        status=500,
        detail="The server hit an unexpected error. Quote the request id when reporting it.",
        instance=scope["path"],
    )
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
