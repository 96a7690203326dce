"""A workspace's agents: create (from a catalog template or a definition), list, read,
change, delete; and their versions: list, read, restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.agents import service
from luna.agents.catalog import SLUG_PATTERN
from luna.agents.schemas import (
    AgentCreate,
    AgentDetail,
    AgentOut,
    AgentPage,
    AgentSort,
    AgentUpdate,
    AgentVersionDetail,
    AgentVersionOut,
    AgentVersionPage,
    StatusFilter,
    VersionSort,
)
from luna.db.pagination import PageRequestDep
from luna.deps import (
    CatalogDep,
    ClockDep,
    ExpectedVersionDep,
    SessionDep,
    SettingsDep,
    require_workspace,
)
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/agents", tags=["agents"])

AgentReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="agents:read"))]
AgentWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="agents:write"))]
AgentId = Annotated[str, Path(description="The agent's id (`agt_...`).")]
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A version number.")]


@router.post("", operation_id="agents-create", status_code=201, response_model=AgentDetail)
async def create_agent(
    body: AgentCreate,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    response: Response,
) -> AgentDetail:
    """Create an agent from a catalog template (`template`) or from a `definition`.

    Refused with 422 for an unknown template or a provider of another workspace, and
    with 409 when the workspace already has an agent of that name.
    """
    agent, version = await service.create_agent(
        session=session,
        catalog=catalog,
        workspace_id=access.workspace_id,
        user_id=access.principal.user_id,
        request=body,
        now=clock(),
        mcp_stdio_allowed=settings.mcp_stdio_allowed,
    )
    response.headers["Location"] = f"/api/v1/workspaces/{access.workspace_id}/agents/{agent.id}"
    return AgentDetail.with_version(agent, version)


@router.get("", operation_id="agents-list", response_model=AgentPage)
async def list_agents(
    access: AgentReader,
    session: SessionDep,
    page: PageRequestDep,
    status: Annotated[
        StatusFilter, Query(description="Active agents (default), archived ones, or all.")
    ] = "active",
    tag: Annotated[
        str | None,
        Query(min_length=2, max_length=30, pattern=SLUG_PATTERN, description="Only with this tag."),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^[^\x00]*$",
            description="Text in the name or the description, in any case.",
        ),
    ] = None,
    sort: Annotated[
        AgentSort, Query(description="A field, ascending; prefixed with `-`, descending.")
    ] = "-created_at",
) -> AgentPage:
    """A page of the workspace's agents; follow `next_cursor` for the next one."""
    found = await service.list_agents(
        session=session,
        workspace_id=access.workspace_id,
        status=status,
        tag=tag,
        text=q,
        sort=sort,
        page=page,
    )
    items = [AgentOut.of(agent, number) for agent, number in found.rows]
    return AgentPage(items=items, next_cursor=found.next_cursor)


@router.get("/{agent_id}", operation_id="agents-get", response_model=AgentDetail)
async def get_agent(agent_id: AgentId, access: AgentReader, session: SessionDep) -> AgentDetail:
    """An agent with the definition of its current version."""
    agent, version = await service.get_agent(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id
    )
    return AgentDetail.with_version(agent, version)


@router.patch("/{agent_id}", operation_id="agents-update", response_model=AgentDetail)
async def update_agent(
    agent_id: AgentId,
    body: AgentUpdate,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    expected_version: ExpectedVersionDep,
) -> AgentDetail:
    """Rename, describe, tag, archive or reactivate an agent; a `definition` becomes a
    new version that the agent runs from now on. A stale `expected_version` or
    `If-Match` is refused with 409."""
    agent, version = await service.update_agent(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        changes=body,
        expected_version=expected_version,
        user_id=access.principal.user_id,
        now=clock(),
        mcp_stdio_allowed=settings.mcp_stdio_allowed,
    )
    return AgentDetail.with_version(agent, version)


@router.delete("/{agent_id}", operation_id="agents-delete", status_code=204)
async def delete_agent(agent_id: AgentId, access: AgentWriter, session: SessionDep) -> None:
    """Delete an agent and all its versions. An agent that has runs cannot be deleted
    (409): archive it instead."""
    await service.delete_agent(session=session, workspace_id=access.workspace_id, agent_id=agent_id)


@router.get(
    "/{agent_id}/versions", operation_id="agents-versions-list", response_model=AgentVersionPage
)
async def list_agent_versions(
    agent_id: AgentId,
    access: AgentReader,
    session: SessionDep,
    page: PageRequestDep,
    sort: Annotated[VersionSort, Query(description="`-number`: newest first.")] = "-number",
) -> AgentVersionPage:
    """A page of an agent's versions, newest first; follow `next_cursor` for the next."""
    found = await service.list_agent_versions(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id, sort=sort, page=page
    )
    items = [AgentVersionOut.model_validate(version) for (version,) in found.rows]
    return AgentVersionPage(items=items, next_cursor=found.next_cursor)


@router.get(
    "/{agent_id}/versions/{number}",
    operation_id="agents-versions-get",
    response_model=AgentVersionDetail,
)
async def get_agent_version(
    agent_id: AgentId, number: VersionNumber, access: AgentReader, session: SessionDep
) -> AgentVersionDetail:
    """One version of an agent with its definition."""
    version = await service.get_agent_version(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id, number=number
    )
    return AgentVersionDetail.of(version)


@router.post(
    "/{agent_id}/versions/{number}/restore",
    operation_id="agents-versions-restore",
    response_model=AgentDetail,
)
async def restore_agent_version(
    agent_id: AgentId,
    number: VersionNumber,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    expected_version: ExpectedVersionDep,
) -> AgentDetail:
    """Roll back to version `number`: its definition becomes a new, current version.
    Earlier versions stay as they were."""
    agent, version = await service.restore_agent_version(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        number=number,
        expected_version=expected_version,
        user_id=access.principal.user_id,
        now=clock(),
    )
    return AgentDetail.with_version(agent, version)
