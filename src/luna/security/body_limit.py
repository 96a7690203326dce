"""A cap on request body size and on the time a body takes to arrive.

A declared ``Content-Length`` over the limit is refused before a byte of the body is
read (413). Bodies without one (chunked uploads) are counted as they arrive and cut off
as soon as they pass the limit. Each path prefix may have its own limit (uploads, say).

The whole body must arrive within ``body_timeout_seconds`` of the application first
asking for it, or the request is answered ``408 Request Timeout`` with ``Connection:
close``: a client trickling a body a byte at a time would otherwise hold a connection
(and a worker's attention) as long as it likes. This bounds bodies as the server
protocol (:mod:`luna.security.server`) bounds headers. Once the body is complete, later
waits (a streaming response listening for the client to go) are not bounded.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it wraps every request and
every streamed byte.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import anyio
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.problems import PROBLEM_CONTENT_TYPE, problem_body

DEFAULT_MAX_BODY_BYTES: Final = 1_048_576
CONTENT_TOO_LARGE_CODE: Final = "content-too-large"
CONTENT_TOO_LARGE_TITLE: Final = "Content Too Large"
# Generous for a 1 MiB body on a slow link; a trickling client gets no more than this.
DEFAULT_BODY_TIMEOUT_SECONDS: Final = 30.0
REQUEST_TIMEOUT_CODE: Final = "request-timeout"
REQUEST_TIMEOUT_TITLE: Final = "Request Timeout"

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


def request_timeout_body(seconds: float, *, path: str) -> dict[str, Any]:
    """The problem document of a body that took longer than ``seconds`` to arrive."""
    return problem_body(
        status=408,
        code=REQUEST_TIMEOUT_CODE,
        title=REQUEST_TIMEOUT_TITLE,
        detail=f"The request body did not arrive within {seconds:g} seconds.",
        instance=path,
        extra={"timeout_seconds": seconds},
    )


async def _send_problem(send: Send, body: dict[str, Any], *, close: bool = False) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
    ]
    if close:  # the server then closes the connection rather than read what is left
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": body["status"], "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _check_limit(limit: int, what: str) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"{what} must be a non-negative number of bytes, not {limit!r}")


def _check_seconds(seconds: float) -> None:
    if isinstance(seconds, bool) or not (0 < seconds < math.inf):
        raise ValueError(f"body_timeout_seconds must be a positive number, not {seconds!r}")


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with ``413 Content Too Large``,
    and bodies slower than ``body_timeout_seconds`` with ``408 Request Timeout``.

    ``overrides`` maps a path prefix (a plain string prefix: end it with ``/`` to match
    only a folder) to the limit of the paths under it; the longest matching prefix wins.
    ``clock`` gives monotonic seconds (tests pass a fake one).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        overrides: Mapping[str, int] | None = None,
        body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_limit(max_bytes, "max_bytes")
        for prefix, limit in (overrides or {}).items():
            _check_limit(limit, f"the limit of {prefix!r}")
        _check_seconds(body_timeout_seconds)
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout_seconds = body_timeout_seconds
        self.clock = clock
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
        deadline = _Deadline(self.body_timeout_seconds, self.clock)
        guard = _LimitedBody(scope, receive, send, limit, deadline=deadline)
        try:
            await self.app(scope, guard.receive, guard.send)
        except ClientDisconnect:
            # Reading past the cut-off raises this in the app; the 413 is already sent.
            if not guard.cut_off:
                raise


class _Deadline:
    """The time one body has to arrive, counted from the first time it is asked for."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends_at: float | None = None

    async def receive(self, receive: Receive) -> Message | None:
        """The next message, or None if the deadline passes first."""
        if self._ends_at is None:
            self._ends_at = self._clock() + self.seconds
        remaining = self._ends_at - self._clock()
        if remaining <= 0:
            return None
        with anyio.move_on_after(remaining):
            return await receive()
        return None


class _LimitedBody:
    """One request's body counter, and the gate on the app's response once cut off."""

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        limit: int,
        *,
        deadline: _Deadline,
    ) -> None:
        self._scope = scope
        self._receive = receive
        self._send = send
        self._limit = limit
        self._deadline = deadline
        self._received = 0
        self._body_complete = False
        self._response_started = False
        self._answered = False
        self.cut_off = False

    async def receive(self) -> Message:
        if self.cut_off:
            return _DISCONNECT
        if self._body_complete:
            return await self._receive()
        message = await self._deadline.receive(self._receive)
        if message is None:
            seconds = self._deadline.seconds
            return await self._cut(request_timeout_body(seconds, path=self._scope["path"]))
        if message["type"] != "http.request":
            return message
        self._body_complete = not message.get("more_body", False)
        self._received += len(message.get("body", b""))
        if self._received <= self._limit:
            return message
        return await self._cut(content_too_large_body(self._limit, path=self._scope["path"]))

    async def _cut(self, problem: dict[str, Any]) -> Message:
        """Stop reading: answer ``problem`` unless the app has started its response, and
        tell the app the client is gone."""
        self.cut_off = True
        if not self._response_started:
            self._answered = True
            await _send_problem(self._send, problem, close=problem["status"] == 408)
        return _DISCONNECT

    async def send(self, message: Message) -> None:
        if self._answered:
            return
        if message["type"] == "http.response.start":
            self._response_started = True
        await self._send(message)
