"""Maintenance mode: the flag in the database, and the 503 every replica answers with it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from structlog.testing import capture_logs

from luna.db.engine import create_engine, create_session_factory
from luna.errors import ValidationFailed
from luna.security import maintenance
from luna.security.maintenance import (
    BYPASS_HEADER,
    DEFAULT_MESSAGE,
    MAX_MESSAGE_LENGTH,
    MaintenanceMiddleware,
    derive_operator_token,
    get_maintenance,
    maintenance_bypass_token,
    set_maintenance,
)
from luna.settings import Settings
from tests.conftest import TEST_SECRET, make_settings

pytestmark = pytest.mark.anyio

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MESSAGE = "Upgrading the database; back by 13:00 UTC."


class Seconds:
    """A monotonic clock that tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def seconds(app: FastAPI) -> Seconds:
    """The clock of the app's maintenance layer (set before the stack is first built)."""
    assert app.middleware_stack is None, "the middleware stack was built before the test"
    (layer,) = [entry for entry in app.user_middleware if entry.cls is MaintenanceMiddleware]
    clock = Seconds()
    layer.kwargs["clock"] = clock
    return clock


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings)
    yield create_session_factory(engine)
    await engine.dispose()


async def switch(
    factory: async_sessionmaker[AsyncSession], *, enabled: bool, message: str | None = MESSAGE
) -> None:
    async with factory() as session:
        await set_maintenance(session, enabled=enabled, message=message, now=NOON)


# The flag


