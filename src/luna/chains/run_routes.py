"""A chain's runs: start one, list them, read one with its nodes, cancel one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from fastapi.responses import StreamingResponse

from luna.chains import runs
from luna.chains.events import watch
from luna.chains.models import ChainRunStatus
from luna.chains.schemas import ChainRunCreate, ChainRunOut, ChainRunPage, NodeDecision
from luna.db.pagination import PageRequestDep
from luna.deps import ClockDep, LastEventIdDep, ResourcesDep, SessionDep, require_workspace
from luna.runs.schemas import EVENT_STREAM
from luna.runs.streaming import SSE_HEADERS, release
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["chains"])

ChainReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="chains:read"))]
ChainRunner = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="chains:write"))]
ChainRunId = Annotated[str, Path(description="The chain run's id (`crn_...`).")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes retries safe: the same key returns the chain run it created.",
    ),
]


@router.post(
    "/chains/{chain_id}/runs",
    operation_id="chain-runs-create",
    status_code=201,
    response_model=ChainRunOut,
)
async def start_chain_run(
    chain_id: Annotated[str, Path(description="The chain's id (`chn_...`).")],
    body: ChainRunCreate,
    access: ChainRunner,
    session: SessionDep,
    clock: ClockDep,
    resources: ResourcesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ChainRunOut:
    """Run the chain's current version on an input. It counts as one run of the day
    against the plan (402 when they are used up); each node becomes a run of its agent."""
    principal = access.principal
    run, created = await runs.start_chain_run(
        session=session,
        workflows=resources.workflows,
        workspace_id=access.workspace_id,
        chain_id=chain_id,
        request=body,
        idempotency_key=idempotency_key,
        user_id=None if principal.is_api_key else principal.user_id,
        api_key_id=principal.api_key_id if principal.is_api_key else None,
        now=clock(),
    )
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/workspaces/{run.workspace_id}/chain-runs/{run.id}"
    found = await runs.get_chain_run(
        session=session, workspace_id=access.workspace_id, chain_run_id=run.id
    )
    return ChainRunOut.of(*found)


@router.get("/chain-runs", operation_id="chain-runs-list", response_model=ChainRunPage)
async def list_chain_runs(
    access: ChainReader,
    session: SessionDep,
    page: PageRequestDep,
    chain_id: Annotated[
        str | None, Query(max_length=40, description="Only the runs of this chain.")
    ] = None,
    status: Annotated[ChainRunStatus | None, Query(description="Only runs in this state.")] = None,
    sort: Annotated[
        str, Query(pattern=r"^-?created_at$", description="`-created_at`: newest first.")
    ] = "-created_at",
) -> ChainRunPage:
    """A page of the workspace's chain runs; follow `next_cursor` for the next one."""
    items, next_cursor = await runs.list_chain_runs(
        session=session,
        workspace_id=access.workspace_id,
        chain_id=chain_id,
        status=status,
        sort=sort,
        page=page,
    )
    return ChainRunPage(items=[ChainRunOut.of(*item) for item in items], next_cursor=next_cursor)


@router.get("/chain-runs/{chain_run_id}", operation_id="chain-runs-get", response_model=ChainRunOut)
async def get_chain_run(
    chain_run_id: ChainRunId, access: ChainReader, session: SessionDep
) -> ChainRunOut:
    """A chain run with the state of each node and the run that executes it."""
    found = await runs.get_chain_run(
        session=session, workspace_id=access.workspace_id, chain_run_id=chain_run_id
    )
    return ChainRunOut.of(*found)


@router.post(
    "/chain-runs/{chain_run_id}/cancel",
    operation_id="chain-runs-cancel",
    response_model=ChainRunOut,
)
async def cancel_chain_run(
    chain_run_id: ChainRunId,
    access: ChainRunner,
    session: SessionDep,
    clock: ClockDep,
    resources: ResourcesDep,
) -> ChainRunOut:
    """Stop a chain run: every branch stops, the runs of its nodes under way are
    cancelled. A finished chain run is refused with 409."""
    found = await runs.cancel_chain_run(
        session=session,
        workflows=resources.workflows,
        dispatcher=resources.run_dispatcher(),
        workspace_id=access.workspace_id,
        chain_run_id=chain_run_id,
        now=clock(),
        lease_seconds=resources.settings.worker_lease_seconds,
    )
    return ChainRunOut.of(*found)


@router.post(
    "/chain-runs/{chain_run_id}/nodes/{node_id}/decision",
    operation_id="chain-runs-decide",
    response_model=ChainRunOut,
)
async def decide_node(
    chain_run_id: ChainRunId,
    node_id: Annotated[str, Path(max_length=40, description="The node's id in the chain.")],
    body: NodeDecision,
    access: ChainRunner,
    session: SessionDep,
    clock: ClockDep,
    resources: ResourcesDep,
) -> ChainRunOut:
    """Approve or reject a node the chain run is paused on. A rejected node is skipped
    with what follows it; a node not waiting for a decision is refused with 409."""
    principal = access.principal
    found = await runs.decide_node(
        session=session,
        workflows=resources.workflows,
        workspace_id=access.workspace_id,
        chain_run_id=chain_run_id,
        node_id=node_id,
        approved=body.approved,
        user_id=None if principal.is_api_key else principal.user_id,
        now=clock(),
    )
    return ChainRunOut.of(*found)


@router.get(
    "/chain-runs/{chain_run_id}/events",
    operation_id="chain-runs-events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events, each with its sequence as `id`: "
            "`chain.started`, `node.started` (with `run_id`), `node.completed`, "
            "`node.failed` (with `error`), `node.skipped` (with `reason`), `chain.paused` "
            "(with the `node_id` waiting for a decision) and `chain.completed` (with "
            "`status`), after which the stream ends.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def chain_run_events(
    chain_run_id: ChainRunId,
    access: ChainReader,
    session: SessionDep,
    resources: ResourcesDep,
    last_event_id: LastEventIdDep,
) -> StreamingResponse:
    """The chain run's events from the start, or after `Last-Event-ID` (or `after`) when
    a client reconnects, then live ones until it completes."""
    run, _, _ = await runs.get_chain_run(
        session=session, workspace_id=access.workspace_id, chain_run_id=chain_run_id
    )
    await release(session)
    events = watch(resources.session_factory, run.id, last_event_id)
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=SSE_HEADERS)
