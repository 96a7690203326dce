"""The workspace's kill switch: engaged, it stops every chain run and run under way and
refuses new ones (:mod:`luna.budgets.halt`) until an admin lifts it. Both are audited.

Engaging stores the switch first and then cancels, so a run created while the switch
was being engaged either sees it (and is refused) or is among those cancelled; a run
that slipped between the two is cancelled by its worker before it starts
(:func:`luna.runs.lifecycle.claim_run_slot`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.chains.models import CHAIN_RUN_FINISHED, ChainRun
from luna.chains.runs import cancel_chain_run
from luna.errors import Conflict, NotFound
from luna.identity.api_keys import Actor
from luna.jobs.client import WorkflowClient
from luna.runs.dispatch import RunDispatcher, do_cancel_run
from luna.runs.models import FINISHED, Run
from luna.tenancy.models import Workspace


@dataclass(frozen=True)
class KillSwitch:
    """The switch as it stands, and what an engagement stopped."""

    halted_at: datetime | None
    halted_by_user_id: str | None
    reason: str | None
    runs_cancelled: int = 0
    chain_runs_cancelled: int = 0


async def kill_switch_of(session: AsyncSession, workspace_id: str) -> KillSwitch:
    workspace = await session.get(Workspace, workspace_id, populate_existing=True)
    if workspace is None:
        raise NotFound(f"No workspace {workspace_id}.")
    return KillSwitch(
        workspace.runs_halted_at, workspace.runs_halted_by_user_id, workspace.runs_halted_reason
    )


async def engage(
    *,
    session: AsyncSession,
    dispatcher: RunDispatcher,
    workflows: WorkflowClient,
    workspace_id: str,
    reason: str,
    actor: Actor,
    now: datetime,
    lease_seconds: float,
) -> KillSwitch:
    """Engage the switch (kept as first engaged when it already is) and stop every chain
    run and run of the workspace that has not finished."""
    moved = await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id, Workspace.runs_halted_at.is_(None))
        .values(runs_halted_at=now, runs_halted_by_user_id=actor.user_id, runs_halted_reason=reason)
    )
    if getattr(moved, "rowcount", 0):
        actor.record(
            session,
            action="runs.halted",
            target_type="workspace",
            target_id=workspace_id,
            data={"reason": reason},
        )
    await session.commit()
    chain_runs = list(
        await session.scalars(
            select(ChainRun.id).where(
                ChainRun.workspace_id == workspace_id,
                ChainRun.status.not_in(CHAIN_RUN_FINISHED),
            )
        )
    )
    for chain_run_id in chain_runs:
        with contextlib.suppress(Conflict):  # it finished meanwhile
            await cancel_chain_run(
                session=session,
                workflows=workflows,
                dispatcher=dispatcher,
                workspace_id=workspace_id,
                chain_run_id=chain_run_id,
                now=now,
                lease_seconds=lease_seconds,
            )
    runs = list(
        await session.scalars(
            select(Run.id).where(Run.workspace_id == workspace_id, Run.status.not_in(FINISHED))
        )
    )
    for run_id in runs:
        with contextlib.suppress(Conflict):
            await do_cancel_run(
                dispatcher=dispatcher,
                session=session,
                workspace_id=workspace_id,
                run_id=run_id,
                now=now,
                lease_seconds=lease_seconds,
            )
    switch = await kill_switch_of(session, workspace_id)
    return KillSwitch(
        switch.halted_at,
        switch.halted_by_user_id,
        switch.reason,
        runs_cancelled=len(runs),
        chain_runs_cancelled=len(chain_runs),
    )


async def lift(*, session: AsyncSession, workspace_id: str, actor: Actor) -> KillSwitch:
    """Lift the switch: runs may start again (the stopped ones stay cancelled)."""
    moved = await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id, Workspace.runs_halted_at.is_not(None))
        .values(runs_halted_at=None, runs_halted_by_user_id=None, runs_halted_reason=None)
    )
    if getattr(moved, "rowcount", 0):
        actor.record(
            session, action="runs.resumed", target_type="workspace", target_id=workspace_id
        )
    await session.commit()
    return await kill_switch_of(session, workspace_id)
