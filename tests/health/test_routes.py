"""Liveness and readiness probes."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from luna import __version__
from luna.app import create_app
from luna.db import migrations
from luna.db.engine import create_engine
from luna.settings import Settings
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio


async def test_healthz_answers_while_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


async def test_readyz_is_ready_on_a_migrated_database(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    heads = ",".join(sorted(migrations.head_revisions(settings)))
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": heads}}


async def _serve(settings: Settings) -> tuple[int, dict[str, object]]:
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
    assert response.headers["content-type"] == "application/problem+json"
    return response.status_code, response.json()


async def test_readyz_refuses_an_unmigrated_database(empty_database_settings: Settings) -> None:
    status, body = await _serve(empty_database_settings)
    assert status == 503
    assert body["check"] == "migrations"
    assert body["current"] == []
    assert "luna db migrate" in body["detail"]


async def test_readyz_refuses_a_database_behind_the_code(settings: Settings) -> None:
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    try:
        status, body = await _serve(settings)
    finally:
        heads = sorted(migrations.head_revisions(settings))
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": heads[0]}
            )
        await engine.dispose()
    assert status == 503
    assert body["current"] == ["old"]


async def test_readyz_reports_an_unreachable_database(tmp_path) -> None:
    settings = make_settings(tmp_path, "postgresql://nobody@127.0.0.1:1/luna")
    status, body = await _serve(settings)
    assert status == 503
    assert body["check"] == "database"
