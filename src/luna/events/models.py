"""The event outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, utcnow
from luna.db.ids import new_id
from luna.observability.tracing import current_traceparent


class DomainEvent(Base):
    """One thing that happened to a subject of a workspace (``run.completed`` of a run),
    with the document consumers are given. ``published_at`` is set once consumers have
    taken it."""

    __tablename__ = "domain_events"
    __table_args__ = (Index(None, "published_at", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("evt"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The trace the change happened in (a run's: its request's), carried to receivers.
    traceparent: Mapped[str | None] = mapped_column(String(64), default=current_traceparent)
    published_at: Mapped[datetime | None]
