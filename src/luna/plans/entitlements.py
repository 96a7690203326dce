"""The entitlement engine: the one gate every guarded action passes.

:func:`check_entitlement` runs inside the transaction of the action it guards, so the
check and the change commit together or not at all:

- runs a day are counted by one conditional upsert of a per-team, per-day counter, which
  the database applies atomically (a new UTC day starts a new row, at midnight UTC);
- counted entitlements (active agents, workspaces, seats) are counted by the domain that
  owns the rows, after it locked the team's row (``tenancy.service.lock_team``), which
  serialises concurrent checks of one team on PostgreSQL (a row lock) and on SQLite (the
  database's write lock); the owner passes the count in as ``used``;
- switches (SSO, the full agent catalog) read the plan.

Over a limit it raises :class:`~luna.errors.EntitlementExceeded` (402) naming the
entitlement, the limit, the current use and the plan to upgrade to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal, get_args

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import EntitlementExceeded
from luna.plans.models import Plan, UsageCounter
from luna.plans.service import OnAPlan, plan_of_team, upgrade_for

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
# What a limit of one allows ("1 active agent", not "1 active agents").
_ONE: Final[dict[Entitlement, str]] = {
    "runs-per-day": "run a day",
    "active-agents": "active agent",
    "workspaces": "workspace",
    "seats": "member or pending invitation",
}
UPGRADE_PATH: Final = "/app/billing"
CountedEntitlement = Literal["active-agents", "workspaces", "seats"]
COUNTED: Final[tuple[CountedEntitlement, ...]] = get_args(CountedEntitlement)


async def check_entitlement(
    *,
    session: AsyncSession,
    team: OnAPlan,
    entitlement: Entitlement,
    now: datetime,
    used: int | None = None,
) -> None:
    """Refuse with 402 when the team's plan does not allow one more of ``entitlement``.

    For ``runs-per-day`` the run is also counted: call it in the transaction that
    stores the run. For a counted entitlement, ``used`` is the team's current count, as
    the owner of the rows counted it with the team locked. Call it after every other
    check, so a refused request uses nothing.
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
    if used is None:
        raise ValueError(f"{entitlement} is counted by its owner: pass used=")
    if used >= limit:
        raise await _exceeded(session, plan, team, entitlement, limit=limit, current=used)


def limit_of(plan: Plan, entitlement: Entitlement) -> int | bool | None:
    """What ``plan`` allows of ``entitlement`` (None: unlimited; a switch: on or off)."""
    limit: int | bool | None = getattr(plan, PLAN_COLUMNS[entitlement])
    return limit


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


async def _exceeded(
    session: AsyncSession,
    plan: Plan,
    team: OnAPlan,
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
        what = _ONE[entitlement] if limit == 1 else what
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
