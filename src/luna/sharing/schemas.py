"""Request and response shapes of share links, and of the run a link shows.

What a public route answers is built here, from stored rows, with :func:`redact`
applied to everything the run recorded; the rows themselves are never changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from luna.db.pagination import Page
from luna.runs.models import Run, RunStep
from luna.runs.schemas import GraphEdge, RunError, RunStatus, StepOut, latency_ms
from luna.schemas import Money, RequestModel
from luna.security.redaction import redact, redact_text
from luna.sharing.models import RunShare


class ShareCreate(RequestModel):
    """A new public link to the run. Without ``expires_in_days`` it works until revoked."""

    model_config = ConfigDict(extra="forbid")

    expires_in_days: int | None = Field(
        None, ge=1, le=365, description="The link stops working this many days from now."
    )


class ShareOut(BaseModel):
    """A public link to a run's replay. Its token is shown once, when it is created."""

    id: str
    run_id: str
    created_by_user_id: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_viewed_at: datetime | None
    view_count: int = Field(description="How many times the shared run was opened.")
    active: bool = Field(description="Whether the link works now: not revoked, not expired.")

    @classmethod
    def of(cls, share: RunShare, *, now: datetime) -> ShareOut:
        """The API shape of a stored link."""
        return cls(
            id=share.id,
            run_id=share.run_id,
            created_by_user_id=share.created_by_user_id,
            created_at=share.created_at,
            expires_at=share.expires_at,
            revoked_at=share.revoked_at,
            last_viewed_at=share.last_viewed_at,
            view_count=share.view_count,
            active=is_active(share, now=now),
        )


def is_active(share: RunShare, *, now: datetime) -> bool:
    """Whether a link works at ``now``: not revoked and not expired."""
    return share.revoked_at is None and (share.expires_at is None or share.expires_at > now)


class ShareCreated(ShareOut):
    """A link just created, with its address: the only time the token is shown."""

    url: str = Field(description="The public address of the shared run; keep it safe.")
    token: str = Field(description="The secret part of `url`.")


class SharedRunOut(BaseModel):
    """A shared run as anyone with its link sees it: no workspace, agent, provider or
    user ids, and its input, output and error with secrets redacted."""

    id: str
    agent_name: str
    status: RunStatus
    input: Any
    output: dict[str, Any] | None
    error: RunError | None
    model: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    step_count: int
    tokens_in: int
    tokens_out: int
    cost_usd: Money = Field(description="The run's cost in US dollars.")
    latency_ms: float | None = Field(description="From start to finish.")
    shared_until: datetime | None = Field(description="When the link stops working, if ever.")

    @classmethod
    def of(cls, run: Run, *, agent_name: str, shared_until: datetime | None) -> SharedRunOut:
        """The redacted public shape of a stored run."""
        return cls(
            id=run.id,
            agent_name=agent_name,
            status=run.status,
            input=redact(run.input.get("value")),
            output=redact(run.output),
            error=RunError.model_validate(redact(run.error)) if run.error else None,
            model=run.model,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            step_count=run.step_count,
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            cost_usd=run.cost_usd,
            latency_ms=latency_ms(run),
            shared_until=shared_until,
        )


def shared_step(step: RunStep) -> StepOut:
    """A step in the members' shape, with its name and content redacted."""
    public = StepOut.of(step)
    return public.model_copy(
        update={
            "name": None if public.name is None else redact_text(public.name),
            "content": redact(public.content),
        }
    )


class SharedRunGraph(BaseModel):
    """A shared run as nodes (its redacted steps) and edges, like the members' graph."""

    run: SharedRunOut
    nodes: list[StepOut]
    edges: list[GraphEdge]


class SharePage(Page[ShareOut]):
    """The run's share links, all on one page (`next_cursor` is null)."""
