"""Plans and which plan a team is on.

``teams.plan`` is the plan whose entitlements apply now: the plan paid for, or Starter
while a subscription is lapsed. A team's plan is read through :func:`plan_of_team`."""

from __future__ import annotations

from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.cache import Caches
from luna.errors import Conflict, NotFound
from luna.plans.models import Plan
from luna.plans.schemas import PlanOut, PlanUpdate

FREE_PLAN: Final = "starter"


async def list_plans(*, session: AsyncSession, public_only: bool = True) -> list[Plan]:
    """The plans in price-list order; by default only those shown on the pricing page."""
    statement = select(Plan).order_by(Plan.sort_order, Plan.id)
    if public_only:
        statement = statement.where(Plan.public.is_(True))
    return list(await session.scalars(statement))


PLANS_CACHE_KEY: Final = "all"


async def cached_plans(*, session: AsyncSession, caches: Caches) -> dict[str, PlanOut]:
    """Every plan by id, in price-list order, read through the plans cache (the pricing
    page and each caller's rate limit read them on every request)."""

    async def load() -> list[dict[str, Any]]:
        return [
            PlanOut.model_validate(plan).model_dump(mode="json")
            for plan in await list_plans(session=session, public_only=False)
        ]

    rows = await caches.plans.get_or_load(PLANS_CACHE_KEY, load)
    return {row["id"]: PlanOut.model_validate(row) for row in rows}


async def forget_plans(caches: Caches) -> None:
    """After the operator changed a plan: every process reads the plans again."""
    await caches.plans.invalidate(PLANS_CACHE_KEY)


async def get_plan(*, session: AsyncSession, plan_id: str, name_hidden: bool = False) -> Plan:
    """A plan by id; NotFound naming the plans on the price list (and the hidden ones
    too with ``name_hidden``, for the operator)."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        listed = await list_plans(session=session, public_only=not name_hidden)
        known = ", ".join(p.id for p in listed)
        raise NotFound(f"No plan {plan_id!r}; the plans are: {known}.")
    return plan


async def update_plan(*, session: AsyncSession, plan_id: str, changes: PlanUpdate) -> Plan:
    """Apply an operator's change to a plan and commit it; the caller then forgets the
    cached plans (:func:`forget_plans`). A provider price already on another plan: 409."""
    plan = await get_plan(session=session, plan_id=plan_id, name_hidden=True)
    for name in sorted(changes.model_fields_set):
        setattr(plan, name, getattr(changes, name))
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            "Another plan already uses that Stripe price or LemonSqueezy variant."
        ) from exc
    return plan


class OnAPlan(Protocol):
    """A team, as far as plans are concerned: its id and the plan it is on."""

    id: str
    plan: str


async def plan_of_team(*, session: AsyncSession, team: OnAPlan) -> Plan:
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
