"""The states of a run and the only writes that move it between them.

``queued`` → ``running`` → ``succeeded`` | ``failed`` | ``cancelled``, or
``waiting_approval`` until a member decides the tool calls it paused on (then
``queued`` again). :data:`TRANSITIONS` is the whole state machine; :func:`transition`
is the one writer of ``Run.status``: a compare-and-set on the states the target may be
reached from, so a late writer (a recovered attempt, a cancel racing the end) loses
cleanly and a finished run never changes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic_ai import DeferredToolRequests, DeferredToolResults, ToolDenied
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.db.base import utcnow
from luna.events.outbox import record_event
from luna.observability.metrics import RUNS_STARTED
from luna.plans.service import plan_of_team
from luna.providers.build import ResolvedModel
from luna.runs.models import FINISHED, Run, RunApproval, RunStatus, RunStep
from luna.runs.recorder import OUTPUT_TOOL_NAME
from luna.runs.runtime import RunRuntime
from luna.runs.steps import StepRecord, StepWriter
from luna.tenancy.models import Team, Workspace
from luna.tenancy.service import lock_team

QUEUED, RUNNING, WAITING = RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WAITING_APPROVAL
SUCCEEDED, FAILED, CANCELLED = RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED

# Each state and the states a run may move to from it. ``running`` → ``running`` is a
# worker taking over a run whose worker is gone; finished states lead nowhere.
TRANSITIONS: Final[Mapping[RunStatus, frozenset[RunStatus]]] = {
    QUEUED: frozenset({RUNNING, FAILED, CANCELLED}),
    RUNNING: frozenset({RUNNING, WAITING, SUCCEEDED, FAILED, CANCELLED}),
    WAITING: frozenset({QUEUED, FAILED, CANCELLED}),
    SUCCEEDED: frozenset(),
    FAILED: frozenset(),
    CANCELLED: frozenset(),
}


def sources_of(target: RunStatus) -> frozenset[RunStatus]:
    """The states a run may reach ``target`` from."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


# The states other systems hear about (outbound webhooks), and the event each records.
EVENT_TYPES: Final[Mapping[RunStatus, str]] = {
    SUCCEEDED: "run.completed",
    FAILED: "run.failed",
    CANCELLED: "run.cancelled",
    WAITING: "run.awaiting_approval",
}


async def transition(session: AsyncSession, run_id: str, *, to: RunStatus, **values: Any) -> bool:
    """Move the run to ``to`` (writing ``values`` with it) if its current state allows;
    ``False`` when it does not (the run moved on meanwhile). A move to a state other
    systems hear about records its event in the same transaction. The caller commits."""
    moved = (
        await session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status.in_(sources_of(to)))
            .values(status=to, **values)
            .returning(Run.workspace_id, Run.agent_id, Run.parent_run_id, Run.error)
        )
    ).first()
    if moved is None:
        return False
    if (event_type := EVENT_TYPES.get(to)) is not None:
        workspace_id, agent_id, parent_run_id, error = moved
        now = values.get("finished_at") or utcnow()
        record_event(
            session,
            workspace_id=workspace_id,
            type=event_type,
            subject_id=run_id,
            data={
                "run_id": run_id,
                "agent_id": agent_id,
                "parent_run_id": parent_run_id,
                "status": str(to),
                "error": error,
                "occurred_at": now.isoformat(),
            },
            now=now,
        )
    return True


HALTED_ERROR: Final = {
    "code": "runs-halted",
    "message": "The workspace's kill switch stopped this run.",
}


