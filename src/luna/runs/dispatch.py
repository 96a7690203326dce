"""What follows a run's committed change: queue it, tell its watchers, record steps.

The run actions (``do_*``) commit their change through :mod:`luna.runs.service` and then
hand it to a :class:`RunDispatcher`, the one way a run leaves its transaction for the
queue, the bus and the step writer. Routes call the actions; they neither commit nor
dispatch. A dispatch that fails after the commit loses nothing: a run that could not be
queued is queued by the worker's sweep (:mod:`luna.runs.sweep`), and watchers also poll.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.cache import TwoLevelCache
from luna.observability.logging import get_logger
from luna.runs import service
from luna.runs.bus import RunBus
from luna.runs.lifecycle import decision_step
from luna.runs.models import Run, RunApproval, RunStatus
from luna.runs.queue import RunQueue
from luna.runs.schemas import ApprovalDecisions, CounterfactualCreate, RunCreate
from luna.runs.steps import StepWriter
from luna.security.crypto import Keyring

log = get_logger(__name__)


class RunDispatcher:
    """The queue, the bus and the step writer of this process, behind one object."""

    def __init__(
        self,
        *,
        queue: RunQueue,
        bus: RunBus,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> None:
        self.queue = queue
        self.bus = bus
        self.session_factory = session_factory

    async def enqueue(self, run: Run, segment: int = 0) -> None:
        """Queue the run (or its resumption); a failure is left to the sweep."""
        try:
            await self.queue.enqueue(run_id=run.id, workspace_id=run.workspace_id, segment=segment)
        except Exception as error:  # noqa: BLE001  (the worker's sweep enqueues it later)
            log.error("run not enqueued; the next sweep will", run_id=run.id, error=repr(error))

    async def cancelled(self, run: Run) -> None:
        """Tell the run's worker to stop; a run that ended at once also leaves the queue."""
        await self.bus.publish(run.id, {"type": "cancel"})
        if run.status == RunStatus.CANCELLED:
            await self.bus.publish(run.id, {"type": "status", "status": "cancelled"})
            with contextlib.suppress(Exception):  # not queued, or already gone
                await self.queue.cancel(run.id)

    async def decided(self, run: Run, approvals: Iterable[RunApproval]) -> None:
        """Record each decision as a step of the run, for its watchers and its graph."""
        writer = StepWriter(
            session_factory=self.session_factory,
            bus=self.bus,
            run_id=run.id,
            workspace_id=run.workspace_id,
        )
        for approval in approvals:
            await writer.write(decision_step(approval))


async def do_create_run(
    *,
    dispatcher: RunDispatcher,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    agent_id: str,
    request: RunCreate,
    idempotency_key: str | None,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
    definitions: TwoLevelCache | None = None,
    mcp_stdio_allowed: bool = True,
) -> tuple[Run, bool]:
    """Create the run (or find the one its idempotency key made) and queue a new one."""
    run, created = await service.create_run(
        session=session,
        keyring=keyring,
        workspace_id=workspace_id,
        agent_id=agent_id,
        request=request,
        idempotency_key=idempotency_key,
        user_id=user_id,
        api_key_id=api_key_id,
        now=now,
        definitions=definitions,
        mcp_stdio_allowed=mcp_stdio_allowed,
    )
    if created and run.status == RunStatus.QUEUED:  # a cached answer has finished already
        await dispatcher.enqueue(run)
    return run, created


async def do_create_counterfactual(
    *,
    dispatcher: RunDispatcher,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    run_id: str,
    request: CounterfactualCreate,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
    mcp_stdio_allowed: bool = True,
) -> Run:
    """Store a counterfactual replay of the run and queue it."""
    run = await service.create_counterfactual(
        session=session,
        keyring=keyring,
        workspace_id=workspace_id,
        run_id=run_id,
        request=request,
        user_id=user_id,
        api_key_id=api_key_id,
        now=now,
        mcp_stdio_allowed=mcp_stdio_allowed,
    )
    await dispatcher.enqueue(run)
    return run


async def do_cancel_run(
    *,
    dispatcher: RunDispatcher,
    session: AsyncSession,
    workspace_id: str,
    run_id: str,
    now: datetime,
    lease_seconds: float,
) -> Run:
    """Cancel the run, then stop its worker and take it off the queue."""
    run = await service.cancel_run(
        session=session,
        workspace_id=workspace_id,
        run_id=run_id,
        now=now,
        lease_seconds=lease_seconds,
    )
    await dispatcher.cancelled(run)
    return run


async def do_decide_approvals(
    *,
    dispatcher: RunDispatcher,
    session: AsyncSession,
    workspace_id: str,
    run_id: str,
    decisions: ApprovalDecisions,
    user_id: str | None,
    now: datetime,
) -> Run:
    """Record the decisions; once none is pending, queue the run's resumption."""
    run, decided, segment = await service.decide_approvals(
        session=session,
        workspace_id=workspace_id,
        run_id=run_id,
        decisions=decisions,
        user_id=user_id,
        now=now,
    )
    await dispatcher.decided(run, decided)
    if segment is not None:
        await dispatcher.enqueue(run, segment)
    await session.refresh(run)
    return run
