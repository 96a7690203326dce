"""A team's demo workspace: seed it with one click, remove it with another."""

from __future__ import annotations

from fastapi import APIRouter, Response

from luna.demo import service
from luna.deps import CatalogDep, ClockDep, OriginDep, SessionDep, TeamManager
from luna.errors import NotFound
from luna.tenancy.schemas import WorkspaceOut

router = APIRouter(prefix="/api/v1/teams/{team_id}/demo", tags=["demo"])


@router.post(
    "",
    operation_id="demo-seed",
    status_code=201,
    response_model=WorkspaceOut,
    responses={200: {"description": "The team already had a demo workspace."}},
)
async def seed_demo(
    catalog: CatalogDep,
    actor: TeamManager,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
    response: Response,
) -> WorkspaceOut:
    """Create the team's demo workspace: sample agents, four weeks of usage and recorded
    multi-step runs (tool calls, thinking, a failure and its retry) that replay without
    any model provider. Its agents, runs and usage never count towards the plan. A team
    that has one gets it back with 200. Owners and admins only."""
    seeded = await service.seed_demo(
        session=session,
        catalog=catalog,
        team_id=actor.team_id,
        user_id=actor.user_id,
        now=clock(),
        origin=origin,
    )
    if not seeded.created:
        response.status_code = 200
    return WorkspaceOut.model_validate(seeded.workspace)


@router.delete("", operation_id="demo-remove", status_code=204)
async def remove_demo(actor: TeamManager, session: SessionDep, origin: OriginDep) -> None:
    """Delete the team's demo workspace and everything in it. Owners and admins only."""
    removed = await service.remove_demo(
        session=session, team_id=actor.team_id, user_id=actor.user_id, origin=origin
    )
    if not removed:
        raise NotFound("This team has no demo workspace.")
