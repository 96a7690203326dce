"""Schedules and each time they fired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id


class Schedule(TimestampMixin, Base):
    """An agent or a chain run on a fixed input, on a cron expression (in a time zone) or
    once at ``once_at``. ``next_fire_at`` is the next time it is due (None: paused, or a
    one-off that has fired); firing moves it on with a compare-and-set, so each due time
    fires once whatever the number of workers."""

    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("target_type IN ('agent', 'chain')", name="target_type"),
        CheckConstraint("(cron IS NULL) <> (once_at IS NULL)", name="cron_or_once"),
        UniqueConstraint("workspace_id", "name"),
        Index(None, "paused", "next_fire_at"),
        Index(None, "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("sch"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[str] = mapped_column(String(40))
    input: Mapped[str] = mapped_column(Text)
    cron: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    once_at: Mapped[datetime | None]
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    next_fire_at: Mapped[datetime | None]
    last_fired_at: Mapped[datetime | None]
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class ScheduleFire(Base):
    """One time a schedule fired: the due time it stood for, and the run it started (or
    why none started). A due time is stored once, even when two workers fire it."""

    __tablename__ = "schedule_fires"
    __table_args__ = (
        UniqueConstraint("schedule_id", "due_at"),
        Index(None, "schedule_id", "fired_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("sfr"))
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How many due times it stood for: more than one after a time every worker was down.
    covered: Mapped[int] = mapped_column(default=1)
    run_id: Mapped[str | None] = mapped_column(String(40))
    chain_run_id: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
