"""Agents and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id


class Agent(TimestampMixin, Base):
    """A workspace's agent. What it does lives in its versions; this row points at the
    current one and holds what may change without a new version (name, state, tags)."""

    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint("status IN ('active', 'archived')", name="status"),
        Index(None, "workspace_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("agt"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    template_slug: Mapped[str | None] = mapped_column(String(40))
    current_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("agent_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class AgentVersion(Base):
    """One immutable definition of an agent: instructions, model, tools, shapes."""

    __tablename__ = "agent_versions"
    __table_args__ = (UniqueConstraint("agent_id", "number"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("agv"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentEnvironment(Base):
    """A named pointer of an agent at one of its versions (``production``, ``staging``,
    or the workspace's own): runs may ask for ``agt_...@production``. It remembers the
    version it pointed at before its last change, for a roll back in one step."""

    __tablename__ = "agent_environments"
    __table_args__ = (UniqueConstraint("agent_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("env"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    version_id: Mapped[str] = mapped_column(ForeignKey("agent_versions.id", ondelete="CASCADE"))
    previous_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("agent_versions.id", ondelete="SET NULL")
    )
    # The release gate: a version comes here only with a finished eval run of this suite
    # whose pass rate is at least the current version's on it (and this floor, if set).
    gate_suite_id: Mapped[str | None] = mapped_column(
        ForeignKey("eval_suites.id", ondelete="SET NULL")
    )
    gate_min_pass_rate: Mapped[float | None]
    # A traffic split: this share of the runs that ask for the environment (0-100) runs
    # the split version instead, for an A/B comparison.
    split_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("agent_versions.id", ondelete="SET NULL")
    )
    split_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the split began (its arms are compared over the runs since).
    split_started_at: Mapped[datetime | None]
    updated_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
