"""Plans and which plan a team is on.

``teams.plan`` is the plan whose entitlements apply now: the plan paid for, or Starter
while a subscription is lapsed. A team's plan is read through :func:`plan_of_team`."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.billing.models import Plan
from luna.errors import NotFound
from luna.tenancy.models import Team, Workspace

FREE_PLAN: Final = "starter"


async def list_plans(*, session: AsyncSession, public_only: bool = True) -> list[Plan]:
    """The plans in price-list order; by default only those shown on the pricing page."""
    statement = select(Plan).order_by(Plan.sort_order, Plan.id)
    if public_only:
        statement = statement.where(Plan.public.is_(True))
    return list(await session.scalars(statement))


async def get_plan(*, session: AsyncSession, plan_id: str) -> Plan:
    """A plan by id; NotFound naming the plans there are."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        known = ", ".join(p.id for p in await list_plans(session=session, public_only=False))
        raise NotFound(f"No plan {plan_id!r}; the plans are: {known}.")
    return plan


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


async def plan_of_team(*, session: AsyncSession, team: Team) -> Plan:
    """The plan whose entitlements apply to the team now."""
    plan = await session.get(Plan, team.plan)
    if plan is None:  # a plan id the operator removed: the free plan's limits apply
        plan = await get_plan(session=session, plan_id=FREE_PLAN)
    return plan


async def upgrade_for(*, session: AsyncSession, current: Plan, allows: str) -> Plan | None:
    """The cheapest public plan above ``current`` whose ``allows`` entitlement is larger
    (or switched on, or unlimited)."""
    for candidate in await list_plans(session=session):
        if candidate.sort_order <= current.sort_order:
            continue
        if _more(getattr(candidate, allows), getattr(current, allows)):
            return candidate
    return None


def _more(candidate: int | bool | None, current: int | bool | None) -> bool:
    if isinstance(candidate, bool) or isinstance(current, bool):
        return bool(candidate) and not current
    if current is None:
        return False
    return candidate is None or candidate > current
