"""Rate limits: sign-in budgets per address, API budgets per caller, a moving window."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import limits.aio.storage.memory
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Scope
from structlog.testing import capture_logs

from luna.errors import ServiceUnavailable
from luna.security.limits import parse_limit
from luna.security.rate_limit import (
    RateLimiter,
    RateLimitMiddleware,
    RateLimitRule,
    client_ip_key,
    default_caller_key,
    default_rules,
)

pytestmark = pytest.mark.anyio

LOGIN = "/api/v1/auth/login"
AGENTS = "/api/v1/agents"
RATE_LIMIT_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
UNREACHABLE_REDIS = "async+redis://127.0.0.1:1"


class Backend:
    """A small app behind the middleware that counts the requests reaching it."""

    def __init__(self) -> None:
        self.calls = 0
        self.app = Starlette(
            routes=[
                Route(LOGIN, self.ok, methods=["GET", "POST"]),
                Route(AGENTS, self.ok),
                Route("/healthz", self.ok),
                Route("/readyz", self.ok),
                Route("/public", self.ok),
            ]
        )

    async def ok(self, request: Request) -> PlainTextResponse:
        self.calls += 1
        return PlainTextResponse("ok", headers={"X-Backend": "yes"})


class FakeClock:
    """A wall clock that only moves when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
async def limiter() -> AsyncIterator[RateLimiter]:
    async with RateLimiter("async+memory://") as memory_limiter:
        yield memory_limiter


@pytest.fixture
def backend() -> Backend:
    return Backend()


def limited(
    backend: Backend,
    limiter: RateLimiter,
    *,
    default_limit: str | None = "100/minute",
    default_prefixes: tuple[str, ...] = ("/api/",),
) -> ASGIApp:
    return RateLimitMiddleware(
        backend.app,
        limiter=limiter,
        rules=default_rules(),
        default_limit=default_limit,
        default_prefixes=default_prefixes,
    )


def client_from(app: ASGIApp, ip: str = "1.2.3.4") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 123))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def scope_with(headers: dict[str, str], client: tuple[str, int] | None = ("1.2.3.4", 1)) -> Scope:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": "GET", "path": "/", "headers": raw, "client": client}


