"""Small helpers every domain's writes share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from luna.errors import Conflict


def touch(row: Any, now: datetime) -> None:
    """Set ``updated_at`` to the clock's time, written even when it equals the stored one
    (otherwise the column's own onupdate would put the wall-clock time there)."""
    row.updated_at = now
    flag_modified(row, "updated_at")


@asynccontextmanager
async def conflicts_as(session: AsyncSession, conflict: Conflict) -> AsyncIterator[None]:
    """Turn a unique constraint broken by a concurrent request into ``conflict``."""
    try:
        yield
    except IntegrityError:
        await session.rollback()
        raise conflict from None
