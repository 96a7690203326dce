"""Runs of a workspace's agents: create (background, wait or stream), read, list, steps,
graph, live events, replay, cancel, approvals."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from luna.db.pagination import PageRequestDep
from luna.deps import (
    CachesDep,
    ClockDep,
    KeyringDep,
    LastEventIdDep,
    ResourcesDep,
    SessionDep,
    SettingsDep,
    require_workspace,
)
from luna.errors import Conflict
from luna.observability.logging import get_logger
from luna.runs import service
from luna.runs.bus import RunBus
from luna.runs.dispatch import (
    RunDispatcher,
    do_cancel_run,
    do_create_counterfactual,
    do_create_run,
    do_decide_approvals,
)
from luna.runs.models import FINISHED
from luna.runs.schemas import (
    EVENT_STREAM,
    ApprovalDecisions,
    ApprovalOut,
    ApprovalPage,
    CounterfactualCreate,
    GraphEdge,
    RunCreate,
    RunGraph,
    RunOut,
    RunPage,
    RunSort,
    RunStatus,
    StepOut,
    StepPage,
    event_stream_content,
)
from luna.runs.streaming import (
    SETTLED,
    SSE_HEADERS,
    ReplaySpeed,
    RunFeeds,
    release,
    replay_events,
)
from luna.tenancy.access import WorkspaceAccess

log = get_logger(__name__)

if TYPE_CHECKING:
    from luna.resources import Resources

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["runs"])

RunReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="runs:read"))]
RunWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="runs:write"))]
RunIdPath = Annotated[str, Path(description="The run's id (`run_...`).")]
AgentIdPath = Annotated[str, Path(description="The agent's id (`agt_...`).")]
_LIVE_EVENTS: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "Server-sent events: `step` (id = sequence), `delta`, then `end`.",
        "content": event_stream_content(end=RunOut, deltas=True),
    }
}
_REPLAY_EVENTS: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "Server-sent events: `step` (id = sequence), then `end`.",
        "content": event_stream_content(end=RunOut, deltas=False),
    }
}
_WAIT_POLL_SECONDS: Final = 0.5


def get_run_bus(resources: ResourcesDep) -> RunBus:
    """This process's live run events."""
    return resources.bus


def get_run_feeds(resources: ResourcesDep) -> RunFeeds:
    """This process's readers of watched runs."""
    return resources.run_feeds


def get_run_dispatcher(resources: ResourcesDep) -> RunDispatcher:
    """What follows a run's committed change in this process: queue, bus, step writer."""
    return resources.run_dispatcher()


RunBusDep = Annotated[RunBus, Depends(get_run_bus)]
RunDispatcherDep = Annotated[RunDispatcher, Depends(get_run_dispatcher)]
RunFeedsDep = Annotated[RunFeeds, Depends(get_run_feeds)]


@router.post(
    "/agents/{agent_id}/runs",
    operation_id="runs-create",
    status_code=202,
    response_model=RunOut,
    responses={
        200: {
            "model": RunOut,
            "description": "The finished run (`wait` mode), or its events (`stream` mode).",
            "content": event_stream_content(end=RunOut, deltas=True),
        }
    },
)
async def create_run(
    agent_id: AgentIdPath,
    body: RunCreate,
    request: Request,
    access: RunWriter,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    dispatcher: RunDispatcherDep,
    resources: ResourcesDep,
    caches: CachesDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="Makes retries safe: the same key returns the run it created.",
        ),
    ] = None,
) -> Any:
    """Run the agent's current version on an input, or another of its versions
    (`version`, or `agt_...@3` in the path), the version one of its environments points
    at (`environment`, or `agt_...@production`), or an unsaved draft of its definition
    (`draft`, as the playground does).

    Refused with 409 `no-provider-configured` when the workspace has no model provider
    the agent can use, 409 for an archived agent and 422 for an input that does not
    match the agent's input schema; nothing is stored then.
    """
    principal = access.principal
    run, created = await do_create_run(
        dispatcher=dispatcher,
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        request=body,
        idempotency_key=idempotency_key,
        user_id=None if principal.is_api_key else principal.user_id,
        api_key_id=principal.api_key_id if principal.is_api_key else None,
        now=clock(),
        definitions=caches.agent_versions,
        mcp_stdio_allowed=resources.settings.mcp_stdio_allowed,
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/workspaces/{run.workspace_id}/runs/{run.id}"
    if body.mode == "stream" or EVENT_STREAM in request.headers.get("accept", ""):
        await release(session)
        return _stream(resources.run_feeds, run.id, 0)
    if body.mode == "wait":
        await release(session)
        timeout = body.timeout_seconds or resources.settings.run_wait_timeout_seconds
        run = await _wait_for(resources, access.workspace_id, run.id, timeout)
        if run.status in SETTLED:
            response.status_code = 200
    return RunOut.of(run)


async def _wait_for(
    resources: Resources, workspace_id: str, run_id: str, wait_seconds: float
) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    async with resources.bus.subscribe(run_id) as messages:
        while True:
            async with resources.session_factory() as session:
                run = await service.get_run_for_workspace(
                    session=session, workspace_id=workspace_id, run_id=run_id
                )
            remaining = deadline - loop.time()
            if run.status in SETTLED or remaining <= 0:
                return run
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(messages.get(), min(remaining, _WAIT_POLL_SECONDS))


def _stream(feeds: RunFeeds, run_id: str, last_event_id: int) -> StreamingResponse:
    events = feeds.watch(run_id, last_event_id)
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=SSE_HEADERS)


