"""Evaluation suites, their cases, and eval runs with one target per version compared
and one result per case and target."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id
from luna.runs.models import Money


class EvalRunStatus(StrEnum):
    """Where an eval run is: waiting for a worker, running its cases, or ended."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


EVAL_RUN_FINISHED: Final = frozenset(
    {EvalRunStatus.SUCCEEDED, EvalRunStatus.FAILED, EvalRunStatus.CANCELLED}
)


class ResultStatus(StrEnum):
    """One case on one target: its run not ended yet, or how it was judged (``errored``:
    the run did not succeed, so there was no answer to judge)."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    ERRORED = "errored"


def _check(column: str, values: type[StrEnum]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


class EvalSuite(TimestampMixin, Base):
    """An agent's dataset of cases. Its revision grows with every change to its cases;
    an eval run keeps the revision and the cases it ran, so results stay comparable."""

    __tablename__ = "eval_suites"
    __table_args__ = (
        UniqueConstraint("agent_id", "name"),
        Index(None, "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("evs"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    revision: Mapped[int] = mapped_column(default=1)
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class EvalCase(TimestampMixin, Base):
    """One case: the input, and the checks its answer is held to (``checks``, a
    :class:`luna.evals.schemas.CaseChecks` as JSON)."""

    __tablename__ = "eval_cases"
    __table_args__ = (Index(None, "suite_id", "position", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("evc"))
    suite_id: Mapped[str] = mapped_column(ForeignKey("eval_suites.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    input: Mapped[str] = mapped_column(Text)
    checks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_run_id: Mapped[str | None] = mapped_column(String(40))


class EvalRun(Base):
    """A suite run against one version or draft, or two side by side. ``cases`` holds the
    cases as they were when it started."""

    __tablename__ = "eval_runs"
    __table_args__ = (
        CheckConstraint(_check("status", EvalRunStatus), name="status"),
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index(None, "workspace_id", "created_at", "id"),
        Index(None, "suite_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("evr"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    suite_id: Mapped[str] = mapped_column(ForeignKey("eval_suites.id", ondelete="CASCADE"))
    suite_revision: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=EvalRunStatus.QUEUED)
    cases: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    judge: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    billable: Mapped[bool] = mapped_column(default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    api_key_id: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class EvalTarget(Base):
    """One side of an eval run: a version (or a draft) and its aggregate once judged."""

    __tablename__ = "eval_run_targets"

    eval_run_id: Mapped[str] = mapped_column(
        ForeignKey("eval_runs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(80))
    agent_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("agent_versions.id", ondelete="CASCADE"), index=True
    )
    draft_definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cases_done: Mapped[int] = mapped_column(default=0)
    cases_passed: Mapped[int] = mapped_column(default=0)
    pass_rate: Mapped[float | None]
    mean_score: Mapped[float | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    mean_latency_ms: Mapped[float | None]
    mean_confidence: Mapped[float | None]


class EvalResult(Base):
    """One case on one target: its run, and each check's verdict (``checks``: a list of
    ``{name, kind, value, reason}``)."""

    __tablename__ = "eval_results"
    __table_args__ = (
        UniqueConstraint("eval_run_id", "target", "case_id"),
        CheckConstraint(_check("status", ResultStatus), name="status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("evx"))
    eval_run_id: Mapped[str] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    target: Mapped[int]
    case_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    run_id: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ResultStatus.PENDING)
    score: Mapped[float | None]
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    output: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    latency_ms: Mapped[float | None]
    confidence: Mapped[float | None]
