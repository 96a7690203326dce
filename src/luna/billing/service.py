"""A team's billing as its members see it: plan, subscription, use and invoices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.billing.entitlements import count_use
from luna.billing.models import Invoice, Subscription
from luna.billing.plans import plan_of_team
from luna.billing.schemas import BillingOverview, EntitlementUse, PlanOut, SubscriptionOut
from luna.errors import NotFound
from luna.tenancy.models import Team

MAX_INVOICES = 100


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
        EntitlementUse(entitlement=name, used=used, limit=limit)
        for name, used, limit in await count_use(session=session, team=team, plan=plan, now=now)
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
