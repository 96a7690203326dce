"""A chain's runs: start (counted once against the plan), read, list and cancel.

A chain run is a durable workflow of its own (:mod:`luna.chains.execution`), queued
under the chain run's id, so queuing it twice runs it once. Its status moves only
through :func:`transition`, a compare-and-set that never leaves a finished state; a
cancel that lands while the workflow is between nodes wins, and the workflow stops at
its next look.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.budgets.halt import check_runs_allowed
from luna.chains.definition import ChainDefinition
from luna.chains.events import record_event
from luna.chains.models import (
    CHAIN_RUN_FINISHED,
    NODE_FINISHED,
    ChainRun,
    ChainRunNode,
    ChainRunStatus,
    ChainVersion,
    NodeStatus,
)
from luna.chains.schemas import ChainRunCreate
from luna.chains.service import get_chain
from luna.db.base import utcnow
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.errors import Conflict, NotFound
from luna.events import outbox
from luna.jobs.client import WorkflowClient
from luna.jobs.engine import QueueSpec
from luna.observability.logging import get_logger
from luna.plans.entitlements import check_entitlement
from luna.runs.dispatch import RunDispatcher, do_cancel_run
from luna.runs.models import FINISHED as RUN_FINISHED
from luna.runs.models import Run
from luna.runs.sweep import BATCH, QUEUED_FOR
from luna.tenancy.service import team_of_workspace

log = get_logger(__name__)

QUEUE_NAME: Final = "luna-chains"
WORKFLOW_NAME: Final = "luna.chains.execute"
CHAIN_RUN_KEYSET: Final = Keyset({"created_at": ChainRun.created_at}, id_column=ChainRun.id)
# The states other systems hear about (outbound webhooks), and the event each records; a
# partial chain run failed as a whole.
EVENT_TYPES: Final[dict[str, str]] = {
    ChainRunStatus.SUCCEEDED: "chain_run.completed",
    ChainRunStatus.PARTIAL: "chain_run.failed",
    ChainRunStatus.FAILED: "chain_run.failed",
    ChainRunStatus.CANCELLED: "chain_run.cancelled",
    ChainRunStatus.PAUSED: "chain_run.awaiting_approval",
}


def chain_queue_spec() -> QueueSpec:
    """The queue chain runs wait on for a worker; each then starts its nodes' runs."""
    return QueueSpec(name=QUEUE_NAME, polling_interval_seconds=0.1)


async def start_chain_run(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    workspace_id: str,
    chain_id: str,
    request: ChainRunCreate,
    idempotency_key: str | None,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
) -> tuple[ChainRun, bool]:
    """Store a queued run of the chain's current version, counted as one run of the day,
    and queue its workflow; the run and whether it was created now (False: an earlier
    request with the same Idempotency-Key made it)."""
    if idempotency_key is not None:
        earlier = await _by_idempotency_key(session, workspace_id, idempotency_key)
        if earlier is not None:
            return _same_request(earlier, chain_id, request), False
    await check_runs_allowed(session, workspace_id)
    chain, version = await get_chain(session=session, workspace_id=workspace_id, chain_id=chain_id)
    definition = ChainDefinition.model_validate(version.definition)
    team = await team_of_workspace(session=session, workspace_id=workspace_id)
    await check_entitlement(session=session, team=team, entitlement="runs-per-day", now=now)
    run = ChainRun(
        workspace_id=workspace_id,
        chain_id=chain.id,
        chain_version_id=version.id,
        status=ChainRunStatus.QUEUED,
        input=request.input,
        idempotency_key=idempotency_key,
        created_by_user_id=user_id,
        api_key_id=api_key_id,
        created_at=now,
    )
    session.add(run)
    await session.flush()
    session.add_all(
        ChainRunNode(
            chain_run_id=run.id, workspace_id=workspace_id, node_id=node.id, position=index
        )
        for index, node in enumerate(definition.nodes)
    )
    try:
        await session.commit()
    except IntegrityError:  # the same key, concurrently: answer with the winner's run
        await session.rollback()
        earlier = await _by_idempotency_key(session, workspace_id, idempotency_key or "")
        if earlier is None:
            raise
        return _same_request(earlier, chain_id, request), False
    await enqueue_chain_run(workflows, run)
    return run, True


async def enqueue_chain_run(workflows: WorkflowClient, run: ChainRun) -> None:
    """Queue the chain run's workflow; a failure leaves it queued for the sweep."""
    try:
        await workflows.enqueue(
            run.id,
            queue=QUEUE_NAME,
            workflow=WORKFLOW_NAME,
            workflow_id=run.id,
            partition_key=None,
        )
    except Exception as error:  # noqa: BLE001  (the worker's sweep queues it later)
        log.error("chain run not enqueued", chain_run_id=run.id, error=repr(error))


