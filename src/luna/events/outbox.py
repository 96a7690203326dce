"""Recording events in the caller's transaction, and reading those not yet published."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.events.models import DomainEvent


def record_event(
    session: AsyncSession,
    *,
    workspace_id: str,
    type: str,
    subject_id: str,
    data: dict[str, Any],
    now: datetime,
) -> DomainEvent:
    """Add an event to the outbox; it is stored when the caller commits, with its change."""
    event = DomainEvent(
        workspace_id=workspace_id, type=type, subject_id=subject_id, data=data, occurred_at=now
    )
    session.add(event)
    return event


async def unpublished(session: AsyncSession, *, limit: int) -> Sequence[DomainEvent]:
    """The oldest events no consumer has taken yet."""
    rows = await session.scalars(
        select(DomainEvent)
        .where(DomainEvent.published_at.is_(None))
        .order_by(DomainEvent.occurred_at, DomainEvent.id)
        .limit(limit)
    )
    return rows.all()
