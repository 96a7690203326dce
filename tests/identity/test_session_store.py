"""Sessions live in Redis when it is configured, shared by every API replica."""

from __future__ import annotations

import os

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import func, select

from luna.app import create_app
from luna.identity.models import UserSession
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio


async def count_rows(app: FastAPI) -> int:
    async with app.state.resources.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(UserSession)) or 0)


async def test_sessions_are_rows_without_redis(app: FastAPI, sign_up, settings: Settings) -> None:
    if settings.redis_url is not None:
        pytest.skip("this run keeps sessions in Redis; the Redis test below covers it")
    await sign_up()
    assert await count_rows(app) == 1


async def test_sessions_live_in_redis_and_work_on_another_replica(settings: Settings) -> None:
    url = os.environ.get("LUNA_TEST_REDIS_URL")
    if not url:
        pytest.skip("LUNA_TEST_REDIS_URL is not set (CI sets it)")
    assert settings.redis_url is not None
    first, second = create_app(settings), create_app(settings)
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        async with browser_client(first) as browser:
            signed = await browser.post(
                "/api/v1/auth/signup",
                json={"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "A"},
            )
            assert signed.status_code == 201
            cookies = browser.cookies
        assert await count_rows(first) == 0  # nothing in the database
        redis = Redis.from_url(url)
        try:
            keys = await redis.keys(f"{settings.redis_namespace}:session:*")
            assert len(keys) == 1
        finally:
            await redis.aclose()
        async with browser_client(second, cookies=cookies) as replica:
            assert (await replica.get("/api/v1/me")).status_code == 200
            assert (await replica.post("/api/v1/auth/logout")).status_code == 204
        async with browser_client(first, cookies=cookies) as again:
            assert (await again.get("/api/v1/me")).status_code == 401
