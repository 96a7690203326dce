"""Cross-site request forgery defence for cookie-authenticated writes (plain ASGI).

A state-changing request that a browser could send on its own (it carries the session
cookie, or comes with an ``Origin``) must come from one of Luna's trusted origins:
``Origin`` is checked, or ``Referer`` when a browser sends no ``Origin``, and
``Sec-Fetch-Site: cross-site`` is refused outright. Requests authenticated with an
``Authorization`` header (API keys, bearer tokens) cannot be forged by a page and are
exempt. The session cookie is also ``SameSite=Strict``; this is the second layer.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from luna.problems import PROBLEM_CONTENT_TYPE, problem_body

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, or None when it has none."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class CsrfMiddleware:
    """Refuse cross-site, cookie-authenticated writes with 403 problem+json."""

    def __init__(self, app: ASGIApp, *, trusted_origins: frozenset[str], cookie_name: str) -> None:
        self.app = app
        self.trusted_origins = frozenset(origin.lower() for origin in trusted_origins)
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = self.refusal(Headers(scope=scope))
            if reason is not None:
                await _refuse(scope, send, reason)
                return
        await self.app(scope, receive, send)

    def refusal(self, headers: Headers) -> str | None:
        """Why this write must be refused, or None when it may proceed."""
        if "authorization" in headers:
            return None
        has_cookie = self.cookie_name in cookie_parser(headers.get("cookie", ""))
        origin = headers.get("origin")
        if not has_cookie and origin is None:
            return None
        if headers.get("sec-fetch-site") == "cross-site":
            return "The request came from another site."
        claimed = origin_of(origin) if origin and origin != "null" else None
        if claimed is None and origin is None:
            claimed = origin_of(headers.get("referer", ""))
        if claimed is None:
            return "A signed-in write must say where it comes from (Origin or Referer)."
        if claimed not in self.trusted_origins:
            return f"Writes from {claimed} are not allowed."
        return None


async def _refuse(scope: Scope, send: Send, reason: str) -> None:
    body = problem_body(status=403, code="csrf-rejected", detail=reason, instance=scope["path"])
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
