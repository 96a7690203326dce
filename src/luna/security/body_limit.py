"""A cap on request body size, answered with a 413 problem before memory fills up.

A declared ``Content-Length`` over the limit is refused before a byte of the body is
read. Bodies without one (chunked uploads) are counted as they arrive and cut off as
soon as they pass the limit. Each path prefix may have its own limit (uploads, say).

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it wraps every request and
every streamed byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.problems import PROBLEM_CONTENT_TYPE, problem_body

DEFAULT_MAX_BODY_BYTES: Final = 1_048_576
CONTENT_TOO_LARGE_CODE: Final = "content-too-large"
CONTENT_TOO_LARGE_TITLE: Final = "Content Too Large"

_DISCONNECT: Final[Message] = {"type": "http.disconnect"}


class InvalidContentLength(ValueError):
    """The ``Content-Length`` header is not one non-negative integer."""


def declared_content_length(headers: Headers) -> int | None:
    """The body size the client announced, or ``None`` when it announced none.

    Several ``Content-Length`` fields are accepted only when they all agree (RFC 9110).
    """
    values = {value.strip() for value in headers.getlist("content-length")}
    if not values:
        return None
    if len(values) > 1:
        raise InvalidContentLength("The request has conflicting Content-Length headers.")
    value = values.pop()
    if not (value.isascii() and value.isdigit()):
        raise InvalidContentLength("The Content-Length header is not a non-negative integer.")
    return int(value)


def content_too_large_body(limit: int, *, path: str) -> dict[str, Any]:
    """The problem document of a body over ``limit`` bytes."""
    return problem_body(
        status=413,
        code=CONTENT_TOO_LARGE_CODE,
        title=CONTENT_TOO_LARGE_TITLE,
        detail=f"The request body is larger than the limit of {limit} bytes.",
        instance=path,
        extra={"max_bytes": limit},
    )


async def _send_problem(send: Send, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": body["status"],
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _check_limit(limit: int, what: str) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"{what} must be a non-negative number of bytes, not {limit!r}")


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with ``413 Content Too Large``.

    ``overrides`` maps a path prefix (a plain string prefix: end it with ``/`` to match
    only a folder) to the limit of the paths under it; the longest matching prefix wins.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        overrides: Mapping[str, int] | None = None,
    ) -> None:
        _check_limit(max_bytes, "max_bytes")
        for prefix, limit in (overrides or {}).items():
            _check_limit(limit, f"the limit of {prefix!r}")
        self.app = app
        self.max_bytes = max_bytes
        self._overrides = sorted(
            (overrides or {}).items(), key=lambda item: len(item[0]), reverse=True
        )

    def limit_for(self, path: str) -> int:
        """The body limit, in bytes, of requests to ``path``."""
        for prefix, limit in self._overrides:
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        try:
            declared = declared_content_length(Headers(scope=scope))
        except InvalidContentLength as exc:
            body = problem_body(status=400, detail=str(exc), instance=scope["path"])
            await _send_problem(send, body)
            return
        if declared is not None and declared > limit:
            await _send_problem(send, content_too_large_body(limit, path=scope["path"]))
            return
        guard = _LimitedBody(scope, receive, send, limit)
        try:
            await self.app(scope, guard.receive, guard.send)
        except ClientDisconnect:
            # Reading past the cut-off raises this in the app; the 413 is already sent.
            if not guard.cut_off:
                raise


class _LimitedBody:
    """One request's body counter, and the gate on the app's response once cut off."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self._scope = scope
        self._receive = receive
        self._send = send
        self._limit = limit
        self._received = 0
        self._response_started = False
        self._answered = False
        self.cut_off = False

    async def receive(self) -> Message:
        if self.cut_off:
            return _DISCONNECT
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self._received += len(message.get("body", b""))
        if self._received <= self._limit:
            return message
        self.cut_off = True
        if not self._response_started:
            self._answered = True
            await _send_problem(
                self._send, content_too_large_body(self._limit, path=self._scope["path"])
            )
        return _DISCONNECT

    async def send(self, message: Message) -> None:
        if self._answered:
            return
        if message["type"] == "http.response.start":
            self._response_started = True
        await self._send(message)
