"""The assembled middleware stack: every response, refusals included, is hardened."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import HttpUrl

from luna.app import create_app
from luna.security.headers import PERMISSIONS_POLICY
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD

pytestmark = pytest.mark.anyio

HARDENING_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
    "x-request-id",
)


def assert_hardened(response: httpx.Response) -> None:
    for header in HARDENING_HEADERS:
        assert header in response.headers, (response.status_code, header)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    if response.request.url.path.startswith("/api/"):
        assert response.headers["cache-control"] == "no-store"


async def test_every_kind_of_response_carries_the_headers(client: httpx.AsyncClient) -> None:
    responses = [
        await client.get("/healthz"),
        await client.get("/api/v1/nothing-here"),
        await client.get("/api/v1/me"),
        await client.post(
            "/api/v1/auth/signup", content=b"{", headers={"content-type": "application/json"}
        ),
        await client.post("/api/v1/teams", json={}, headers={"Origin": "https://evil.example"}),
        await client.post(
            "/api/v1/auth/login",
            content=b"x" * (1_048_576 + 1),
            headers={"content-type": "application/json"},
        ),
    ]
    assert [r.status_code for r in responses] == [200, 404, 401, 400, 403, 413]
    for response in responses:
        assert_hardened(response)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"


async def test_hsts_only_over_https(client: httpx.AsyncClient) -> None:
    assert "strict-transport-security" not in (await client.get("/healthz")).headers


async def test_login_is_limited_per_client(client: httpx.AsyncClient) -> None:
    credentials = {"email": "nobody@example.com", "password": STRONG_PASSWORD}
    statuses = [
        (await client.post("/api/v1/auth/login", json=credentials)).status_code for _ in range(10)
    ]
    assert statuses == [401] * 10
    limited = await client.post("/api/v1/auth/login", json=credentials)
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-remaining"] == "0"
    assert_hardened(limited)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("LUNA_TEST_REDIS_URL")
    if not url:
        pytest.skip("LUNA_TEST_REDIS_URL is not set (CI sets it)")
    return url


async def test_two_api_processes_share_one_login_budget(settings: Settings, redis_url: str) -> None:
    """Two app instances on one Redis, as two replicas behind a load balancer."""
    shared = settings.model_dump() | {"redis_url": redis_url}
    first, second = (create_app(Settings.model_validate(shared)) for _ in range(2))
    credentials = {"email": f"{secrets.token_hex(4)}@example.com", "password": STRONG_PASSWORD}
    client_address = ("198.51.100." + str(secrets.randbelow(250) + 1), 4000)
    statuses = []
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        for attempt in range(11):
            app = first if attempt % 2 == 0 else second
            transport = httpx.ASGITransport(app=app, client=client_address)
            async with httpx.AsyncClient(
                transport=transport, base_url=str(settings.public_url).rstrip("/")
            ) as http:
                response = await http.post("/api/v1/auth/login", json=credentials)
                statuses.append(response.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


@pytest.fixture
async def https_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The application as deployed behind HTTPS."""
    deployed = create_app(
        settings.model_copy(update={"public_url": HttpUrl("https://luna.example.com")})
    )
    async with deployed.router.lifespan_context(deployed):
        yield deployed


@pytest.mark.parametrize(
    ("path", "status", "html"),
    [("/", 200, True), ("/api/v1/plans", 200, False), ("/api/v1/nothing-here", 404, False)],
)
async def test_the_landing_page_an_api_route_and_a_404_carry_every_header(
    https_app: FastAPI, path: str, status: int, html: bool
) -> None:
    transport = httpx.ASGITransport(app=https_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://luna.example.com") as http:
        response = await http.get(path)

    assert response.status_code == status
    headers = response.headers
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["permissions-policy"] == PERMISSIONS_POLICY
    directives = headers["content-security-policy"].split(";")
    policy = {name: value for name, _, value in (d.strip().partition(" ") for d in directives)}
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    if html:
        assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_\-]{20,}'", policy["script-src"])
        assert "unsafe" not in headers["content-security-policy"]
    else:
        assert policy["default-src"] == "'none'"
        assert "script-src" not in policy
        assert headers["cache-control"] == "no-store"