async def enqueue_stranded_chain_runs(
    *, session_factory: async_sessionmaker[AsyncSession], workflows: WorkflowClient
) -> int:
    """Queue the chain runs left queued for longer than the runs' sweep waits (their
    process died between storing and queuing them); how many there were. Queuing one
    already on the queue changes nothing: its workflow id is its id."""
    async with session_factory() as session:
        stranded = list(
            await session.scalars(
                select(ChainRun)
                .where(
                    ChainRun.status == ChainRunStatus.QUEUED,
                    ChainRun.created_at < utcnow() - QUEUED_FOR,
                )
                .order_by(ChainRun.created_at)
                .limit(BATCH)
            )
        )
    for run in stranded:
        await enqueue_chain_run(workflows, run)
    return len(stranded)


async def get_chain_run(
    *, session: AsyncSession, workspace_id: str, chain_run_id: str
) -> tuple[ChainRun, int, list[ChainRunNode]]:
    """A chain run of the workspace, the number of the version it runs, and its nodes."""
    missing = NotFound(f"No chain run {chain_run_id} in this workspace.")
    run = await get_in_workspace(
        session, ChainRun, workspace_id=workspace_id, object_id=chain_run_id, missing=missing
    )
    # Read afresh: the workflow writes these from other sessions.
    await session.refresh(run)
    return await _shown(session, run)


async def _shown(session: AsyncSession, run: ChainRun) -> tuple[ChainRun, int, list[ChainRunNode]]:
    """A chain run as the API shows it: with its version number and its nodes, and, while
    it is under way, the tokens and cost of its node runs so far (added up for good when
    it ends). The run is detached first, so the sums shown are never written."""
    version, nodes = await _version_number(session, run), await nodes_of(session, run.id)
    if run.status not in CHAIN_RUN_FINISHED:
        totals = await node_run_totals(session, run.id)
        session.expunge(run)
        run.tokens_in, run.tokens_out, run.cost_usd = totals
    return run, version, nodes


async def node_run_totals(session: AsyncSession, chain_run_id: str) -> tuple[int, int, Decimal]:
    """The tokens in and out and the cost of a chain run's node runs, added up."""
    tokens_in, tokens_out, cost = (
        await session.execute(
            select(
                func.coalesce(func.sum(Run.tokens_in), 0),
                func.coalesce(func.sum(Run.tokens_out), 0),
                func.coalesce(func.sum(Run.cost_usd), 0),
            )
            .join(ChainRunNode, ChainRunNode.run_id == Run.id)
            .where(ChainRunNode.chain_run_id == chain_run_id)
        )
    ).one()
    return int(tokens_in), int(tokens_out), Decimal(cost)


