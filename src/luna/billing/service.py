"""A team's billing as its members see it: plan, subscription, use and invoices."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.service import count_active_agents
from luna.billing.models import Invoice, Subscription
from luna.billing.schemas import BillingOverview, SubscriptionOut
from luna.errors import NotFound
from luna.plans.entitlements import daily_use
from luna.plans.schemas import EntitlementUse, PlanOut
from luna.plans.service import plan_of_team
from luna.tenancy.members import count_seats
from luna.tenancy.models import Team
from luna.tenancy.service import count_workspaces

MAX_INVOICES = 100
# Subscriptions the payment provider no longer charges: ended, or a checkout never paid.
CLOSED_SUBSCRIPTIONS: Final = frozenset({"canceled", "incomplete"})


async def get_team(*, session: AsyncSession, team_id: str) -> Team:
    """A team by id (the caller's membership was checked by the route)."""
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(f"No team {team_id}.")
    return team


async def billing_overview(*, session: AsyncSession, team: Team, now: datetime) -> BillingOverview:
    """The team's plan, its newest subscription and its use of each counted limit."""
    plan = await plan_of_team(session=session, team=team)
    subscription = await session.scalar(
        select(Subscription)
        .where(Subscription.team_id == team.id)
        .order_by(Subscription.provider_updated_at.desc(), Subscription.id.desc())
        .limit(1)
    )
    usage = [
        EntitlementUse(
            entitlement="runs-per-day",
            used=await daily_use(session=session, team_id=team.id, now=now),
            limit=plan.runs_per_day,
        ),
        EntitlementUse(
            entitlement="active-agents",
            used=await count_active_agents(session, team.id),
            limit=plan.active_agents,
        ),
        EntitlementUse(
            entitlement="workspaces",
            used=await count_workspaces(session, team.id),
            limit=plan.workspaces,
        ),
        EntitlementUse(
            entitlement="seats", used=await count_seats(session, team.id, now), limit=plan.seats
        ),
    ]
    return BillingOverview(
        team_id=team.id,
        plan=PlanOut.model_validate(plan),
        subscription=SubscriptionOut.model_validate(subscription) if subscription else None,
        usage=usage,
    )


async def list_invoices(*, session: AsyncSession, team_id: str) -> list[Invoice]:
    """The team's newest invoices first."""
    rows = await session.scalars(
        select(Invoice)
        .where(Invoice.team_id == team_id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        .limit(MAX_INVOICES)
    )
    return list(rows)


async def teams_with_open_subscriptions(
    *, session: AsyncSession, team_ids: Collection[str]
) -> set[str]:
    """Those of the teams whose subscription the payment provider may still charge."""
    if not team_ids:
        return set()
    rows = await session.scalars(
        select(Subscription.team_id).where(
            Subscription.team_id.in_(team_ids), Subscription.status.not_in(CLOSED_SUBSCRIPTIONS)
        )
    )
    return set(rows)
