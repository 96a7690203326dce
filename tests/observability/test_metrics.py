"""``GET /metrics``: Luna's registry in the Prometheus format, for operators only."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from luna.cache import TwoLevelCache
from luna.db.base import utcnow
from luna.observability.metrics import metrics_token
from luna.observability.metrics import router as metrics_router
from luna.security.maintenance import maintenance_bypass_token, set_maintenance
from luna.settings import Settings
from tests.conftest import TEST_SECRET, browser_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def metrics_app(app: FastAPI) -> FastAPI:
    """The application with the metrics router included, as the app owner will."""
    app.include_router(metrics_router)
    return app


@pytest.fixture
async def local(metrics_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A scraper on the same host (loopback)."""
    transport = httpx.ASGITransport(app=metrics_app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


@pytest.fixture
async def remote(metrics_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client elsewhere on the network."""
    async with browser_client(metrics_app) as http:
        yield http


async def test_local_scrapers_get_the_cache_counters(local: httpx.AsyncClient) -> None:
    namespace = f"metrics-{secrets.token_hex(4)}"
    cache = TwoLevelCache(namespace=namespace, ttl_seconds=60, max_entries=10, redis_url=None)
    await cache.set("key", "value")
    await cache.get("key")

    response = await local.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    assert f'luna_cache_hits_total{{level="local",namespace="{namespace}"}} 1.0' in response.text
    assert "python_gc_objects_collected_total" not in response.text  # not the global registry


async def test_remote_callers_need_the_metrics_token(
    remote: httpx.AsyncClient, settings: Settings
) -> None:
    refused = await remote.get("/metrics")
    wrong = await remote.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    bypass = maintenance_bypass_token(settings)
    other_token = await remote.get("/metrics", headers={"Authorization": f"Bearer {bypass}"})
    allowed = await remote.get(
        "/metrics", headers={"Authorization": f"Bearer {metrics_token(settings)}"}
    )

    assert [r.status_code for r in (refused, wrong, other_token)] == [401, 401, 401]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert allowed.status_code == 200
    assert "# TYPE luna_cache_hits_total counter" in allowed.text


async def test_a_request_relayed_by_a_local_proxy_is_not_local(local: httpx.AsyncClient) -> None:
    for header in ("X-Forwarded-For", "Forwarded"):
        response = await local.get("/metrics", headers={header: "for=198.51.100.4"})
        assert response.status_code == 401, header


def test_the_metrics_token_is_an_hmac_of_the_secret_key(settings: Settings) -> None:
    expected = hmac.new(TEST_SECRET.encode(), b"metrics", hashlib.sha256).hexdigest()
    assert metrics_token(settings) == expected


async def test_metrics_keep_flowing_during_maintenance(
    metrics_app: FastAPI, local: httpx.AsyncClient
) -> None:
    async with metrics_app.state.resources.session_factory() as session:
        await set_maintenance(session, enabled=True, message=None, now=utcnow())
    assert (await local.get("/api/v1/me")).status_code == 503
    assert (await local.get("/metrics")).status_code == 200
