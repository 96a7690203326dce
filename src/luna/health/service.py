"""Readiness: can this process serve traffic right now?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from luna.db import migrations
from luna.errors import ServiceUnavailable
from luna.settings import Settings


async def check_readiness(*, engine: AsyncEngine, settings: Settings) -> dict[str, str]:
    """Check that the database answers and is migrated to the code's head revision.

    Raises :class:`ServiceUnavailable` naming the failed check.
    """
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrations.current_revisions(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise ServiceUnavailable(
            f"database unreachable: {type(exc).__name__}", check="database"
        ) from exc
    expected = migrations.head_revisions(settings)
    if current != expected:
        raise ServiceUnavailable(
            "database schema is not at the code's revision; run `luna db migrate`",
            check="migrations",
            current=sorted(current),
            expected=sorted(expected),
        )
    return {"database": "ok", "migrations": ",".join(sorted(current))}
