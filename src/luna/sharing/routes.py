"""Share links of runs: members create, list and revoke them; anyone with one sees the
run's summary, graph and replay, read-only and redacted, without signing in.

Creating and revoking a link needs the workspace's ``write`` action (API keys:
``runs:write``), listing them ``read`` (``runs:read``). The public routes answer one
404 for a link that is unknown, revoked or expired; they are rate-limited per client
address like every anonymous API request, and tell browsers and crawlers to keep
nothing (``Cache-Control: no-store``, ``X-Robots-Tag: noindex``).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import StreamingResponse

from luna.deps import (
    ClockDep,
    OriginDep,
    ResourcesDep,
    SessionDep,
    SettingsDep,
    actor_of,
    require_workspace,
)
from luna.runs.schemas import EVENT_STREAM, GraphEdge, event_stream_content
from luna.runs.streaming import SSE_HEADERS, ReplaySpeed, release, replay_events
from luna.sharing import service
from luna.sharing.schemas import (
    ShareCreate,
    ShareCreated,
    SharedRunGraph,
    SharedRunOut,
    ShareOut,
    SharePage,
    shared_step,
)
from luna.sharing.service import PUBLIC_HEADERS
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace_id}/runs/{run_id}/shares", tags=["sharing"]
)
public_router = APIRouter(prefix="/api/v1/shared/runs/{token}", tags=["sharing"])

ShareReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="runs:read"))]
ShareWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="runs:write"))]
RunIdPath = Annotated[str, Path(description="The run's id (`run_...`).")]
ShareIdPath = Annotated[str, Path(description="The link's id (`shr_...`).")]
TokenPath = Annotated[str, Path(description="The secret token of the share link's address.")]

# The web app's page of a shared run (the SPA is served under /app).
SHARED_RUN_PAGE: Final = "/app/share/{token}"
_SSE_RESPONSE: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "Server-sent events: `step` (id = sequence), then `end`; redacted.",
        "content": event_stream_content(end=SharedRunOut, deltas=False),
    }
}


@router.post("", operation_id="run-shares-create", status_code=201, response_model=ShareCreated)
async def create_share(
    run_id: RunIdPath,
    body: ShareCreate,
    access: ShareWriter,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> ShareCreated:
    """Create a public, read-only link to a finished run's replay, with secrets redacted.

    The answer holds the link's `url` once; only a hash of its token is kept. Refused
    with 409 for a run that has not finished.
    """
    now = clock()
    share, token = await service.create_share(
        session=session,
        workspace_id=access.workspace_id,
        run_id=run_id,
        expires_in_days=body.expires_in_days,
        actor=actor_of(access, origin),
        now=now,
    )
    url = settings.public_link(SHARED_RUN_PAGE.format(token=token))
    return ShareCreated(**ShareOut.of(share, now=now).model_dump(), url=url, token=token)


@router.get("", operation_id="run-shares-list", response_model=SharePage)
async def list_shares(
    run_id: RunIdPath, access: ShareReader, session: SessionDep, clock: ClockDep
) -> SharePage:
    """The run's share links, newest first, revoked and expired ones included (no tokens)."""
    shares = await service.list_shares(
        session=session, workspace_id=access.workspace_id, run_id=run_id
    )
    now = clock()
    return SharePage(items=[ShareOut.of(share, now=now) for share in shares], next_cursor=None)


@router.delete("/{share_id}", operation_id="run-shares-revoke", status_code=204)
async def revoke_share(
    run_id: RunIdPath,
    share_id: ShareIdPath,
    access: ShareWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> Response:
    """Revoke a share link: it answers 404 from now on. Revoking it again is harmless."""
    await service.revoke_share(
        session=session,
        workspace_id=access.workspace_id,
        run_id=run_id,
        share_id=share_id,
        actor=actor_of(access, origin),
        now=clock(),
    )
    return Response(status_code=204)


@public_router.get("", operation_id="shared-runs-get", response_model=SharedRunOut)
async def get_shared_run(
    token: TokenPath, session: SessionDep, clock: ClockDep, response: Response
) -> SharedRunOut:
    """The shared run: status, redacted input, output and error, and totals. No sign-in;
    404 for a link that is unknown, revoked or expired."""
    shared = await service.open_shared_run(
        session=session, token=token, now=clock(), count_view=True
    )
    response.headers.update(PUBLIC_HEADERS)
    return SharedRunOut.of(
        shared.run, agent_name=shared.agent_name, shared_until=shared.share.expires_at
    )


@public_router.get("/graph", operation_id="shared-runs-graph", response_model=SharedRunGraph)
async def get_shared_graph(
    token: TokenPath, session: SessionDep, clock: ClockDep, response: Response
) -> SharedRunGraph:
    """The shared run as a graph, like the members' one, with every step redacted."""
    shared, steps, edges = await service.open_shared_graph(
        session=session, token=token, now=clock()
    )
    response.headers.update(PUBLIC_HEADERS)
    return SharedRunGraph(
        run=SharedRunOut.of(
            shared.run, agent_name=shared.agent_name, shared_until=shared.share.expires_at
        ),
        nodes=[shared_step(step) for step in steps],
        edges=GraphEdge.all_of(edges),
    )


@public_router.get("/replay", operation_id="shared-runs-replay", responses=_SSE_RESPONSE)
async def replay_shared_run(
    token: TokenPath,
    resources: ResourcesDep,
    session: SessionDep,
    clock: ClockDep,
    speed: ReplaySpeed = 1.0,
) -> StreamingResponse:
    """The shared run's steps as server-sent events at their original pace divided by
    `speed`, then `end`, like the members' replay, redacted."""
    shared = await service.open_shared_run(session=session, token=token, now=clock())
    await release(session)
    events = replay_events(
        session_factory=resources.session_factory,
        run_id=shared.run.id,
        speed=speed,
        step_shape=shared_step,
        run_shape=lambda run: SharedRunOut.of(
            run, agent_name=shared.agent_name, shared_until=shared.share.expires_at
        ),
    )
    return StreamingResponse(
        events, media_type=EVENT_STREAM, headers={**SSE_HEADERS, **PUBLIC_HEADERS}
    )