async def claim_run_slot(runtime: RunRuntime, run: Run, resolved: ResolvedModel) -> bool:
    """Move a queued run to running if its team's plan has a run slot free (its
    ``concurrent_runs``); ``False`` when every slot is taken and the run stays queued, or
    when the run was cancelled meanwhile (it never starts). While the workspace's kill
    switch is engaged, the run ends cancelled instead.

    The team's row is locked while the running runs are counted and this one is marked,
    so two runs of one team never take its last slot together, whichever worker runs
    them.
    """
    now = runtime.clock()
    async with runtime.session_factory() as session:
        found = (
            await session.execute(
                select(Team, Workspace.runs_halted_at)
                .join(Workspace, Workspace.team_id == Team.id)
                .where(Workspace.id == run.workspace_id)
            )
        ).first()
        team, halted_at = found if found is not None else (None, None)
        if halted_at is not None:  # the kill switch: it must not start
            await transition(
                session,
                run.id,
                to=RunStatus.CANCELLED,
                cancel_requested_at=now,
                finished_at=now,
                error=HALTED_ERROR,
            )
            await session.commit()
            return False
        if team is not None:
            await lock_team(session, team.id)
            limit = (await plan_of_team(session=session, team=team)).concurrent_runs
            if limit is not None and await _running_in_team(session, team.id, run.id) >= limit:
                await session.rollback()
                return False
        moved = await transition(
            session,
            run.id,
            to=RUNNING,
            started_at=run.started_at or now,
            provider_id=resolved.provider_id,
            model=resolved.model_name,
            executor_id=runtime.executor_id,
        )
        await session.commit()
    if not moved:  # cancelled while it waited: it must not start
        return False
    RUNS_STARTED.labels(resolved.kind, resolved.model_name).inc()
    await runtime.bus.publish(run.id, {"type": "status", "status": "running"})
    return True


async def _running_in_team(session: AsyncSession, team_id: str, other_than: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Run)
        .join(Workspace, Workspace.id == Run.workspace_id)
        .where(Workspace.team_id == team_id, Run.status == RUNNING, Run.id != other_than)
    )
    return int(count or 0)


async def finish(
    runtime: RunRuntime,
    run: Run,
    status: RunStatus,
    *,
    output: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    messages: list[Any] | None = None,
) -> str:
    """End a run (or pause it for approvals) unless it has already finished; returns the
    status it ends with."""
    values: dict[str, Any] = {"output": output, "error": error}
    if messages is not None:
        values["messages"] = messages
    if status in FINISHED:
        values["finished_at"] = runtime.clock()
    async with runtime.session_factory() as session:
        moved = await transition(session, run.id, to=status, **values)
        await session.commit()
        final: str = status
        if not moved:
            final = await session.scalar(select(Run.status).where(Run.id == run.id)) or status
    await runtime.bus.publish(run.id, {"type": "status", "status": final})
    return final


async def cancel_requested(runtime: RunRuntime, run_id: str) -> bool:
    """Whether someone asked to cancel the run."""
    async with runtime.session_factory() as session:
        requested = await session.scalar(select(Run.cancel_requested_at).where(Run.id == run_id))
    return requested is not None


async def thread_history(runtime: RunRuntime, run: Run) -> list[Any]:
    """The messages of the conversation a follow-up run continues (empty for a new one)."""
    if run.thread_id is None or run.thread_id == run.id:
        return []
    async with runtime.session_factory() as session:
        messages = await session.scalar(
            select(Run.messages)
            .where(
                Run.workspace_id == run.workspace_id,
                Run.thread_id == run.thread_id,
                Run.id != run.id,
                Run.status == SUCCEEDED,
                Run.created_at <= run.created_at,
            )
            .order_by(Run.created_at.desc(), Run.id.desc())
            .limit(1)
        )
    return list(messages or [])


