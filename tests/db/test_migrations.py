"""Migrations: up and down cleanly, and agree with the models."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from luna.db import migrations
from luna.db.engine import create_engine
from luna.models import Base
from luna.settings import Settings

pytestmark = pytest.mark.anyio


async def test_models_and_migrations_agree(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        assert await migrations.schema_drift(engine, Base.metadata) == []
    finally:
        await engine.dispose()


async def test_migrations_go_up_down_and_up_again(empty_database_settings: Settings) -> None:
    settings = empty_database_settings
    engine = create_engine(settings)
    try:
        await migrations.upgrade(engine, settings)
        assert await migrations.current_revisions(engine) == migrations.head_revisions(settings)
        await migrations.downgrade(engine, settings, "base")
        assert await migrations.current_revisions(engine) == set()
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables & set(Base.metadata.tables) == set()
        await migrations.upgrade(engine, settings)
        assert await migrations.current_revisions(engine) == migrations.head_revisions(settings)
        assert await migrations.schema_drift(engine, Base.metadata) == []
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(
    settings: Settings, on_postgres: bool
) -> None:
    if on_postgres:
        pytest.skip("SQLite pragmas")
    from sqlalchemy import text

    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (journal, foreign_keys) == ("wal", 1)
    finally:
        await engine.dispose()
