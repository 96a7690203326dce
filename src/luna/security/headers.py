"""Security response headers, including a per-request CSP nonce for HTML pages.

Every HTTP response gets the headers the Mozilla HTTP Observatory scores: a Content
Security Policy without unsafe sources, ``frame-ancestors``, ``nosniff``, a Referrer
Policy, COOP, CORP and, behind HTTPS, HSTS. Non-HTML responses get a policy that
allows nothing at all (``default-src 'none'``); HTML pages get a strict same-origin
policy whose scripts must carry the request's nonce (see :func:`csp_nonce`). A header
the application set itself is never replaced.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it wraps every request and
every streamed byte.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE_STATE_KEY: Final = "csp_nonce"
NONCE_BYTES: Final = 16
API_PATH_PREFIX: Final = "/api/"
HTML_MEDIA_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})

HSTS_POLICY: Final = "max-age=63072000; includeSubDomains"
API_CACHE_CONTROL: Final = "no-store"
API_CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
CSP_REPORTING_GROUP: Final = "csp"

# Powerful features the web app never uses, and the interest-based ad topics API.
DISABLED_BROWSER_FEATURES: Final = (
    "accelerometer",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)
PERMISSIONS_POLICY: Final = ", ".join(f"{feature}=()" for feature in DISABLED_BROWSER_FEATURES)

BASELINE_HEADERS: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)

# A report URI goes into two header values, one of them a quoted structured-field string.
_SAFE_REPORT_URI = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+=%]+$")


def html_content_security_policy(nonce: str, *, upgrade_insecure_requests: bool) -> str:
    """The policy of an HTML page: same-origin only, scripts only with ``nonce``."""
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    if upgrade_insecure_requests:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def csp_nonce(request_or_scope: HTTPConnection | Scope) -> str:
    """The CSP nonce of this request, to stamp on the ``<script>`` tags of an HTML page."""
    scope = (
        request_or_scope.scope if isinstance(request_or_scope, HTTPConnection) else request_or_scope
    )
    nonce = scope.get("state", {}).get(NONCE_STATE_KEY)
    if not isinstance(nonce, str):
        raise LookupError(
            "this request has no CSP nonce: SecurityHeadersMiddleware is not installed"
        )
    return nonce


def _is_html(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type in HTML_MEDIA_TYPES


class SecurityHeadersMiddleware:
    """Add security headers to every HTTP response, keeping any the application set.

    ``hsts`` turns on ``Strict-Transport-Security`` and ``upgrade-insecure-requests``;
    set it only when the public URL is HTTPS. ``csp_report_uri`` makes browsers report
    policy violations there (through both ``report-uri`` and ``report-to``).
    """

    def __init__(self, app: ASGIApp, *, hsts: bool, csp_report_uri: str | None = None) -> None:
        if csp_report_uri is not None and not _SAFE_REPORT_URI.match(csp_report_uri):
            raise ValueError("csp_report_uri must be a URI without spaces, quotes, ';' or ','")
        self.app = app
        self.hsts = hsts
        self.csp_report_uri = csp_report_uri
        fixed = list(BASELINE_HEADERS)
        if hsts:
            fixed.append(("Strict-Transport-Security", HSTS_POLICY))
        if csp_report_uri is not None:
            fixed.append(("Reporting-Endpoints", f'{CSP_REPORTING_GROUP}="{csp_report_uri}"'))
        self._fixed_headers = tuple(fixed)
        self._report_directives = (
            f"; report-uri {csp_report_uri}; report-to {CSP_REPORTING_GROUP}"
            if csp_report_uri is not None
            else ""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        scope.setdefault("state", {})[NONCE_STATE_KEY] = nonce
        is_api = scope["path"].startswith(API_PATH_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_headers(MutableHeaders(scope=message), nonce=nonce, is_api=is_api)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add_headers(self, headers: MutableHeaders, *, nonce: str, is_api: bool) -> None:
        for name, value in self._fixed_headers:
            headers.setdefault(name, value)
        if _is_html(headers.get("content-type", "")):
            policy = html_content_security_policy(nonce, upgrade_insecure_requests=self.hsts)
        else:
            policy = API_CONTENT_SECURITY_POLICY
        headers.setdefault("Content-Security-Policy", policy + self._report_directives)
        if is_api:
            headers.setdefault("Cache-Control", API_CACHE_CONTROL)