async def nodes_of(session: AsyncSession, chain_run_id: str) -> list[ChainRunNode]:
    """The nodes of a chain run, in the order of its definition."""
    rows = await session.scalars(
        select(ChainRunNode)
        .where(ChainRunNode.chain_run_id == chain_run_id)
        .order_by(ChainRunNode.position)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def list_chain_runs(
    *,
    session: AsyncSession,
    workspace_id: str,
    chain_id: str | None,
    status: str | None,
    sort: str,
    page: PageRequest,
) -> tuple[list[tuple[ChainRun, int, list[ChainRunNode]]], str | None]:
    """A page of the workspace's chain runs, optionally of one chain or status, each with
    its version number and nodes; and the cursor of the next page."""
    statement = select(ChainRun).where(ChainRun.workspace_id == workspace_id)
    if chain_id is not None:
        statement = statement.where(ChainRun.chain_id == chain_id)
    if status is not None:
        statement = statement.where(ChainRun.status == status)
    found: Slice[ChainRun] = await paginate(
        session, statement, keyset=CHAIN_RUN_KEYSET, sort=sort, page=page
    )
    page_items = [await _shown(session, run) for (run,) in found.rows]
    return page_items, found.next_cursor


async def cancel_chain_run(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    dispatcher: RunDispatcher,
    workspace_id: str,
    chain_run_id: str,
    now: datetime,
    lease_seconds: float,
) -> tuple[ChainRun, int, list[ChainRunNode]]:
    """Stop a chain run: it ends cancelled with every node not finished, the runs of its
    nodes under way are cancelled, and its workflow stops. A finished one is refused."""
    run, _, nodes = await get_chain_run(
        session=session, workspace_id=workspace_id, chain_run_id=chain_run_id
    )
    if run.status in CHAIN_RUN_FINISHED:
        raise Conflict(f"This chain run has already {run.status}.", reason="chain-run-finished")
    error = {"code": "cancelled", "message": "The chain run was cancelled."}
    await transition(
        session,
        run.id,
        ChainRunStatus.CANCELLED,
        finished_at=now,
        cancel_requested_at=now,
        error=error,
    )
    await session.execute(
        update(ChainRunNode)
        .where(ChainRunNode.chain_run_id == run.id, ChainRunNode.status.not_in(NODE_FINISHED))
        .values(status=NodeStatus.CANCELLED, finished_at=now)
    )
    await record_event(session, run.id, "chain.completed", status=str(ChainRunStatus.CANCELLED))
    await session.commit()
    await workflows.cancel(run.id)
    for node in nodes:
        if node.run_id is None:
            continue
        node_run = await session.get(Run, node.run_id)
        if node_run is not None and node_run.status not in RUN_FINISHED:
            with contextlib.suppress(Conflict):  # it finished meanwhile
                await do_cancel_run(
                    dispatcher=dispatcher,
                    session=session,
                    workspace_id=workspace_id,
                    run_id=node.run_id,
                    now=now,
                    lease_seconds=lease_seconds,
                )
    return await get_chain_run(session=session, workspace_id=workspace_id, chain_run_id=run.id)


async def decide_node(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    workspace_id: str,
    chain_run_id: str,
    node_id: str,
    approved: bool,
    user_id: str | None,
    now: datetime,
) -> tuple[ChainRun, int, list[ChainRunNode]]:
    """Approve or reject a node the chain run waits on; the workflow goes on at once (or,
    when no worker runs it now, as soon as one recovers it). A node not waiting for a
    decision, or decided already, is refused with 409."""
    run, _, nodes = await get_chain_run(
        session=session, workspace_id=workspace_id, chain_run_id=chain_run_id
    )
    if not any(node.node_id == node_id for node in nodes):
        raise NotFound(f"The chain run has no node {node_id!r}.")
    decided = await session.execute(
        update(ChainRunNode)
        .where(
            ChainRunNode.chain_run_id == run.id,
            ChainRunNode.node_id == node_id,
            ChainRunNode.status == NodeStatus.AWAITING_APPROVAL,
            ChainRunNode.approved.is_(None),
        )
        .values(approved=approved, decided_by_user_id=user_id, decided_at=now)
    )
    if not getattr(decided, "rowcount", 0):
        raise Conflict(
            f"The node {node_id!r} is not waiting for a decision.", reason="node-not-waiting"
        )
    await session.commit()
    await workflows.send(run.id, {"approved": approved}, topic=f"approval:{node_id}")
    return await get_chain_run(session=session, workspace_id=workspace_id, chain_run_id=run.id)


async def transition(
    session: AsyncSession, chain_run_id: str, to: ChainRunStatus, **values: Any
) -> bool:
    """Move a chain run that has not finished to ``to``; False when it had finished
    already (a cancel got there first). A move other systems hear about records its event
    in the same transaction. The caller commits."""
    moved = (
        await session.execute(
            update(ChainRun)
            .where(ChainRun.id == chain_run_id, ChainRun.status.not_in(CHAIN_RUN_FINISHED))
            .values(status=to, **values)
            .returning(ChainRun.workspace_id, ChainRun.chain_id, ChainRun.error)
        )
    ).first()
    if moved is None:
        return False
    if (event_type := EVENT_TYPES.get(to)) is not None:
        workspace_id, chain_id, error = moved
        now = values.get("finished_at") or utcnow()
        outbox.record_event(
            session,
            workspace_id=workspace_id,
            type=event_type,
            subject_id=chain_run_id,
            data={
                "chain_run_id": chain_run_id,
                "chain_id": chain_id,
                "status": str(to),
                "error": error,
                "occurred_at": now.isoformat(),
            },
            now=now,
        )
    return True


async def _version_number(session: AsyncSession, run: ChainRun) -> int:
    number = await session.scalar(
        select(ChainVersion.number).where(ChainVersion.id == run.chain_version_id)
    )
    return int(number or 0)


async def _by_idempotency_key(
    session: AsyncSession, workspace_id: str, key: str
) -> ChainRun | None:
    return await session.scalar(
        select(ChainRun).where(
            ChainRun.workspace_id == workspace_id, ChainRun.idempotency_key == key
        )
    )


def _same_request(earlier: ChainRun, chain_id: str, request: ChainRunCreate) -> ChainRun:
    if earlier.chain_id != chain_id or earlier.input != request.input:
        raise Conflict(
            "This Idempotency-Key was used for a different chain run request.",
            reason="idempotency-key-reused",
            chain_run_id=earlier.id,
        )
    return earlier