@router.get("/runs", operation_id="runs-list", response_model=RunPage)
async def list_runs(
    access: RunReader,
    session: SessionDep,
    page: PageRequestDep,
    agent_id: Annotated[
        str | None, Query(max_length=40, pattern=r"^[a-z0-9_]+$", description="Only this agent's.")
    ] = None,
    status: Annotated[RunStatus | None, Query(description="Only runs in this state.")] = None,
    thread_id: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern=r"^[a-z0-9_]+$",
            description="Only the runs of this conversation (the id of its first run).",
        ),
    ] = None,
    sort: Annotated[RunSort, Query(description="Creation time; `-` for newest first.")] = (
        "-created_at"
    ),
) -> RunPage:
    """A page of the workspace's runs; follow `next_cursor` for the next one."""
    found = await service.list_runs(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        thread_id=thread_id,
        status=status,
        sort=sort,
        page=page,
    )
    return RunPage(items=[RunOut.of(row[0]) for row in found.rows], next_cursor=found.next_cursor)


@router.get("/runs/{run_id}", operation_id="runs-get", response_model=RunOut)
async def get_run(run_id: RunIdPath, access: RunReader, session: SessionDep) -> RunOut:
    """A run with its status, output or error, and totals (steps, tokens, cost, latency)."""
    run = await service.get_run_for_workspace(
        session=session, workspace_id=access.workspace_id, run_id=run_id
    )
    return RunOut.of(run)


@router.get("/runs/{run_id}/steps", operation_id="runs-steps", response_model=StepPage)
async def list_steps(
    run_id: RunIdPath, access: RunReader, session: SessionDep, page: PageRequestDep
) -> StepPage:
    """A run's steps in order; `next_cursor` is the sequence of the last one returned."""
    steps, cursor = await service.list_steps(
        session=session, workspace_id=access.workspace_id, run_id=run_id, page=page
    )
    return StepPage(items=[StepOut.of(step) for step in steps], next_cursor=cursor)


@router.get("/runs/{run_id}/graph", operation_id="runs-graph", response_model=RunGraph)
async def get_graph(run_id: RunIdPath, access: RunReader, session: SessionDep) -> RunGraph:
    """The run as a graph: a node per step, edges for causality (which request asked
    for which tool call, which results the next request answered)."""
    run, steps, edges = await service.get_graph(
        session=session, workspace_id=access.workspace_id, run_id=run_id
    )
    return RunGraph(
        run=RunOut.of(run),
        nodes=[StepOut.of(step) for step in steps],
        edges=GraphEdge.all_of(edges),
    )


@router.get("/runs/{run_id}/events", operation_id="runs-events", responses=_LIVE_EVENTS)
async def stream_events(
    run_id: RunIdPath,
    access: RunReader,
    session: SessionDep,
    feeds: RunFeedsDep,
    last_event_id: LastEventIdDep,
) -> StreamingResponse:
    """The run's steps as server-sent events: those stored so far, then each as it is
    stored, then `end`. Reconnect with `Last-Event-ID` to resume without loss."""
    run = await service.get_run_for_workspace(
        session=session, workspace_id=access.workspace_id, run_id=run_id
    )
    await release(session)
    return _stream(feeds, run.id, last_event_id)