async def test_the_eleventh_login_in_a_minute_is_refused(
    backend: Backend, limiter: RateLimiter
) -> None:
    async with client_from(limited(backend, limiter)) as http:
        for _ in range(10):
            assert (await http.post(LOGIN)).status_code == 200
        refused = await http.post(LOGIN)

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    retry_after = refused.headers["retry-after"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= 60
    assert refused.headers["ratelimit-limit"] == "10"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-reset"] == retry_after
    assert refused.headers["ratelimit-policy"] == "10;w=60"
    body = refused.json()
    assert body["type"] == "urn:luna:problem:rate-limited"
    assert body["status"] == 429
    assert body["limit"] == 10
    assert body["retry_after"] == int(retry_after)
    assert body["instance"] == LOGIN
    assert backend.calls == 10


async def test_another_address_keeps_its_own_login_budget(
    backend: Backend, limiter: RateLimiter
) -> None:
    app = limited(backend, limiter)
    async with client_from(app, "1.2.3.4") as first, client_from(app, "5.6.7.8") as second:
        for _ in range(11):
            await first.post(LOGIN)
        assert (await first.post(LOGIN)).status_code == 429
        response = await second.post(LOGIN)
    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"] == "9"


async def test_the_login_budget_is_per_address_whatever_the_token(
    backend: Backend, limiter: RateLimiter
) -> None:
    async with client_from(limited(backend, limiter)) as http:
        for _ in range(10):
            response = await http.post(LOGIN, headers=bearer(secrets.token_urlsafe()))
            assert response.status_code == 200
        refused = await http.post(LOGIN, headers=bearer(secrets.token_urlsafe()))
    assert refused.status_code == 429


async def test_sign_in_rules_limit_posts_only(backend: Backend, limiter: RateLimiter) -> None:
    async with client_from(limited(backend, limiter, default_limit=None)) as http:
        for _ in range(12):
            response = await http.get(LOGIN)
            assert response.status_code == 200
            assert "ratelimit-limit" not in response.headers


async def test_the_default_api_limit_is_per_bearer_token(
    backend: Backend, limiter: RateLimiter
) -> None:
    async with client_from(limited(backend, limiter, default_limit="3/minute")) as http:
        for _ in range(3):
            assert (await http.get(AGENTS, headers=bearer("token-a"))).status_code == 200
        assert (await http.get(AGENTS, headers=bearer("token-a"))).status_code == 429
        other = await http.get(AGENTS, headers=bearer("token-b"))
    assert other.status_code == 200
    assert other.headers["ratelimit-remaining"] == "2"


async def test_the_default_api_limit_is_per_session_cookie(
    backend: Backend, limiter: RateLimiter
) -> None:
    app = limited(backend, limiter, default_limit="2/minute")
    async with client_from(app) as http:
        for _ in range(2):
            await http.get(AGENTS, headers={"Cookie": "__Host-luna_session=one"})
        spent = await http.get(AGENTS, headers={"Cookie": "__Host-luna_session=one"})
        other = await http.get(AGENTS, headers={"Cookie": "__Host-luna_session=two"})
    assert spent.status_code == 429
    assert other.status_code == 200


async def test_successful_responses_count_down(backend: Backend, limiter: RateLimiter) -> None:
    async with client_from(limited(backend, limiter, default_limit="3/minute")) as http:
        responses = [await http.get(AGENTS) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0"]
    for response in responses:
        assert response.headers["x-backend"] == "yes"
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-policy"] == "3;w=60"
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
        assert "retry-after" not in response.headers


async def test_the_window_moves_and_frees_the_oldest_hit(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(1_700_000_000.0)
    # The in-memory storage stamps hits with ``time.time()`` of its own module.
    monkeypatch.setattr(limits.aio.storage.memory, "time", clock)
    async with RateLimiter("async+memory://", clock=clock.time) as limiter:
        app = limited(backend, limiter, default_limit="3/minute")
        async with client_from(app) as http:
            statuses = []
            for offset in (0, 20, 40):
                clock.now = 1_700_000_000.0 + offset
                statuses.append((await http.get(AGENTS)).status_code)
            clock.now = 1_700_000_050.0
            early = await http.get(AGENTS)
            clock.now = 1_700_000_060.5
            freed = await http.get(AGENTS)
            clock.now = 1_700_000_061.0
            refused_again = await http.get(AGENTS)

    assert statuses == [200, 200, 200]
    assert early.status_code == 429
    assert early.headers["retry-after"] == "10"
    assert freed.status_code == 200
    assert freed.headers["ratelimit-remaining"] == "0"
    assert refused_again.status_code == 429
    assert refused_again.headers["retry-after"] == "19"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_are_never_limited(backend: Backend, limiter: RateLimiter, path: str) -> None:
    app = limited(backend, limiter, default_limit="1/minute", default_prefixes=("/",))
    async with client_from(app) as http:
        responses = [await http.get(path) for _ in range(5)]
        limited_elsewhere = [await http.get("/public") for _ in range(2)]
    assert [r.status_code for r in responses] == [200] * 5
    assert not any(name in r.headers for r in responses for name in RATE_LIMIT_HEADERS)
    assert [r.status_code for r in limited_elsewhere] == [200, 429]


async def test_paths_outside_the_limited_prefixes_get_no_headers(
    backend: Backend, limiter: RateLimiter
) -> None:
    async with client_from(limited(backend, limiter, default_limit="1/minute")) as http:
        responses = [await http.get("/public") for _ in range(3)]
    assert [r.status_code for r in responses] == [200] * 3
    assert not any(name in r.headers for r in responses for name in RATE_LIMIT_HEADERS)


async def test_an_unreachable_storage_fails_open_with_a_warning(backend: Backend) -> None:
    async with RateLimiter(UNREACHABLE_REDIS, fail_open=True) as limiter:
        with capture_logs() as logs:
            async with client_from(limited(backend, limiter)) as http:
                responses = [await http.post(LOGIN) for _ in range(12)]
    assert [r.status_code for r in responses] == [200] * 12
    assert not any(name in r.headers for r in responses for name in RATE_LIMIT_HEADERS)
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 12
    assert warnings[0]["rule"] == "auth-login"
    assert backend.calls == 12


async def test_an_unreachable_storage_fails_closed_when_asked(backend: Backend) -> None:
    async with RateLimiter(UNREACHABLE_REDIS, fail_open=False) as limiter:
        with pytest.raises(ServiceUnavailable):
            await limiter.hit("direct", parse_limit("1/minute"), "ip:1.2.3.4")
        async with client_from(limited(backend, limiter)) as http:
            response = await http.post(LOGIN)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:luna:problem:service-unavailable"
    assert backend.calls == 0


@pytest.mark.redis
@pytest.mark.skipif(
    not os.environ.get("LUNA_TEST_REDIS_URL"),
    reason="needs a Redis server: set LUNA_TEST_REDIS_URL (for example redis://127.0.0.1:6379/15)",
)
async def test_replicas_on_one_redis_share_one_budget() -> None:
    storage_uri = "async+" + os.environ["LUNA_TEST_REDIS_URL"]
    key_prefix = f"luna-test-{secrets.token_hex(8)}"
    limit = parse_limit("10/minute")
    # fail_open=False: a Redis that is down must fail this test, not be waved through.
    async with (
        RateLimiter(storage_uri, key_prefix=key_prefix, fail_open=False) as first,
        RateLimiter(storage_uri, key_prefix=key_prefix, fail_open=False) as second,
    ):
        decisions = [
            await (first if index % 2 else second).hit("auth-login", limit, "ip:1.2.3.4")
            for index in range(10)
        ]
        refused_by_first = await first.hit("auth-login", limit, "ip:1.2.3.4")
        refused_by_second = await second.hit("auth-login", limit, "ip:1.2.3.4")
        other_caller = await second.hit("auth-login", limit, "ip:5.6.7.8")

    assert all(decision.allowed and decision.checked for decision in decisions)
    assert [decision.remaining for decision in decisions] == list(range(9, -1, -1))
    assert not refused_by_first.allowed
    assert not refused_by_second.allowed
    assert refused_by_second.reset_after >= 1
    assert other_caller.allowed


async def test_rules_and_callers_never_share_a_budget(limiter: RateLimiter) -> None:
    limit = parse_limit("1/minute")
    assert (await limiter.hit("auth-login", limit, "ip:1.2.3.4")).allowed
    assert not (await limiter.hit("auth-login", limit, "ip:1.2.3.4")).allowed
    assert (await limiter.hit("auth-signup", limit, "ip:1.2.3.4")).allowed
    assert (await limiter.hit("auth-login", limit, "ip:5.6.7.8")).allowed


def test_caller_keys_hash_credentials_and_never_hold_them() -> None:
    token = "lk_live_" + secrets.token_urlsafe(24)
    token_key = default_caller_key(scope_with(bearer(token)))
    session_key = default_caller_key(scope_with({"Cookie": f"luna_session={token}"}))
    assert token_key == "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    assert session_key == "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    assert default_caller_key(scope_with({})) == "ip:1.2.3.4"
    assert default_caller_key(scope_with({"Authorization": "Bearer "})) == "ip:1.2.3.4"


def test_client_ip_keys_group_ipv6_callers_by_network() -> None:
    assert client_ip_key(scope_with({}, ("2001:db8:1:2:3:4:5:6", 1))) == "ip:2001:db8:1:2::/64"
    assert client_ip_key(scope_with({}, ("2001:db8:1:2:ff::1", 1))) == "ip:2001:db8:1:2::/64"
    assert client_ip_key(scope_with({}, ("::ffff:1.2.3.4", 1))) == "ip:1.2.3.4"
    assert client_ip_key(scope_with({}, None)) == "ip:unknown"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "Login", "limit": "1/minute", "path_prefixes": ("/a",)}, "slugs"),
        ({"name": "login", "limit": "ten a minute", "path_prefixes": ("/a",)}, "parse"),
        ({"name": "login", "limit": "1/second;5/minute", "path_prefixes": ("/a",)}, "one rate"),
        ({"name": "login", "limit": "1/minute", "path_prefixes": ()}, "path prefixes"),
        ({"name": "login", "limit": "1/minute", "path_prefixes": ("a",)}, "path prefixes"),
    ],
)
def test_invalid_rules_are_refused_up_front(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RateLimitRule(**arguments)


async def test_duplicate_rule_names_are_refused(backend: Backend, limiter: RateLimiter) -> None:
    rule = RateLimitRule(name="default", limit="1/minute", path_prefixes=("/a",))
    with pytest.raises(ValueError, match="unique"):
        RateLimitMiddleware(backend.app, limiter=limiter, rules=[rule])


def test_unsupported_storage_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        RateLimiter("memcached://127.0.0.1:11211")
