"""Alembic environment: runs on the connection Luna hands it, or on the configured URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import luna.models
from luna.db.base import Base
from luna.db.engine import create_engine
from luna.db.migrations import include_name
from luna.settings import load_settings

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine() -> None:
    settings = config.attributes.get("settings") or load_settings()
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; use `luna db migrate`")

existing = config.attributes.get("connection")
if existing is not None:
    run_on(existing)
else:
    asyncio.run(run_with_own_engine())