@router.get("/runs/{run_id}/replay", operation_id="runs-replay", responses=_REPLAY_EVENTS)
async def replay(
    run_id: RunIdPath,
    resources: ResourcesDep,
    access: RunReader,
    session: SessionDep,
    speed: ReplaySpeed = 1.0,
) -> StreamingResponse:
    """A finished run's steps as server-sent events, at its original pace divided by `speed`."""
    run = await service.get_run_for_workspace(
        session=session, workspace_id=access.workspace_id, run_id=run_id
    )
    if run.status not in FINISHED:
        raise Conflict("Only a finished run can be replayed.", reason="run-not-finished")
    await release(session)
    events = replay_events(session_factory=resources.session_factory, run_id=run.id, speed=speed)
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=SSE_HEADERS)


@router.post(
    "/runs/{run_id}/counterfactual",
    operation_id="runs-counterfactual",
    status_code=202,
    response_model=RunOut,
)
async def create_counterfactual(
    run_id: RunIdPath,
    body: CounterfactualCreate,
    access: RunWriter,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    dispatcher: RunDispatcherDep,
    resources: ResourcesDep,
    response: Response,
) -> RunOut:
    """Replay a finished run's input on another version (`version`), an environment's
    version (`environment`) or a draft (`draft`), in the same world: every tool call is
    answered with the result the original recorded for that tool and those arguments,
    and no tool runs again (a call the original never made is told so). The new run is
    queued (202) and records `counterfactual_of_run_id`. 409 while the original runs."""
    principal = access.principal
    run = await do_create_counterfactual(
        dispatcher=dispatcher,
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        run_id=run_id,
        request=body,
        user_id=None if principal.is_api_key else principal.user_id,
        api_key_id=principal.api_key_id if principal.is_api_key else None,
        now=clock(),
        mcp_stdio_allowed=resources.settings.mcp_stdio_allowed,
    )
    response.headers["Location"] = f"/api/v1/workspaces/{access.workspace_id}/runs/{run.id}"
    return RunOut.of(run)


@router.post("/runs/{run_id}/cancel", operation_id="runs-cancel", response_model=RunOut)
async def cancel_run(
    run_id: RunIdPath,
    access: RunWriter,
    session: SessionDep,
    clock: ClockDep,
    dispatcher: RunDispatcherDep,
    settings: SettingsDep,
) -> RunOut:
    """Stop a run: a queued or paused one at once, a running one within moments (its
    model call and tools are interrupted). 409 for a run that has already finished."""
    run = await do_cancel_run(
        dispatcher=dispatcher,
        session=session,
        workspace_id=access.workspace_id,
        run_id=run_id,
        now=clock(),
        lease_seconds=settings.worker_lease_seconds,
    )
    return RunOut.of(run)


@router.get(
    "/runs/{run_id}/approvals",
    operation_id="runs-approvals-list",
    response_model=ApprovalPage,
)
async def list_approvals(run_id: RunIdPath, access: RunReader, session: SessionDep) -> ApprovalPage:
    """The tool calls this run paused on for a member's decision."""
    approvals = await service.list_approvals(
        session=session, workspace_id=access.workspace_id, run_id=run_id
    )
    return ApprovalPage(items=[ApprovalOut.of(a) for a in approvals], next_cursor=None)


@router.post(
    "/runs/{run_id}/approvals",
    operation_id="runs-approvals-decide",
    response_model=RunOut,
)
async def decide_approvals(
    run_id: RunIdPath,
    body: ApprovalDecisions,
    access: RunWriter,
    session: SessionDep,
    clock: ClockDep,
    dispatcher: RunDispatcherDep,
) -> RunOut:
    """Approve or reject tool calls the run paused on. Once none is pending, the run
    resumes (`queued`): approved calls execute, rejected ones are reported to the model.
    409 for a run that is not waiting; 422 for a call that is not pending on it."""
    principal = access.principal
    run = await do_decide_approvals(
        dispatcher=dispatcher,
        session=session,
        workspace_id=access.workspace_id,
        run_id=run_id,
        decisions=body,
        user_id=None if principal.is_api_key else principal.user_id,
        now=clock(),
    )
    return RunOut.of(run)