async def test_the_flag_is_off_until_set(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        state = await get_maintenance(session)
    assert not state.enabled
    assert state.since is None


async def test_turning_on_stores_message_and_start_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await switch(sessions, enabled=True)
    async with sessions() as session:
        state = await get_maintenance(session)
    assert state.enabled
    assert state.message == MESSAGE
    assert state.since == NOON


async def test_a_new_message_keeps_the_start_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await switch(sessions, enabled=True)
    async with sessions() as session:
        later = NOON + timedelta(minutes=30)
        state = await set_maintenance(session, enabled=True, message="Nearly done.", now=later)
    assert state.since == NOON
    assert state.message == "Nearly done."


async def test_turning_off_clears_the_message(sessions: async_sessionmaker[AsyncSession]) -> None:
    await switch(sessions, enabled=True)
    async with sessions() as session:
        later = NOON + timedelta(hours=1)
        await set_maintenance(session, enabled=False, message=None, now=later)
    async with sessions() as session:
        state = await get_maintenance(session)
    assert not state.enabled
    assert state.message == ""
    assert state.since == NOON + timedelta(hours=1)


async def test_no_message_means_the_default_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        state = await set_maintenance(session, enabled=True, message="  ", now=NOON)
    assert state.message == DEFAULT_MESSAGE


async def test_an_overlong_message_is_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        with pytest.raises(ValidationFailed):
            await set_maintenance(
                session, enabled=True, message="x" * (MAX_MESSAGE_LENGTH + 1), now=NOON
            )
        assert not (await get_maintenance(session)).enabled


def test_the_bypass_token_is_an_hmac_of_the_secret_key(settings: Settings) -> None:
    expected = hmac.new(TEST_SECRET.encode(), b"maintenance-bypass", hashlib.sha256).hexdigest()
    assert maintenance_bypass_token(settings) == expected
    assert derive_operator_token(TEST_SECRET, "metrics") != expected
    other = make_settings(Path("."), None, secret_key="another-secret-key-that-is-long-enough-42")
    assert maintenance_bypass_token(other) != expected


# Through the assembled application


async def test_requests_pass_while_the_flag_is_off(
    client: httpx.AsyncClient, seconds: Seconds
) -> None:
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_turning_on_refuses_requests_within_one_refresh(
    app: FastAPI, client: httpx.AsyncClient, seconds: Seconds
) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401
    await switch(app.state.resources.session_factory, enabled=True)
    # Read at most every two seconds: the process still serves from what it knew.
    assert (await client.get("/api/v1/me")).status_code == 401
    seconds.advance(2.0)

    response = await client.get("/api/v1/me")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "120"
    body = response.json()
    assert body["type"] == "urn:luna:problem:maintenance"
    assert body["detail"] == MESSAGE
    assert body["since"] == NOON.isoformat()
    # The refusal comes from inside the stack: it carries the request id and hardening.
    assert body["request_id"] == response.headers["x-request-id"]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["cache-control"] == "no-store"


async def test_turning_off_serves_again_within_one_refresh(
    app: FastAPI, client: httpx.AsyncClient, seconds: Seconds
) -> None:
    await switch(app.state.resources.session_factory, enabled=True)
    assert (await client.get("/api/v1/me")).status_code == 503
    await switch(app.state.resources.session_factory, enabled=False)
    seconds.advance(2.0)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_probes_answer_during_maintenance(
    app: FastAPI, client: httpx.AsyncClient, seconds: Seconds
) -> None:
    await switch(app.state.resources.session_factory, enabled=True)
    assert (await client.get("/api/v1/me")).status_code == 503
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200


async def test_the_bypass_token_lets_operators_through(
    app: FastAPI, client: httpx.AsyncClient, seconds: Seconds
) -> None:
    await switch(app.state.resources.session_factory, enabled=True)
    token = maintenance_bypass_token(app.state.settings)

    passed = await client.get("/api/v1/me", headers={BYPASS_HEADER: token})
    wrong = await client.get("/api/v1/me", headers={BYPASS_HEADER: token[:-1] + "0"})
    empty = await client.get("/api/v1/me", headers={BYPASS_HEADER: ""})

    assert passed.status_code == 401  # the API itself answered
    assert wrong.status_code == 503
    assert empty.status_code == 503


async def test_browsers_get_a_maintenance_page(
    app: FastAPI, client: httpx.AsyncClient, seconds: Seconds
) -> None:
    await switch(
        app.state.resources.session_factory, enabled=True, message="Back soon <b>really</b>."
    )

    response = await client.get("/app/agents", headers={"Accept": "text/html,*/*;q=0.8"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["retry-after"] == "120"
    page = response.text
    assert "Back soon &lt;b&gt;really&lt;/b&gt;." in page
    assert "<script" not in page and "<style" not in page and "style=" not in page
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


async def test_a_form_post_from_a_browser_gets_the_problem(
    app: FastAPI, client: httpx.AsyncClient, seconds: Seconds
) -> None:
    await switch(app.state.resources.session_factory, enabled=True)
    response = await client.post("/api/v1/auth/login", json={}, headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


# The middleware on its own


class CountingSessions:
    """A session factory that counts the sessions it opens."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self.opened = 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self.factory()


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def guarded(
    sessions: Callable[[], AsyncSession], clock: Seconds, refresh_seconds: float = 2.0
) -> MaintenanceMiddleware:
    return MaintenanceMiddleware(
        Starlette(routes=[Route("/work", ok)]),
        session_factory=sessions,
        bypass_token="operator-token",
        refresh_seconds=refresh_seconds,
        clock=clock,
    )


async def test_concurrent_requests_share_one_read(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    counting, clock = CountingSessions(sessions), Seconds()
    transport = httpx.ASGITransport(app=guarded(counting, clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://luna") as http:
        responses = await asyncio.gather(*(http.get("/work") for _ in range(20)))
        assert [r.status_code for r in responses] == [200] * 20
        assert counting.opened == 1
        await switch(sessions, enabled=True)
        clock.advance(1.9)
        assert (await http.get("/work")).status_code == 200
        clock.advance(0.1)
        assert (await http.get("/work")).status_code == 503
    assert counting.opened == 2


async def test_requests_queued_behind_a_read_use_its_result(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    counting = CountingSessions(sessions)
    transport = httpx.ASGITransport(app=guarded(counting, Seconds(), refresh_seconds=0))
    async with httpx.AsyncClient(transport=transport, base_url="http://luna") as http:
        await asyncio.gather(*(http.get("/work") for _ in range(20)))
        assert counting.opened == 1
        await http.get("/work")  # no interval: the next request reads again
    assert counting.opened == 2


async def test_an_unreadable_flag_keeps_the_last_known_state(
    sessions: async_sessionmaker[AsyncSession], empty_database_settings: Settings
) -> None:
    clock = Seconds()
    middleware = guarded(sessions, clock)
    await switch(sessions, enabled=True)
    broken_engine = create_engine(empty_database_settings)  # no system_flags table
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://luna") as http:
        assert (await http.get("/work")).status_code == 503
        middleware.session_factory = create_session_factory(broken_engine)
        clock.advance(2.0)
        with capture_logs() as logs:
            assert (await http.get("/work")).status_code == 503
    await broken_engine.dispose()
    assert any(entry["event"].startswith("maintenance flag unreadable") for entry in logs)


class HangingSession:
    """A session whose database never answers."""

    async def __aenter__(self) -> AsyncSession:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def test_a_hanging_database_does_not_hang_requests(
    monkeypatch: pytest.MonkeyPatch, sessions: async_sessionmaker[AsyncSession]
) -> None:
    monkeypatch.setattr(maintenance, "READ_TIMEOUT_SECONDS", 0.05)
    clock = Seconds()
    middleware = guarded(sessions, clock)
    await switch(sessions, enabled=True)
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://luna") as http:
        assert (await http.get("/work")).status_code == 503
        middleware.session_factory = HangingSession  # type: ignore[assignment]
        clock.advance(2.0)
        with capture_logs() as logs:
            response = await asyncio.wait_for(http.get("/work"), timeout=5)
    assert response.status_code == 503
    assert any(entry["event"].startswith("maintenance flag unreadable") for entry in logs)


def test_a_negative_refresh_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="refresh_seconds"):
        MaintenanceMiddleware(
            Starlette(), session_factory=AsyncSession, bypass_token="t", refresh_seconds=-1
        )
