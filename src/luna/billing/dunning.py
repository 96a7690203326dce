"""Dunning: what happens after a failed payment, day by day.

Day 0 (the failure, see :func:`luna.billing.subscriptions.start_dunning`): the team
keeps its plan and the owners get the first email. Day 3 and day 6: reminders. At the
end of the grace period (``billing_grace_days``, 7 by default): the team moves to
Starter's limits, keeping all of its data. A successful payment at any point restores
the paid plan at once.

:func:`run_dunning` does whatever is due at a given time and is safe to run twice (each
step is claimed with a conditional update). Workers run it from a DBOS schedule, which
the system database keeps across restarts, every :data:`SCHEDULE` tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from dbos import DBOS
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.billing.models import Subscription
from luna.billing.subscriptions import (
    BillingContext,
    audit_subscription,
    email_owners,
    forget_changed_plans,
    set_team_plan,
)
from luna.cache import Caches
from luna.jobs.engine import ScheduleSpec
from luna.jobs.runtime import current_resources
from luna.observability.logging import get_logger
from luna.plans.service import FREE_PLAN
from luna.settings import Settings
from luna.tenancy.models import Team

log = get_logger(__name__)

REMINDER_DAYS: Final = (0, 3, 6)
SCHEDULE_NAME: Final = "luna-billing-dunning"
# Every ten minutes (six fields: the first is the second).
CRON: Final = "0 */10 * * * *"
WORKFLOW_NAME: Final = "luna.billing.dunning"


@dataclass(frozen=True)
class DunningReport:
    """What one pass did."""

    reminders: int = 0
    downgrades: int = 0


async def run_dunning(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime,
    caches: Caches | None = None,
) -> DunningReport:
    """Send the reminders due by ``now`` and downgrade the teams whose grace has ended;
    the downgraded teams' cached plans are forgotten in ``caches``."""
    async with session_factory() as session:
        overdue = list(
            await session.scalars(
                select(Subscription).where(
                    Subscription.past_due_since.is_not(None),
                    Subscription.downgraded_at.is_(None),
                )
            )
        )
    reminders = downgrades = 0
    for subscription in overdue:
        async with session_factory() as session:
            context = BillingContext(session=session, settings=settings, now=now)
            if subscription.grace_until is not None and now >= subscription.grace_until:
                downgrades += await _downgrade(context, subscription)
            else:
                reminders += await _remind(context, subscription)
            await session.commit()
            await forget_changed_plans(context, caches)
    if reminders or downgrades:
        log.info("dunning", reminders=reminders, downgrades=downgrades)
    return DunningReport(reminders=reminders, downgrades=downgrades)


def _reminders_due(subscription: Subscription, now: datetime) -> int:
    assert subscription.past_due_since is not None  # noqa: S101  (selected for it)
    elapsed = now - subscription.past_due_since
    return sum(1 for day in REMINDER_DAYS if elapsed >= timedelta(days=day))


async def _remind(context: BillingContext, subscription: Subscription) -> int:
    due = _reminders_due(subscription, context.now)
    if due <= subscription.reminders_sent or not await _claim(
        context.session,
        subscription,
        reminders_sent=due,
        condition=Subscription.reminders_sent == subscription.reminders_sent,
    ):
        return 0
    team = await context.session.get(Team, subscription.team_id)
    if team is None:
        return 0
    grace_until = f"{subscription.grace_until:%Y-%m-%d %H:%M} UTC"
    await email_owners(context, team, "billing-payment-reminder", grace_until=grace_until)
    audit_subscription(context, team, "billing.payment_reminder", subscription, reminder=due)
    return 1


async def _downgrade(context: BillingContext, subscription: Subscription) -> int:
    if not await _claim(
        context.session,
        subscription,
        downgraded_at=context.now,
        condition=Subscription.downgraded_at.is_(None),
    ):
        return 0
    team = await context.session.get(Team, subscription.team_id)
    if team is None:
        return 0
    audit_subscription(context, team, "billing.downgraded", subscription)
    await set_team_plan(context, team, FREE_PLAN, reason="payment-overdue")
    return 1


async def _claim(
    session: AsyncSession, subscription: Subscription, *, condition: Any, **values: Any
) -> bool:
    """Take a step of the subscription's dunning unless another pass took it first."""
    result = await session.execute(
        update(Subscription)
        .where(
            Subscription.id == subscription.id,
            Subscription.past_due_since == subscription.past_due_since,
            condition,
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@DBOS.workflow(name=WORKFLOW_NAME)
async def dunning_workflow(scheduled_at: datetime, _context: Any) -> None:
    """One scheduled pass of :func:`run_dunning`, as a durable step."""
    await _dunning_step()


@DBOS.step(name="luna.billing.dunning.pass")
async def _dunning_step() -> None:
    runtime = current_resources()
    await run_dunning(
        session_factory=runtime.session_factory,
        settings=runtime.settings,
        now=runtime.clock(),
        caches=runtime.caches,
    )


# The durable engine registers it in every worker (see luna.worker).
SCHEDULE: Final = ScheduleSpec(name=SCHEDULE_NAME, workflow=dunning_workflow, cron=CRON)
