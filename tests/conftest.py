"""Shared fixtures: settings on a private database, the app, an HTTP client.

By default every test gets its own SQLite database (copied from one migrated once).
With ``LUNA_TEST_DATABASE_URL`` set, the tests that use a database or Redis run on a
fresh PostgreSQL database created for the session and emptied after every test; the
others, which would only repeat the default run, are deselected.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from luna.app import create_app
from luna.db import migrations
from luna.db.base import Base
from luna.db.engine import create_engine
from luna.settings import Settings, normalise_database_url

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

pytest_plugins = [
    "tests.accounts",
    "tests.cli_environment",
    "tests.log_secrets",
    "tests.standins.fixtures",
]


# The fixtures through which a test reaches the database or Redis of the run.
_STORE_FIXTURES = frozenset({"migrated_database", "empty_database_settings", "redis_url"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL and Redis (``LUNA_TEST_DATABASE_URL``), run only the tests that reach
    them: a test that uses neither (pure logic, or a process of its own on SQLite) would
    only repeat the default run's result."""
    if not os.environ.get("LUNA_TEST_DATABASE_URL"):
        return
    kept, skipped = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        marked = item.get_closest_marker("postgres") or item.get_closest_marker("redis")
        (kept if fixtures & _STORE_FIXTURES or marked else skipped).append(item)
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_settings(data_dir: Path, database_url: str | None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "log_format": "json",
        "in_process_worker": False,  # tests drive background work themselves
        # Tests make many API requests in a moment; the API limit has tests of its own.
        "api_rate_limit": "100000/minute",
        # Teams start without plan limits, as on a self-hosted install; the entitlement
        # tests (tests/billing) put their teams on the plans they test.
        "default_plan": "enterprise",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def _create_postgres_database(server_url: str) -> str:
    url = make_url(normalise_database_url(server_url))
    name = f"luna_test_{secrets.token_hex(6)}"
    admin = create_engine(make_settings(Path("."), url.render_as_string(hide_password=False)))
    async with admin.connect() as connection:
        await (await connection.execution_options(isolation_level="AUTOCOMMIT")).execute(
            text(f'CREATE DATABASE "{name}"')
        )
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(server_url: str, database_url: str) -> None:
    admin = create_engine(make_settings(Path("."), normalise_database_url(server_url)))
    name = make_url(database_url).database
    async with admin.connect() as connection:
        await (await connection.execution_options(isolation_level="AUTOCOMMIT")).execute(
            text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )
    await admin.dispose()


# Tables whose rows the migrations seed (the plans): emptied and seeded again after
# each test on PostgreSQL, so that a test that edits them leaves nothing behind.
SEEDED_TABLES = ("plans",)
_seed_rows: dict[str, list[dict[str, object]]] = {}


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings)
    await migrations.upgrade(engine, settings)
    async with engine.connect() as connection:
        for name in SEEDED_TABLES:
            table = Base.metadata.tables[name]
            rows = await connection.execute(table.select())
            _seed_rows[name] = [dict(row._mapping) for row in rows]
    await engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the session: a SQLite template file or a PostgreSQL URL."""
    server_url = os.environ.get("LUNA_TEST_DATABASE_URL")
    if server_url:
        database_url = asyncio.run(_create_postgres_database(server_url))
        asyncio.run(_migrate(make_settings(Path("."), database_url)))
        yield database_url
        asyncio.run(_drop_postgres_database(server_url, database_url))
        return
    template = tmp_path_factory.mktemp("template") / "luna.db"
    asyncio.run(_migrate(make_settings(template.parent, f"sqlite:///{template}")))
    yield str(template)


@pytest.fixture
def empty_database_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings on a database of its own with no schema at all."""
    server_url = os.environ.get("LUNA_TEST_DATABASE_URL")
    if not server_url:
        yield make_settings(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
        return
    database_url = asyncio.run(_create_postgres_database(server_url))
    yield make_settings(tmp_path, database_url)
    asyncio.run(_drop_postgres_database(server_url, database_url))


@pytest.fixture
def on_postgres() -> bool:
    return bool(os.environ.get("LUNA_TEST_DATABASE_URL"))


def _redis_overrides() -> dict[str, object]:
    """With LUNA_TEST_REDIS_URL, sessions and rate limits live in Redis, under a namespace
    of the test's own so that tests never share keys."""
    url = os.environ.get("LUNA_TEST_REDIS_URL")
    if not url:
        return {}
    return {"redis_url": url, "redis_namespace": f"t{secrets.token_hex(8)}"}


@pytest.fixture
def settings(tmp_path: Path, migrated_database: str, on_postgres: bool) -> Settings:
    """Settings for one test, on a database holding the migrated, empty schema."""
    if on_postgres:
        settings = make_settings(tmp_path, migrated_database, **_redis_overrides())
        asyncio.run(_empty_tables(settings))  # whatever an earlier test left behind
        return settings
    database = tmp_path / "luna.db"
    shutil.copyfile(migrated_database, database)
    return make_settings(tmp_path, f"sqlite:///{database}", **_redis_overrides())


async def _empty_tables(settings: Settings) -> None:
    engine = create_engine(settings)
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
        for name, rows in _seed_rows.items():
            await connection.execute(Base.metadata.tables[name].insert(), rows)
    await engine.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The application with its lifespan running."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with browser_client(app) as http:
        yield http


def browser_client(app: FastAPI, **options: object) -> httpx.AsyncClient:
    """A client that behaves like Luna's own web app in a browser: same origin, a UA."""
    settings: Settings = app.state.settings
    origin = str(settings.public_url).rstrip("/")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    headers = {"Origin": origin, "User-Agent": "Mozilla/5.0 (test browser)"}
    return httpx.AsyncClient(
        transport=transport,
        base_url=origin,
        headers=headers,
        **options,  # type: ignore[arg-type]
    )
