"""Runs of agents and the ordered steps each run records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, utcnow
from luna.db.ids import new_id
from luna.observability.tracing import current_traceparent


class RunStatus(StrEnum):
    """Where a run is in its life; :mod:`luna.runs.lifecycle` holds the legal moves."""

    QUEUED = "queued"
    RUNNING = "running"
    WAITING_APPROVAL = "waiting_approval"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A finished run never changes again; an active one holds (or waits for) a worker; a
# settled one needs nothing more from a worker until someone acts (a stream may end).
FINISHED: Final = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED})
ACTIVE: Final = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})
SETTLED: Final = FINISHED | {RunStatus.WAITING_APPROVAL}
RUN_STATUSES = ", ".join(f"'{status}'" for status in RunStatus)
STEP_KINDS = (
    "'model_request', 'thinking', 'text', 'tool_call', 'tool_result', 'approval', 'final', 'error'"
)
Money = Numeric(18, 8)


class Run(Base):
    """One execution of an agent version. A chain run owns its node runs (``parent_run_id``)."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(f"status IN ({RUN_STATUSES})", name="status"),
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index(None, "workspace_id", "id"),
        Index(None, "workspace_id", "agent_id", "id"),
        Index(None, "status", "id"),
        Index(None, "workspace_id", "thread_id", "id"),
        Index(None, "workspace_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("run"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    agent_version_id: Mapped[str] = mapped_column(
        ForeignKey("agent_versions.id", ondelete="CASCADE"), index=True
    )
    parent_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(24), default="queued")
    # The worker executing the run (its job engine identity), for cancels and recovery.
    executor_id: Mapped[str | None] = mapped_column(String(100))
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    output: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    api_key_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    step_count: Mapped[int] = mapped_column(default=0)
    # Demo and test data never mixes into usage or billing.
    demo: Mapped[bool] = mapped_column(default=False)
    provider_id: Mapped[str | None] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(200))
    # An unsaved definition the run used in place of its agent version's (playground drafts).
    draft_definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Follow-up runs of one conversation share a thread (the first run's id).
    thread_id: Mapped[str | None] = mapped_column(String(40))
    # The model messages so far (Pydantic AI's JSON form): what a follow-up run or a run
    # resumed after approvals continues from.
    messages: Mapped[list[Any] | None] = mapped_column(JSON)
    cancel_requested_at: Mapped[datetime | None]
    # A run answered from the agent's response cache: the run whose answer it reused, and
    # what that answer cost then (this run cost nothing), for the usage report's savings.
    cached_from_run_id: Mapped[str | None] = mapped_column(String(40))
    # A counterfactual replay: this run's tools answer with the results recorded in that
    # run, and none executes again.
    counterfactual_of_run_id: Mapped[str | None] = mapped_column(String(40))
    # The eval run this run answers a case of: kept out of the usage a customer pays for
    # unless the operator counts evaluations (``LUNA_BILL_EVALUATION_RUNS``).
    eval_run_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # The chain run this run is a node of: a run budget holds the chain run as a whole.
    chain_run_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # The agent environment the run asked for (``agt_...@production``), if any: a traffic
    # split's runs are compared by the version each ran.
    environment: Mapped[str | None] = mapped_column(String(40))
    # The W3C trace context of the request that made the run: its worker continues it.
    traceparent: Mapped[str | None] = mapped_column(String(64), default=current_traceparent)
    saved_tokens_in: Mapped[int] = mapped_column(default=0, server_default="0")
    saved_tokens_out: Mapped[int] = mapped_column(default=0, server_default="0")
    saved_cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0), server_default="0")


class RunStep(Base):
    """One recorded event of a run, in order. ``sequence`` is unique per run, so a step
    written again on recovery is stored once."""

    __tablename__ = "run_steps"
    __table_args__ = (
        CheckConstraint(f"kind IN ({STEP_KINDS})", name="kind"),
        UniqueConstraint("run_id", "sequence"),
        UniqueConstraint("run_id", "key"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("stp"))
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int]
    # What the step records, stable across a recovered run's replay (``req:2``,
    # ``req:2/part:0``, ``tool:call_abc``): a step written again is stored once.
    key: Mapped[str] = mapped_column(String(120))
    parent_step_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="done")
    name: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    latency_ms: Mapped[float | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    confidence: Mapped[float | None]


class RunApproval(Base):
    """A tool call that waits for a member's decision before the run goes on."""

    __tablename__ = "run_approvals"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        UniqueConstraint("run_id", "tool_call_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("apr"))
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    tool_call_id: Mapped[str] = mapped_column(String(200))
    tool_name: Mapped[str] = mapped_column(String(200))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(String(1000))
    decided_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
