"""Maintenance mode: one flag in the database that every replica obeys within seconds.

Operators turn it on and off with ``luna maintenance on|off`` (or :func:`set_maintenance`).
While it is on, :class:`MaintenanceMiddleware` answers every request with ``503`` and
``Retry-After``: a problem+json document for API clients, a small HTML page for browsers.
The probes (``/healthz``, ``/readyz``) and the metrics scrape keep working, so the load
balancer does not take replicas out, and operators who send the bypass token (printed by
``luna maintenance on``) get through to check the service before reopening it.

Each process keeps the flag in memory and reads it again at most every few seconds: one
query per process and interval, whatever the traffic. The middleware is plain ASGI (not
``BaseHTTPMiddleware``) because it wraps every request.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from luna.errors import ValidationFailed
from luna.observability.logging import get_logger
from luna.problems import PROBLEM_CONTENT_TYPE, problem_body
from luna.security.models import SystemFlag
from luna.settings import Settings

log = get_logger(__name__)

MAINTENANCE_FLAG: Final = "maintenance"
MAINTENANCE_CODE: Final = "maintenance"
BYPASS_HEADER: Final = "X-Luna-Maintenance-Bypass"
BYPASS_TOKEN_PURPOSE: Final = "maintenance-bypass"  # noqa: S105  (a label, not a secret)
RETRY_AFTER_SECONDS: Final = 120
DEFAULT_REFRESH_SECONDS: Final = 2.0
# Requests wait for a read of the flag: a database that hangs must not hang them all.
READ_TIMEOUT_SECONDS: Final = 2.0
DEFAULT_MESSAGE: Final = "Luna is down for scheduled maintenance and will be back shortly."
MAX_MESSAGE_LENGTH: Final = 500
# The probes keep answering so that replicas stay in the load balancer, and the metrics
# scrape keeps working so that the maintenance window has no gap in the graphs.
DEFAULT_EXEMPT_PATHS: Final = ("/healthz", "/readyz", "/metrics")


def derive_operator_token(secret_key: str, purpose: str) -> str:
    """A token for one operator purpose, derived from the secret key (HMAC-SHA256, hex).

    Every replica derives the same token from the same secret; changing the secret key
    changes every operator token. Different purposes give unrelated tokens.
    """
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def operator_token(settings: Settings, purpose: str) -> str:
    """:func:`derive_operator_token` with the secret key of ``settings``."""
    if settings.secret_key is None:
        raise ValueError("the settings have no secret key; build them with load_settings()")
    return derive_operator_token(settings.secret_key.get_secret_value(), purpose)


def maintenance_bypass_token(settings: Settings) -> str:
    """The value of the ``X-Luna-Maintenance-Bypass`` header that passes maintenance mode."""
    return operator_token(settings, BYPASS_TOKEN_PURPOSE)


@dataclass(frozen=True)
class MaintenanceState:
    """Whether maintenance mode is on, the operator's message, and since when."""

    enabled: bool
    message: str = ""
    since: datetime | None = None


MAINTENANCE_OFF: Final = MaintenanceState(enabled=False)


