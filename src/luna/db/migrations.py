"""Alembic, driven from code: upgrade, downgrade, inspect and check for drift.

The migration scripts live in ``migrations/`` at the project root (shipped inside the
wheel as ``luna/_migrations``). The same functions back ``luna db ...``, start-up
migration on SQLite, ``/readyz`` and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from luna.db.base import Base
from luna.settings import Settings

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def migrations_directory() -> Path:
    """Where the Alembic scripts are, installed or in a source checkout."""
    for candidate in (_PACKAGE_ROOT / "_migrations", _PACKAGE_ROOT.parents[1] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the migrations directory is missing from this installation")


def alembic_config(settings: Settings) -> Config:
    """An Alembic configuration for Luna's scripts and the configured database."""
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["settings"] = settings
    return config


def head_revisions(settings: Settings) -> set[str]:
    """The revisions the code expects the database to be at."""
    return set(_heads(str(migrations_directory())))


@cache
def _heads(script_location: str) -> tuple[str, ...]:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("path_separator", "os")
    return tuple(ScriptDirectory.from_config(config).get_heads())


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at (empty for a new database)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def _run(engine: AsyncEngine, settings: Settings, action: Any, *args: Any) -> None:
    config = alembic_config(settings)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        action(config, *args)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def upgrade(engine: AsyncEngine, settings: Settings, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    await _run(engine, settings, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, settings: Settings, revision: str) -> None:
    """Revert migrations down to ``revision`` (``base`` empties the schema)."""
    await _run(engine, settings, command.downgrade, revision)


async def make_revision(
    engine: AsyncEngine, settings: Settings, message: str, *, autogenerate: bool
) -> None:
    """Write a new migration script, comparing the models with the database if asked."""

    def revision(config: Config, text: str) -> None:
        known = list(ScriptDirectory.from_config(config).walk_revisions())
        command.revision(
            config, message=text, autogenerate=autogenerate, rev_id=f"{len(known) + 1:04d}"
        )

    await _run(engine, settings, revision, message)


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Whether schema comparisons look at a database object: not at those that migrations
    build and the models deliberately leave out (``Base.metadata.info["unmodelled"]``,
    such as the full-text search index of each database)."""
    return name not in Base.metadata.info.get("unmodelled", ())


def _drift(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": True, "include_name": include_name},
    )
    return list(compare_metadata(context, metadata))


async def schema_drift(engine: AsyncEngine, metadata: MetaData) -> list[Any]:
    """Differences between the tables of ``metadata`` (the whole registry: see
    :mod:`luna.models`) and the migrated database; empty when they agree."""
    async with engine.connect() as connection:
        return await connection.run_sync(_drift, metadata)
