"""Per-request context shared by the middleware, the auth layer and the logs."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_INVALID_TRACE_ID = "0" * 32
_INVALID_SPAN_ID = "0" * 16


@dataclass
class RequestContext:
    """What is known about the request being served; filled in as it is authenticated."""

    request_id: str
    trace_id: str
    span_id: str
    parent_span_id: str | None = None
    trace_flags: str = "01"
    user_id: str | None = None
    team_id: str | None = None
    workspace_id: str | None = None

    @property
    def traceparent(self) -> str:
        """The W3C ``traceparent`` of this request's own span."""
        return f"00-{self.trace_id}-{self.span_id}-{self.trace_flags}"


current_request: ContextVar[RequestContext | None] = ContextVar("luna_request", default=None)


def accept_request_id(header: str | None) -> str:
    """Keep a caller's ``X-Request-ID`` when it is safe to log; otherwise make one."""
    if header and _REQUEST_ID.match(header):
        return header
    return f"req_{secrets.token_hex(12)}"


def new_span_id() -> str:
    """A random, valid (non-zero) W3C span id."""
    return secrets.token_hex(8)


def context_from_headers(request_id: str | None, traceparent: str | None) -> RequestContext:
    """Continue the caller's W3C trace when its ``traceparent`` is valid, else start one."""
    match = _TRACEPARENT.match(traceparent or "")
    if match:
        version, trace_id, parent_id, flags = match.groups()
        if version != "ff" and trace_id != _INVALID_TRACE_ID and parent_id != _INVALID_SPAN_ID:
            return RequestContext(
                request_id=accept_request_id(request_id),
                trace_id=trace_id,
                span_id=new_span_id(),
                parent_span_id=parent_id,
                trace_flags=flags,
            )
    return RequestContext(
        request_id=accept_request_id(request_id),
        trace_id=secrets.token_hex(16),
        span_id=new_span_id(),
    )
