"""Chains and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id
from luna.observability.tracing import current_traceparent
from luna.runs.models import Money


class Chain(TimestampMixin, Base):
    """A workspace's chain. Its graph lives in its versions; this row names it and points
    at the current version."""

    __tablename__ = "chains"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        Index(None, "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("chn"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    preset: Mapped[str | None] = mapped_column(String(40))
    current_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("chain_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class ChainVersion(Base):
    """One immutable graph of a chain: its nodes and edges."""

    __tablename__ = "chain_versions"
    __table_args__ = (UniqueConstraint("chain_id", "number"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("chv"))
    chain_id: Mapped[str] = mapped_column(ForeignKey("chains.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChainRunStatus(StrEnum):
    """Where a chain run is in its life. ``partial``: some nodes failed, others finished."""

    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


class NodeStatus(StrEnum):
    """Where one node of a chain run is."""

    PENDING = "pending"
    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


CHAIN_RUN_FINISHED: Final = frozenset(
    {
        ChainRunStatus.SUCCEEDED,
        ChainRunStatus.PARTIAL,
        ChainRunStatus.FAILED,
        ChainRunStatus.CANCELLED,
    }
)
NODE_FINISHED: Final = frozenset(
    {NodeStatus.SUCCEEDED, NodeStatus.FAILED, NodeStatus.SKIPPED, NodeStatus.CANCELLED}
)


def _listed(values: type[StrEnum]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class ChainRun(Base):
    """One execution of a chain version on an input. Each node that runs is a run of its
    agent (:class:`ChainRunNode` links them); tokens and cost roll up here."""

    __tablename__ = "chain_runs"
    __table_args__ = (
        CheckConstraint(f"status IN ({_listed(ChainRunStatus)})", name="status"),
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index(None, "workspace_id", "created_at", "id"),
        Index(None, "chain_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("crn"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    chain_id: Mapped[str] = mapped_column(ForeignKey("chains.id", ondelete="CASCADE"))
    chain_version_id: Mapped[str] = mapped_column(
        ForeignKey("chain_versions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ChainRunStatus.QUEUED)
    input: Mapped[str] = mapped_column(Text)
    # The answers of the nodes nobody follows: {node id: text}.
    output: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    api_key_id: Mapped[str | None] = mapped_column(String(40))
    # The W3C trace context of the request that started it, which its node runs continue.
    traceparent: Mapped[str | None] = mapped_column(String(64), default=current_traceparent)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    cancel_requested_at: Mapped[datetime | None]
    # The sequence of its newest event: each event takes the next one atomically.
    event_count: Mapped[int] = mapped_column(default=0, server_default="0")


class ChainRunNode(Base):
    """One node of a chain run: its state, and the agent run that executes it."""

    __tablename__ = "chain_run_nodes"
    __table_args__ = (
        CheckConstraint(f"status IN ({_listed(NodeStatus)})", name="status"),
        UniqueConstraint("chain_run_id", "node_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("crd"))
    chain_run_id: Mapped[str] = mapped_column(ForeignKey("chain_runs.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=NodeStatus.PENDING)
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # A node that pauses for approval: who decided, when, and whether it may run.
    approved: Mapped[bool | None]
    decided_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None]


CHAIN_EVENT_TYPES: Final = (
    "chain.started",
    "chain.paused",
    "chain.completed",
    "node.started",
    "node.completed",
    "node.failed",
    "node.skipped",
    "swarm.decided",
)


class ChainRunEvent(Base):
    """One event of a chain run, in order: what its stream sends. ``key`` names what the
    event records (``node.started:review``), so an event written again when a step is
    retried after a crash is stored once."""

    __tablename__ = "chain_run_events"
    __table_args__ = (
        CheckConstraint(
            "type IN (" + ", ".join(f"'{kind}'" for kind in CHAIN_EVENT_TYPES) + ")", name="type"
        ),
        UniqueConstraint("chain_run_id", "sequence"),
        UniqueConstraint("chain_run_id", "key"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("cev"))
    chain_run_id: Mapped[str] = mapped_column(ForeignKey("chain_runs.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int]
    key: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(24))
    node_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
