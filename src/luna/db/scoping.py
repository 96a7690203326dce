"""The one way a tenant-scoped row is loaded by id: within the caller's workspace.

A row of another workspace is answered exactly like a missing one, so ids of other
tenants cannot be probed; an id that no row can have (too long, a NUL byte) is
answered the same way without a query.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.db.base import Base
from luna.errors import NotFound

MAX_ID_LENGTH: Final = 40

ScopedT = TypeVar("ScopedT", bound=Base)


async def get_in_workspace(
    session: AsyncSession,
    model: type[ScopedT],
    *,
    workspace_id: str,
    object_id: str,
    missing: NotFound,
    for_update: bool = False,
) -> ScopedT:
    """The ``model`` row with this id in the workspace, or ``missing``. ``for_update``
    locks the row (PostgreSQL) until the transaction ends and reloads it."""
    if len(object_id) > MAX_ID_LENGTH or "\x00" in object_id:
        raise missing
    columns = cast(Any, model)
    statement = select(model).where(columns.id == object_id, columns.workspace_id == workspace_id)
    if for_update:
        statement = statement.with_for_update()
    found = await session.scalar(statement.execution_options(populate_existing=True))
    if found is None:
        raise missing
    return found
