"""Teams and workspaces."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from luna.deps import (
    ClockDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    TeamManager,
    UserPrincipalDep,
    require_workspace,
)
from luna.tenancy import service
from luna.tenancy.access import WorkspaceAccess
from luna.tenancy.schemas import (
    TeamCreate,
    TeamOut,
    TeamPage,
    TeamUpdate,
    WorkspaceCreate,
    WorkspaceOut,
    WorkspacePage,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["tenancy"])

ReadableWorkspace = Annotated[WorkspaceAccess, Depends(require_workspace("read"))]
ManagedWorkspace = Annotated[WorkspaceAccess, Depends(require_workspace("manage"))]


@router.get("/teams", operation_id="teams-list", response_model=TeamPage)
async def list_teams(principal: UserPrincipalDep, session: SessionDep) -> TeamPage:
    """The caller's teams with their role and workspaces."""
    user = await service.get_user(session=session, user_id=principal.user_id)
    teams = (await service.describe_user(session=session, user=user)).teams
    return TeamPage(items=teams, next_cursor=None)


@router.post("/teams", operation_id="teams-create", status_code=201, response_model=TeamOut)
async def create_team(
    body: TeamCreate, principal: UserPrincipalDep, session: SessionDep, settings: SettingsDep
) -> TeamOut:
    """Create a team owned by the caller, with a first workspace, on the starting plan."""
    team, workspace = await service.do_create_team(
        session=session,
        owner_id=principal.user_id or "",
        name=body.name,
        plan=settings.default_plan,
    )
    return TeamOut(
        id=team.id,
        name=team.name,
        plan=team.plan,
        personal=team.personal,
        role="owner",
        workspaces=[WorkspaceOut.model_validate(workspace)],
    )


@router.get("/workspaces", operation_id="workspaces-list", response_model=WorkspacePage)
async def list_workspaces(principal: UserPrincipalDep, session: SessionDep) -> WorkspacePage:
    """Every workspace the caller can reach."""
    workspaces = await service.list_workspaces_for_user(
        session=session, user_id=principal.user_id or ""
    )
    items = [WorkspaceOut.model_validate(w) for w in workspaces]
    return WorkspacePage(items=items, next_cursor=None)


@router.post(
    "/workspaces", operation_id="workspaces-create", status_code=201, response_model=WorkspaceOut
)
async def create_workspace(
    body: WorkspaceCreate, principal: UserPrincipalDep, session: SessionDep, clock: ClockDep
) -> WorkspaceOut:
    """Add a workspace to a team the caller manages (owner or admin); 402 beyond the
    plan's workspaces."""
    workspace = await service.create_workspace(
        session=session,
        user_id=principal.user_id or "",
        team_id=body.team_id,
        name=body.name,
        now=clock(),
    )
    return WorkspaceOut.model_validate(workspace)


@router.get(
    "/workspaces/{workspace_id}", operation_id="workspaces-get", response_model=WorkspaceOut
)
async def get_workspace(access: ReadableWorkspace) -> WorkspaceOut:
    """One workspace the caller can reach."""
    return WorkspaceOut.model_validate(access.workspace)


@router.patch(
    "/workspaces/{workspace_id}", operation_id="workspaces-update", response_model=WorkspaceOut
)
async def update_workspace(
    body: WorkspaceUpdate, access: ManagedWorkspace, session: SessionDep, origin: OriginDep
) -> WorkspaceOut:
    """Rename a workspace (owners and admins of its team)."""
    workspace = await service.rename_workspace(
        session=session,
        workspace=access.workspace,
        name=body.name,
        actor_user_id=access.principal.user_id,
        origin=origin,
    )
    return WorkspaceOut.model_validate(workspace)


@router.patch("/teams/{team_id}", operation_id="teams-update", response_model=TeamOut)
async def update_team(
    body: TeamUpdate, actor: TeamManager, session: SessionDep, origin: OriginDep
) -> TeamOut:
    """Rename a team (its owners and admins)."""
    await service.rename_team(
        session=session,
        team_id=actor.team_id,
        name=body.name,
        actor_user_id=actor.user_id,
        origin=origin,
    )
    user = await service.get_user(session=session, user_id=actor.user_id)
    teams = (await service.describe_user(session=session, user=user)).teams
    return next(team for team in teams if team.id == actor.team_id)
