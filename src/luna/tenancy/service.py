"""Teams, workspaces and memberships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Forbidden, NotFound
from luna.identity.models import User
from luna.plans.entitlements import check_entitlement
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin
from luna.tenancy.models import Membership, Team, Workspace
from luna.tenancy.permissions import role_allows
from luna.tenancy.schemas import Me, TeamOut, UserOut, WorkspaceOut


async def do_create_team(
    *, session: AsyncSession, owner_id: str, name: str, plan: str
) -> tuple[Team, Workspace]:
    """Create a team owned by ``owner_id`` on ``plan`` with its first workspace, committed."""
    team, workspace = await create_team(session=session, owner_id=owner_id, name=name, plan=plan)
    await session.commit()
    return team, workspace


async def create_team(
    *, session: AsyncSession, owner_id: str, name: str, plan: str, personal: bool = False
) -> tuple[Team, Workspace]:
    """A team owned by ``owner_id`` on ``plan``, with its first workspace (not committed)."""
    team = Team(name=name, personal=personal, plan=plan)
    session.add(team)
    await session.flush()
    workspace = Workspace(team_id=team.id, name="Personal" if personal else "Default")
    session.add_all([workspace, Membership(team_id=team.id, user_id=owner_id, role="owner")])
    await session.flush()
    return team, workspace


async def list_memberships(*, session: AsyncSession, user_id: str) -> list[tuple[Team, str]]:
    """The user's teams with their role in each, oldest first."""
    rows = await session.execute(
        select(Team, Membership.role)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user_id)
        .order_by(Team.id)
    )
    return [(team, role) for team, role in rows]


async def list_workspaces_for_user(*, session: AsyncSession, user_id: str) -> list[Workspace]:
    """Every workspace of every team the user belongs to, oldest first."""
    rows = await session.scalars(
        select(Workspace)
        .join(Membership, Membership.team_id == Workspace.team_id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.id)
    )
    return list(rows)


async def create_workspace(
    *, session: AsyncSession, user_id: str, team_id: str, name: str, now: datetime
) -> Workspace:
    """Add a workspace to a team the user manages; NotFound for teams they are not in,
    402 when the plan's workspaces are used up."""
    role = await session.scalar(
        select(Membership.role).where(Membership.team_id == team_id, Membership.user_id == user_id)
    )
    if role is None:
        raise NotFound(f"No team {team_id}.")
    if not role_allows(role, "manage"):
        raise Forbidden(f"Your role ({role}) cannot create workspaces.", role=role, needs="manage")
    team = await session.get(Team, team_id)
    if team is not None:  # the membership's foreign key keeps it
        await lock_team(session, team.id)
        used = await count_workspaces(session, team.id)
        await check_entitlement(
            session=session, team=team, entitlement="workspaces", now=now, used=used
        )
    workspace = Workspace(team_id=team_id, name=name)
    session.add(workspace)
    await session.commit()
    return workspace


async def rename_workspace(
    *,
    session: AsyncSession,
    workspace: Workspace,
    name: str,
    actor_user_id: str | None,
    origin: RequestOrigin,
) -> Workspace:
    """Give a workspace a new name, recorded in the audit log; committed."""
    await _rename(session, workspace, workspace.team_id, name, actor_user_id, origin)
    return workspace


async def rename_team(
    *, session: AsyncSession, team_id: str, name: str, actor_user_id: str, origin: RequestOrigin
) -> Team:
    """Give a team a new name, recorded in the audit log; committed."""
    team = await session.get(Team, team_id)
    if team is None:  # the caller's membership keeps it
        raise NotFound(f"No team {team_id}.")
    await _rename(session, team, team.id, name, actor_user_id, origin)
    return team


async def _rename(
    session: AsyncSession,
    target: Team | Workspace,
    team_id: str,
    name: str,
    actor_user_id: str | None,
    origin: RequestOrigin,
) -> None:
    """Rename a team or a workspace and record it in the team's audit log (nothing when
    the name is the same)."""
    if target.name == name:
        return
    kind = "team" if isinstance(target, Team) else "workspace"
    audit.record(
        session,
        team_id=team_id,
        action="team.renamed" if kind == "team" else "workspace.renamed",
        actor_user_id=actor_user_id,
        target_type=kind,
        target_id=target.id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        data={"from": target.name, "to": name},
    )
    target.name = name
    await session.commit()


async def describe_user(*, session: AsyncSession, user: User) -> Me:
    """The user with their teams, roles and workspaces (what ``GET /me`` returns)."""
    memberships = await list_memberships(session=session, user_id=user.id)
    workspaces = await list_workspaces_for_user(session=session, user_id=user.id)
    teams = [
        TeamOut(
            id=team.id,
            name=team.name,
            plan=team.plan,
            personal=team.personal,
            role=role,
            workspaces=[WorkspaceOut.model_validate(w) for w in workspaces if w.team_id == team.id],
        )
        for team, role in memberships
    ]
    profile = UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        email_verified=user.email_verified_at is not None,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
    )
    return Me(user=profile, teams=teams)


async def get_user(*, session: AsyncSession, user_id: str | None) -> User:
    """A user by id; NotFound when absent."""
    user = await session.get(User, user_id) if user_id else None
    if user is None:
        raise NotFound("No such user.")
    return user


async def team_of_workspace(*, session: AsyncSession, workspace_id: str) -> Team:
    """The team that owns a workspace."""
    team = await session.scalar(
        select(Team)
        .join(Workspace, Workspace.team_id == Team.id)
        .where(Workspace.id == workspace_id)
    )
    if team is None:
        raise NotFound(f"No workspace {workspace_id}.")
    return team


async def admins_of_workspace(
    session: AsyncSession, workspace_id: str
) -> list[tuple[str, str, str, str]]:
    """Who is told of what happens to a workspace: the owners and admins of its team,
    as (user id, e-mail, team name, workspace name)."""
    found = await session.execute(
        select(User.id, User.email, Team.name, Workspace.name)
        .join(Membership, Membership.user_id == User.id)
        .join(Team, Team.id == Membership.team_id)
        .join(Workspace, Workspace.team_id == Team.id)
        .where(Workspace.id == workspace_id, Membership.role.in_(("owner", "admin")))
    )
    return [(user_id, email, team, workspace) for user_id, email, team, workspace in found]


async def lock_team(session: AsyncSession, team_id: str) -> None:
    """Hold the team's row until the transaction ends (an update that changes nothing):
    concurrent checks of one team's entitlements then count one after another."""
    await session.execute(update(Team).where(Team.id == team_id).values(updated_at=Team.updated_at))


async def count_workspaces(session: AsyncSession, team_id: str) -> int:
    """The team's workspaces, demo ones left out (what its plan limits)."""
    statement = (
        select(func.count())
        .select_from(Workspace)
        .where(Workspace.team_id == team_id, Workspace.demo.is_(False))
    )
    return int(await session.scalar(statement) or 0)
