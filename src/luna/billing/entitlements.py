"""The entitlement engine: the one gate every guarded action passes.

:func:`check_entitlement` runs inside the transaction of the action it guards, so the
check and the change commit together or not at all:

- runs a day are counted by one conditional upsert of a per-team, per-day counter, which
  the database applies atomically (a new UTC day starts a new row, at midnight UTC);
- counted entitlements (active agents, workspaces, seats) first lock the team's row
  with an update, which serialises concurrent checks of one team on PostgreSQL (a row
  lock) and on SQLite (the database's write lock), and then count;
- switches (SSO, the full agent catalog) read the plan.

Over a limit it raises :class:`~luna.errors.EntitlementExceeded` (402) naming the
entitlement, the limit, the current use and the plan to upgrade to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import Agent
from luna.billing.models import Plan, UsageCounter
from luna.billing.plans import plan_of_team, upgrade_for
from luna.errors import EntitlementExceeded
from luna.tenancy.models import Invitation, Membership, Team, Workspace

Entitlement = Literal[
    "runs-per-day", "active-agents", "workspaces", "seats", "sso", "catalog-agents"
]
PLAN_COLUMNS: Final[dict[Entitlement, str]] = {
    "runs-per-day": "runs_per_day",
    "active-agents": "active_agents",
    "workspaces": "workspaces",
    "seats": "seats",
    "sso": "sso",
    "catalog-agents": "all_catalog_agents",
}
_DESCRIPTIONS: Final[dict[Entitlement, str]] = {
    "runs-per-day": "runs a day",
    "active-agents": "active agents",
    "workspaces": "workspaces",
    "seats": "members and pending invitations",
    "sso": "single sign-on",
    "catalog-agents": "agents of the full catalog",
}
UPGRADE_PATH: Final = "/app/billing"


async def check_entitlement(
    *, session: AsyncSession, team: Team, entitlement: Entitlement, now: datetime
) -> None:
    """Refuse with 402 when the team's plan does not allow one more of ``entitlement``.

    For ``runs-per-day`` the run is also counted: call it in the transaction that
    stores the run. Call it after every other check, so a refused request uses nothing.
    """
    plan = await plan_of_team(session=session, team=team)
    if entitlement in ("sso", "catalog-agents"):
        if not getattr(plan, PLAN_COLUMNS[entitlement]):
            raise await _exceeded(session, plan, team, entitlement, limit=False, current=None)
        return
    limit: int | None = getattr(plan, PLAN_COLUMNS[entitlement])
    if entitlement == "runs-per-day":
        used = await _count_run(session, team.id, now, limit)
        if used is None:
            current = await daily_use(session=session, team_id=team.id, now=now)
            raise await _exceeded(session, plan, team, entitlement, limit=limit, current=current)
        return
    if limit is None:
        return
    await lock_team(session, team.id)
    current = await _COUNTERS[entitlement](session, team.id, now)
    if current >= limit:
        raise await _exceeded(session, plan, team, entitlement, limit=limit, current=current)


async def count_use(
    *, session: AsyncSession, team: Team, plan: Plan, now: datetime
) -> list[tuple[Entitlement, int, int | None]]:
    """Each counted entitlement with the team's use of it and the plan's limit."""
    uses: list[tuple[Entitlement, int, int | None]] = [
        (
            "runs-per-day",
            await daily_use(session=session, team_id=team.id, now=now),
            plan.runs_per_day,
        )
    ]
    for entitlement, counter in _COUNTERS.items():
        limit = getattr(plan, PLAN_COLUMNS[entitlement])
        uses.append((entitlement, await counter(session, team.id, now), limit))
    return uses


async def daily_use(
    *, session: AsyncSession, team_id: str, now: datetime, metric: str = "runs"
) -> int:
    """How many runs (or another daily metric) the team used on ``now``'s UTC day."""
    count = await session.scalar(
        select(UsageCounter.count).where(
            UsageCounter.team_id == team_id,
            UsageCounter.metric == metric,
            UsageCounter.day == now.date(),
        )
    )
    return count or 0


async def _count_run(
    session: AsyncSession, team_id: str, now: datetime, limit: int | None
) -> int | None:
    """Add one run to today's counter unless that would pass ``limit``; the new count,
    or None when the limit is reached. One statement, so concurrent callers queue."""
    if limit is not None and limit <= 0:
        return None
    on_postgres = session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if on_postgres else sqlite.insert
    statement = insert(UsageCounter).values(team_id=team_id, metric="runs", day=now.date(), count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[UsageCounter.team_id, UsageCounter.metric, UsageCounter.day],
        set_={"count": UsageCounter.count + 1},
        where=None if limit is None else UsageCounter.count < limit,
    )
    result = await session.execute(statement.returning(UsageCounter.count))
    return result.scalar_one_or_none()


async def lock_team(session: AsyncSession, team_id: str) -> None:
    """Hold the team's row until the transaction ends (an update that changes nothing)."""
    await session.execute(update(Team).where(Team.id == team_id).values(updated_at=Team.updated_at))


async def _active_agents(session: AsyncSession, team_id: str, _now: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(Agent)
        .join(Workspace, Workspace.id == Agent.workspace_id)
        .where(Workspace.team_id == team_id, Workspace.demo.is_(False), Agent.status == "active")
    )
    return int(await session.scalar(statement) or 0)


async def _workspaces(session: AsyncSession, team_id: str, _now: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(Workspace)
        .where(Workspace.team_id == team_id, Workspace.demo.is_(False))
    )
    return int(await session.scalar(statement) or 0)


async def _seats(session: AsyncSession, team_id: str, now: datetime) -> int:
    members = select(func.count()).select_from(Membership).where(Membership.team_id == team_id)
    pending = (
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.team_id == team_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    return int(await session.scalar(members) or 0) + int(await session.scalar(pending) or 0)


_COUNTERS: Final[dict[Entitlement, Callable[[AsyncSession, str, datetime], Awaitable[int]]]] = {
    "active-agents": _active_agents,
    "workspaces": _workspaces,
    "seats": _seats,
}


async def _exceeded(
    session: AsyncSession,
    plan: Plan,
    team: Team,
    entitlement: Entitlement,
    *,
    limit: int | bool | None,
    current: int | None,
) -> EntitlementExceeded:
    upgrade = await upgrade_for(session=session, current=plan, allows=PLAN_COLUMNS[entitlement])
    what = _DESCRIPTIONS[entitlement]
    if isinstance(limit, bool):
        detail = f"The {plan.name} plan does not include {what}."
    else:
        detail = f"The {plan.name} plan allows {limit} {what}; this team has used {current}."
    if upgrade is not None:
        detail += f" Upgrade to {upgrade.name} for more."
    return EntitlementExceeded(
        detail,
        entitlement=entitlement,
        limit=limit,
        current=current,
        plan=plan.id,
        team_id=team.id,
        upgrade_plan=upgrade.id if upgrade else None,
        upgrade_url=f"{UPGRADE_PATH}?team={team.id}" + (f"&plan={upgrade.id}" if upgrade else ""),
    )
