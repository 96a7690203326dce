"""Luna's Prometheus metrics, in a registry of their own, and ``GET /metrics``.

Metrics live in :data:`REGISTRY`, not in prometheus-client's global default registry,
so that what ``/metrics`` exposes is exactly what Luna defines (and tests can read it).

The scrape is for operators only. It is served to clients on the loopback interface
(a Prometheus agent or sidecar on the same host) and to callers that present
``Authorization: Bearer <metrics token>``, the token being derived from the secret key
(see :func:`metrics_token`). A request relayed by a proxy (``Forwarded`` or
``X-Forwarded-For`` present) does not count as local, since a proxy on the same host
makes every visitor look like loopback.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Final

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.datastructures import Headers
from starlette.types import Scope

from luna.errors import Unauthenticated
from luna.security.maintenance import operator_token
from luna.settings import Settings

METRICS_TOKEN_PURPOSE: Final = "metrics"  # noqa: S105  (a label, not a secret)
PROXY_HEADERS: Final = ("forwarded", "x-forwarded-for")

REGISTRY: Final = CollectorRegistry()
"""Every Luna metric; what ``GET /metrics`` exposes."""

CACHE_LABELS: Final = ("namespace", "level")
CACHE_HITS: Final = Counter(
    "luna_cache_hits",
    "Cache lookups answered from a level of the cache.",
    CACHE_LABELS,
    registry=REGISTRY,
)
CACHE_MISSES: Final = Counter(
    "luna_cache_misses",
    "Cache lookups a level of the cache could not answer.",
    CACHE_LABELS,
    registry=REGISTRY,
)
CACHE_EVICTIONS: Final = Counter(
    "luna_cache_evictions",
    "Entries dropped from a level of the cache to make room for new ones.",
    CACHE_LABELS,
    registry=REGISTRY,
)

# Requests, by the route's template (never the path itself: ids would make a series
# each) and the answer's status.
REQUEST_SECONDS: Final = Histogram(
    "luna_http_request_duration_seconds",
    "Time to answer an HTTP request, to the end of its body.",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
RATE_LIMIT_REFUSALS: Final = Counter(
    "luna_rate_limit_refusals",
    "Requests refused with 429 for being over their rate limit.",
    registry=REGISTRY,
)
# Runs, by how they ended and the kind of provider and model they ran on.
RUNS_STARTED: Final = Counter(
    "luna_runs_started",
    "Runs that took a run slot and started.",
    ("provider", "model"),
    registry=REGISTRY,
)
RUNS_FINISHED: Final = Counter(
    "luna_runs_finished",
    "Runs that ended (or paused for approvals), by status.",
    ("status", "provider", "model"),
    registry=REGISTRY,
)
MODEL_REQUEST_SECONDS: Final = Histogram(
    "luna_model_request_duration_seconds",
    "Time a model took to answer a request of a run, streaming included.",
    ("provider", "model"),
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
STEP_SECONDS: Final = Histogram(
    "luna_step_duration_seconds",
    "How long runs' steps took, by kind (model_request: the model's answer; tool_result: "
    "the tool's execution), for the steps that have a start and an end.",
    ("kind",),
    buckets=(0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
    registry=REGISTRY,
)
MODEL_TOKENS: Final = Counter(
    "luna_model_tokens",
    "Tokens of runs' model requests, in (prompt) and out (answer).",
    ("direction", "provider", "model"),
    registry=REGISTRY,
)
QUEUED_RUNS: Final = Gauge(
    "luna_runs_queued",
    "Runs waiting to start, as the last queue sweep of this process counted them.",
    registry=REGISTRY,
)
OLDEST_QUEUED_RUN_SECONDS: Final = Gauge(
    "luna_runs_oldest_queued_age_seconds",
    "How long the oldest queued run has waited, at the last queue sweep (0: none).",
    registry=REGISTRY,
)
WEBHOOK_ATTEMPTS: Final = Counter(
    "luna_webhook_attempts",
    "Webhook delivery attempts, by outcome: delivered, failed (the receiver's answer or "
    "no answer).",
    ("outcome",),
    registry=REGISTRY,
)


def metrics_token(settings: Settings) -> str:
    """The bearer token that lets a remote Prometheus scrape ``/metrics``."""
    return operator_token(settings, METRICS_TOKEN_PURPOSE)


def is_local_request(scope: Scope) -> bool:
    """Whether the request comes straight from the loopback interface, not via a proxy."""
    host = (scope.get("client") or ("", 0))[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    headers = Headers(scope=scope)
    return address.is_loopback and not any(name in headers for name in PROXY_HEADERS)


def has_metrics_token(scope: Scope, settings: Settings) -> bool:
    """Whether the request carries ``Authorization: Bearer <metrics token>``."""
    scheme, _, offered = Headers(scope=scope).get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not offered.strip():
        return False
    expected = metrics_token(settings).encode()
    return hmac.compare_digest(offered.strip().encode(), expected)


router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/metrics", operation_id="metrics-scrape")
async def scrape_metrics(request: Request) -> Response:
    """Luna's metrics in the Prometheus text format, for local or token-holding scrapers."""
    # The settings come from the application state rather than ``luna.deps``: this module
    # is imported by low-level code (the cache), which must not depend on the auth layer.
    settings: Settings = request.app.state.settings
    if not (is_local_request(request.scope) or has_metrics_token(request.scope, settings)):
        raise Unauthenticated(
            "Metrics are served to local scrapers and to holders of the metrics token.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(
        generate_latest(REGISTRY),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