async def record_approvals(
    runtime: RunRuntime, writer: StepWriter, run: Run, requests: DeferredToolRequests
) -> None:
    """Store one pending approval (and its step) per tool call the run paused on."""
    now = runtime.clock()
    calls = [call for call in requests.approvals if call.tool_name != OUTPUT_TOOL_NAME]
    async with runtime.session_factory() as session:
        known = set(
            await session.scalars(
                select(RunApproval.tool_call_id).where(RunApproval.run_id == run.id)
            )
        )
        call_keys = await tool_call_keys(session, run.id)
        for call in calls:
            if call.tool_call_id not in known:
                session.add(
                    RunApproval(
                        run_id=run.id,
                        workspace_id=run.workspace_id,
                        tool_call_id=call.tool_call_id,
                        tool_name=call.tool_name,
                        arguments=call.args_as_dict(),
                        created_at=now,
                    )
                )
        await session.commit()
    await writer.write_all(
        [
            StepRecord(
                key=approval_key(call.tool_call_id),
                kind="approval",
                status="pending",
                name=call.tool_name,
                # Hung from the call it decides, not from whatever request came last.
                parent_key=call_keys.get(call.tool_call_id),
                started_at=now,
                content={"tool_call_id": call.tool_call_id, "arguments": call.args_as_dict()},
            )
            for call in calls
        ]
    )


def approval_key(tool_call_id: str) -> str:
    """The key of the step of a tool call waiting for a member's decision."""
    return f"approval:{tool_call_id}"


def decision_key(tool_call_id: str) -> str:
    """The key of the step recording the decision on a paused tool call."""
    return f"{approval_key(tool_call_id)}/decision"


async def tool_call_keys(session: AsyncSession, run_id: str) -> dict[str, str]:
    """The step key of each tool call of the run, by the call's id."""
    keys = await session.scalars(
        select(RunStep.key).where(RunStep.run_id == run_id, RunStep.kind == "tool_call")
    )
    return {key.rsplit("/call:", 1)[1]: key for key in keys if "/call:" in key}


@dataclass(frozen=True)
class Resumption:
    """Where a resumed segment's steps hang: each decided call's tool result from its
    decision, and the segment's first model request from the request that paused."""

    decisions: dict[str, str]
    continues_from: str | None


async def resumption(runtime: RunRuntime, run_id: str, decided: list[str]) -> Resumption:
    """The resumption of a run after the decisions on the calls ``decided``."""
    async with runtime.session_factory() as session:
        keys = await tool_call_keys(session, run_id)
    paused_from = [keys[call].rsplit("/call:", 1)[0] for call in decided if call in keys]
    return Resumption(
        decisions={call: decision_key(call) for call in decided},
        continues_from=paused_from[-1] if paused_from else None,
    )


async def approval_decisions(runtime: RunRuntime, run_id: str) -> DeferredToolResults:
    """The members' decisions on the tool calls a run paused on, for its resumption."""
    async with runtime.session_factory() as session:
        decided = await session.scalars(
            select(RunApproval).where(RunApproval.run_id == run_id, RunApproval.status != "pending")
        )
        approvals: dict[str, bool | ToolDenied] = {
            approval.tool_call_id: True
            if approval.status == "approved"
            else ToolDenied(approval.reason or "A member of the workspace rejected this call.")
            for approval in decided
        }
    return DeferredToolResults(approvals=dict(approvals))


async def resume_segment(session: AsyncSession, run_id: str) -> int:
    """Which resumption of the run is next: the number of tool calls decided so far."""
    count = await session.scalar(
        select(func.count())
        .select_from(RunApproval)
        .where(RunApproval.run_id == run_id, RunApproval.status != "pending")
    )
    return int(count or 0)


def decision_step(approval: RunApproval) -> StepRecord:
    """The step recording a member's decision on a paused tool call."""
    approved = approval.status == "approved"
    return StepRecord(
        key=decision_key(approval.tool_call_id),
        kind="approval",
        status="done" if approved else "error",
        name=approval.tool_name,
        parent_key=approval_key(approval.tool_call_id),
        started_at=approval.decided_at or approval.created_at,
        content={
            "tool_call_id": approval.tool_call_id,
            "approved": approved,
            "reason": approval.reason,
            "decided_by_user_id": approval.decided_by_user_id,
        },
    )