def _parse_since(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _state_from_value(value: dict[str, Any]) -> MaintenanceState:
    return MaintenanceState(
        enabled=value.get("enabled") is True,
        message=str(value.get("message") or ""),
        since=_parse_since(value.get("since")),
    )


def _value_from_state(state: MaintenanceState) -> dict[str, Any]:
    return {
        "enabled": state.enabled,
        "message": state.message,
        "since": state.since.isoformat() if state.since else None,
    }


async def get_maintenance(session: AsyncSession) -> MaintenanceState:
    """The maintenance flag as stored; off when it was never set."""
    flag = await session.get(SystemFlag, MAINTENANCE_FLAG, populate_existing=True)
    return MAINTENANCE_OFF if flag is None else _state_from_value(flag.value)


async def set_maintenance(
    session: AsyncSession, *, enabled: bool, message: str | None, now: datetime
) -> MaintenanceState:
    """Turn maintenance mode on (with the message users see) or off, and commit.

    ``since`` is when the mode last changed: changing the message of a maintenance
    already on keeps its start time. Every replica follows within its refresh interval.
    """
    text = (message or "").strip() or (DEFAULT_MESSAGE if enabled else "")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed(f"The message is longer than {MAX_MESSAGE_LENGTH} characters.")
    current = await get_maintenance(session)
    since = current.since if current.enabled == enabled and current.since else now
    state = MaintenanceState(enabled=enabled, message=text, since=since)
    await _store(session, _value_from_state(state))
    log.info("maintenance mode set", enabled=enabled, message=text)
    return state


async def _store(session: AsyncSession, value: dict[str, Any]) -> None:
    flag = await session.get(SystemFlag, MAINTENANCE_FLAG)
    if flag is None:
        session.add(SystemFlag(name=MAINTENANCE_FLAG, value=value))
    else:
        flag.value = value
    try:
        await session.commit()
    except IntegrityError:  # another operator created the row at the same moment: update it
        await session.rollback()
        existing = await session.get(SystemFlag, MAINTENANCE_FLAG, populate_existing=True)
        if existing is None:
            raise
        existing.value = value
        await session.commit()


MAINTENANCE_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="{retry_after}">
<title>Luna: down for maintenance</title>
</head>
<body>
<main>
<h1>Down for maintenance</h1>
<p>{message}</p>
<p>This page reloads itself every {minutes} minutes until Luna is back.</p>
</main>
</body>
</html>
"""


def maintenance_page(message: str) -> str:
    """The HTML page browsers get during maintenance (no script, no style: strict CSP)."""
    return MAINTENANCE_PAGE.format(
        message=html.escape(message),
        retry_after=RETRY_AFTER_SECONDS,
        minutes=math.ceil(RETRY_AFTER_SECONDS / 60),
    )


def _is_html_navigation(scope: Scope, headers: Headers) -> bool:
    return scope["method"] == "GET" and "text/html" in headers.get("accept", "").lower()


async def _send(send: Send, status: int, content_type: str, payload: bytes) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def send_maintenance_response(
    scope: Scope, send: Send, state: MaintenanceState, *, html_page: bool
) -> None:
    """Answer ``503`` with ``Retry-After``: the HTML page, or a ``maintenance`` problem."""
    if html_page:
        page = maintenance_page(state.message).encode()
        await _send(send, 503, "text/html; charset=utf-8", page)
        return
    extra: dict[str, Any] = {"retry_after": RETRY_AFTER_SECONDS}
    if state.since is not None:
        extra["since"] = state.since.isoformat()
    body = problem_body(
        status=503,
        code=MAINTENANCE_CODE,
        detail=state.message or DEFAULT_MESSAGE,
        instance=scope["path"],
        extra=extra,
    )
    await _send(send, 503, PROBLEM_CONTENT_TYPE, json.dumps(body).encode())


class MaintenanceMiddleware:
    """Answer ``503`` to every request while maintenance mode is on.

    ``session_factory`` opens a database session; it is called only when the flag is
    due to be read again, so it may look up a factory the lifespan creates later.
    The flag is read at most every ``refresh_seconds`` (by ``clock``, in seconds);
    concurrent requests share one read. When a read fails or takes longer than
    ``READ_TIMEOUT_SECONDS``, the last known state stays in force and the read is
    retried after the next interval. Requests to
    ``exempt_paths`` and those carrying ``BYPASS_HEADER: bypass_token`` always pass.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        session_factory: Callable[[], AsyncSession],
        bypass_token: str,
        refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        exempt_paths: tuple[str, ...] = DEFAULT_EXEMPT_PATHS,
    ) -> None:
        if refresh_seconds < 0:
            raise ValueError("refresh_seconds must not be negative")
        if not bypass_token:
            raise ValueError("bypass_token must not be empty")
        self.app = app
        self.session_factory = session_factory
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.exempt_paths = frozenset(exempt_paths)
        self._bypass_token = bypass_token.encode()
        self._state = MAINTENANCE_OFF
        self._next_read = -math.inf
        self._reads = 0
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        state = await self.current_state()
        headers = Headers(scope=scope)
        if not state.enabled or self._may_bypass(headers):
            await self.app(scope, receive, send)
            return
        html_page = _is_html_navigation(scope, headers)
        await send_maintenance_response(scope, send, state, html_page=html_page)

    def _may_bypass(self, headers: Headers) -> bool:
        offered = headers.get(BYPASS_HEADER, "").encode()
        return bool(offered) and hmac.compare_digest(offered, self._bypass_token)

    async def current_state(self) -> MaintenanceState:
        """The flag as this process knows it, read again when the interval has passed."""
        if self.clock() < self._next_read:
            return self._state
        reads_before = self._reads
        async with self._lock:
            # Requests that queued behind a read use its result instead of reading again.
            if self._reads == reads_before and self.clock() >= self._next_read:
                await self._read()
        return self._state

    async def _read(self) -> None:
        try:
            async with asyncio.timeout(READ_TIMEOUT_SECONDS), self.session_factory() as session:
                state = await get_maintenance(session)
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("maintenance flag unreadable; keeping the last state", error=str(exc))
        else:
            if state.enabled != self._state.enabled:
                log.info("maintenance mode changed", enabled=state.enabled)
            self._state = state
        self._reads += 1
        self._next_read = self.clock() + self.refresh_seconds
