"""An agent's environments: list, point one at a version, promote one from another,
roll one back, delete one. Runs ask for ``agt_...@<environment>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from luna.agents import environments
from luna.agents.schemas import (
    EnvironmentName,
    EnvironmentOut,
    EnvironmentPage,
    EnvironmentPromote,
    EnvironmentSet,
)
from luna.deps import ClockDep, OriginDep, SessionDep, actor_of, require_workspace
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments", tags=["agents"]
)

AgentReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="agents:read"))]
AgentWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="agents:write"))]
AgentId = Annotated[str, Path(description="The agent's id (`agt_...`).")]
Name = Annotated[str, Path(description="The environment's name.", max_length=40)]


@router.get("", operation_id="agents-environments-list", response_model=EnvironmentPage)
async def list_environments(
    agent_id: AgentId, access: AgentReader, session: SessionDep
) -> EnvironmentPage:
    """The agent's environments and the version each runs."""
    found = await environments.list_environments(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id
    )
    return EnvironmentPage(items=found, next_cursor=None)


@router.put("/{name}", operation_id="agents-environments-set", response_model=EnvironmentOut)
async def set_environment(
    agent_id: AgentId,
    name: EnvironmentName,
    body: EnvironmentSet,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Point the environment at a version (made when new). Runs that ask for
    `agt_...@<name>` run that version from now on; the one before is kept for a roll
    back. Audited (`agent.environment_set`)."""
    return await environments.set_environment(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        number=body.version,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.post(
    "/{name}/promote", operation_id="agents-environments-promote", response_model=EnvironmentOut
)
async def promote_environment(
    agent_id: AgentId,
    name: EnvironmentName,
    body: EnvironmentPromote,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Point the environment at the version `source` runs (staging to production, say).
    Audited (`agent.promoted`)."""
    return await environments.promote(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        source=body.source,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.post(
    "/{name}/rollback", operation_id="agents-environments-rollback", response_model=EnvironmentOut
)
async def roll_back_environment(
    agent_id: AgentId,
    name: Name,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Point the environment back at the version it ran before its last change; 409
    when it never changed. Audited (`agent.rolled_back`)."""
    return await environments.roll_back(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.delete("/{name}", operation_id="agents-environments-delete", status_code=204)
async def delete_environment(
    agent_id: AgentId, name: Name, access: AgentWriter, session: SessionDep, origin: OriginDep
) -> Response:
    """Delete the environment; runs can no longer ask for it."""
    await environments.delete_environment(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        actor=actor_of(access, origin),
    )
    return Response(status_code=204)
