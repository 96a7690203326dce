"""Rows with an immutable history: an owner (an agent, a chain) points at its current
version, and every change adds version N+1 instead of editing one.

:class:`VersionHistory` holds what every such owner does alike: add the next version and
point the owner at it, load the current one or one by number, refuse a change based on a
stale version, and turn a unique constraint broken by a concurrent request into a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from luna.db.ids import new_id
from luna.db.writes import touch
from luna.errors import Conflict, LunaError, NotFound


class Owner(Protocol):
    """A row whose versions are kept: it has an id, a workspace and a current version."""

    id: str
    workspace_id: str
    current_version_id: str | None
    updated_at: datetime


class Version(Protocol):
    """One immutable version: its number, in its owner's workspace."""

    id: str
    number: int
    workspace_id: str


OwnerT = TypeVar("OwnerT", bound=Owner)
VersionT = TypeVar("VersionT", bound=Version)


@dataclass(frozen=True)
class VersionHistory(Generic[OwnerT, VersionT]):
    """The versions of one kind of owner: ``model`` is the version's class, ``owner_id``
    its column naming the owner, ``prefix`` the prefix of its ids, ``noun`` the owner's
    name in messages ("agent")."""

    model: type[VersionT]
    owner_id: InstrumentedAttribute[str]
    prefix: str
    noun: str

    async def add(
        self,
        session: AsyncSession,
        owner: OwnerT,
        definition: dict[str, Any],
        user_id: str | None,
        now: datetime,
        *,
        after: VersionT | None = None,
    ) -> VersionT:
        """Store the version after ``after`` (or version 1) and make it the current one."""
        make: Any = self.model
        version: VersionT = make(
            id=new_id(self.prefix),
            workspace_id=owner.workspace_id,
            number=1 if after is None else after.number + 1,
            definition=definition,
            created_by_user_id=user_id,
            created_at=now,
            **{self.owner_id.key: owner.id},
        )
        session.add(version)
        await session.flush()
        owner.current_version_id = version.id
        touch(owner, now)
        await session.flush()
        return version

    async def current(self, session: AsyncSession, owner: OwnerT) -> VersionT:
        """The owner's current version (every owner is created with its version 1)."""
        version = await session.get(self.model, owner.current_version_id or "")
        if version is None:
            raise LunaError(f"The {self.noun} {owner.id} has no current version.")
        return version

    async def numbered(self, session: AsyncSession, owner: OwnerT, number: int) -> VersionT | None:
        """Version ``number`` of the owner, or None."""
        model: Any = self.model
        found: VersionT | None = await session.scalar(
            select(self.model).where(
                self.owner_id == owner.id,
                model.workspace_id == owner.workspace_id,
                model.number == number,
            )
        )
        return found

    async def get(self, session: AsyncSession, owner: OwnerT, number: int) -> VersionT:
        """Version ``number`` of the owner; NotFound when it has none."""
        version = await self.numbered(session, owner, number)
        if version is None:
            raise NotFound(f"The {self.noun} {owner.id} has no version {number}.")
        return version

    def of_owner(self, owner_id: str, workspace_id: str) -> ColumnElement[bool]:
        """The condition that selects an owner's versions."""
        model: Any = self.model
        condition: ColumnElement[bool] = (self.owner_id == owner_id) & (
            model.workspace_id == workspace_id
        )
        return condition

    def check_expected(self, current: VersionT, *expected: int | None) -> None:
        """Refuse a change based on another version than the current one."""
        for number in expected:
            if number is not None and number != current.number:
                raise Conflict(
                    f"The {self.noun} is at version {current.number}, not {number}: someone "
                    "changed it since you loaded it. Reload it and apply your change again.",
                    current_version=current.number,
                )

    def concurrent_change(self) -> Conflict:
        return Conflict(f"The {self.noun} changed while this request ran; reload it and try again.")


async def free_name(
    session: AsyncSession, column: InstrumentedAttribute[str], scope: ColumnElement[bool], base: str
) -> str:
    """``base``, or ``base (2)``, ``base (3)``... whichever no row within ``scope`` has."""
    taken = set(
        await session.scalars(select(column).where(scope, column.startswith(base, autoescape=True)))
    )
    name, number = base, 2
    while name in taken:
        name, number = f"{base} ({number})", number + 1
    return name
