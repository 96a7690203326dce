"""What billing events do to a team, whichever provider sent them.

The Stripe and LemonSqueezy receivers translate their payloads into a
:class:`SubscriptionChange` or an :class:`InvoiceChange` and hand them to
:func:`apply_subscription` / :func:`apply_invoice`, inside the transaction that records
the event (see :func:`process_event`). Events arrive late, twice and out of order:

- each event's id is inserted with a unique constraint first, so a redelivery fails
  that insert and changes nothing;
- a subscription or invoice is created with an insert that gives way to a concurrent
  one (``ON CONFLICT DO NOTHING``) and is then locked, so simultaneous events about one
  subscription are applied one after the other, never as an error;
- a subscription remembers the time of the newest change applied to it
  (``provider_updated_at``), and an older change is ignored, so nothing moves backwards.
  A "created" event never overrides a subscription already known.

The team's plan follows its subscription: active or trialing means the plan paid for;
past due starts dunning (the plan stays until the grace period ends, see
:mod:`luna.billing.dunning`); canceled, unpaid, paused or expired means Starter.

A signed event Luna cannot read (a field of the wrong type, a time beyond the year
9999, a value too long to store) is refused with :class:`MalformedEvent` (400) and its id
recorded as ``rejected``: retrying it cannot help, and an operator can find it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.billing import models
from luna.billing.models import BillingCustomer, BillingEvent, Invoice, Subscription
from luna.cache import Caches
from luna.db.base import Base
from luna.errors import BadRequest
from luna.identity.models import User
from luna.notifications.service import queue_email
from luna.observability.logging import get_logger
from luna.plans.service import FREE_PLAN
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import AuditAction
from luna.tenancy.models import Membership, Team

log = get_logger(__name__)

BillingProvider = Literal["stripe", "lemonsqueezy"]
PAYING: Final = frozenset({"active", "trialing"})
Outcome = Literal["applied", "stale", "unmatched", "ignored", "duplicate"]
REJECTED: Final = "rejected"


def _listed(sql_values: str) -> frozenset[str]:
    return frozenset(value.strip(" '") for value in sql_values.split(","))


# The statuses the tables' check constraints allow.
SUBSCRIPTION_STATUSES: Final = _listed(models.SUBSCRIPTION_STATUSES)
INVOICE_STATUSES: Final = _listed(models.INVOICE_STATUSES)


class MalformedEvent(BadRequest):
    """A signed event whose shape Luna cannot read. Retrying it cannot help: it is
    refused with 400 and recorded as rejected for an operator to look at."""

    code = "malformed-event"


@dataclass(frozen=True)
class SubscriptionChange:
    """A subscription as a provider event describes it."""

    provider: BillingProvider
    external_id: str
    customer_id: str | None
    team_id: str | None
    plan_id: str | None
    status: str
    current_period_start: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    occurred_at: datetime
    creation: bool = False


@dataclass(frozen=True)
class InvoiceChange:
    """An invoice as a provider event describes it, and the payment it reports."""

    provider: BillingProvider
    external_id: str
    customer_id: str | None
    subscription_id: str | None
    team_id: str | None
    number: str | None
    status: str
    currency: str
    amount_due_cents: int
    amount_paid_cents: int
    period_start: datetime | None
    period_end: datetime | None
    hosted_url: str | None
    pdf_url: str | None
    issued_at: datetime
    occurred_at: datetime
    payment: Literal["succeeded", "failed"] | None = None


@dataclass(frozen=True)
class BillingContext:
    """What applying an event needs besides the session.

    ``changed_teams`` collects the teams whose plan changed, so that their cached plan is
    forgotten once the transaction commits (:func:`forget_changed_plans`).
    """

    session: AsyncSession
    settings: Settings
    now: datetime
    changed_teams: set[str] = field(default_factory=set)


Effect = Callable[[], Awaitable[tuple[Outcome, str | None]]]


async def process_event(
    context: BillingContext,
    *,
    provider: BillingProvider,
    event_id: str,
    event_type: str,
    effect: Effect,
    data: dict[str, object] | None = None,
) -> Outcome:
    """Record the event and apply its effect in one transaction; "duplicate" (and
    nothing changed) when the event was recorded before. An event rejected before is
    rejected again."""
    session = context.session
    event = BillingEvent(
        provider=provider,
        event_id=event_id,
        event_type=event_type,
        outcome="pending",
        data=data or {},
        received_at=context.now,
    )
    session.add(event)
    try:
        await session.flush()
        outcome, team_id = await effect()
        event.outcome, event.team_id = outcome, team_id
        await session.commit()
    except IntegrityError:
        await session.rollback()
        recorded = await _recorded(session, provider, event_id)
        if recorded is None:  # the insert failed on another constraint
            raise
        _refuse_if_rejected(recorded)
        return "duplicate"
    except DataError as error:  # a value the database cannot hold (too long, too large)
        await session.rollback()
        raise MalformedEvent("A value in the event is too large to store.") from error
    log.info("billing event", provider=provider, type=event_type, id=event_id, outcome=outcome)
    return outcome


async def _recorded(session: AsyncSession, provider: str, event_id: str) -> BillingEvent | None:
    return await session.scalar(
        select(BillingEvent).where(
            BillingEvent.provider == provider, BillingEvent.event_id == event_id
        )
    )


def _refuse_if_rejected(recorded: BillingEvent) -> None:
    if recorded.outcome == REJECTED:
        raise MalformedEvent(str(recorded.data.get("reason") or "The event was rejected."))


async def reject_event(
    context: BillingContext,
    *,
    provider: BillingProvider,
    event_id: str,
    event_type: str,
    reason: str,
) -> None:
    """Undo whatever the event's transaction did, log it and record its id as rejected
    (once: a redelivery finds it recorded already)."""
    session = context.session
    await session.rollback()
    log.warning(
        "billing event rejected", provider=provider, type=event_type, id=event_id, reason=reason
    )
    session.add(
        BillingEvent(
            provider=provider,
            event_id=event_id,
            event_type=event_type,
            outcome=REJECTED,
            data={"reason": reason[:500]},
            received_at=context.now,
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()


def _insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can give way to a row a concurrent transaction inserted: both
    databases Luna runs on speak ``ON CONFLICT``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


async def link_customer(
    session: AsyncSession, *, team_id: str, provider: BillingProvider, customer_id: str
) -> None:
    """Remember which provider customer pays for the team (an upsert: simultaneous
    events about one team never collide)."""
    await session.execute(
        _insert(session, BillingCustomer)
        .values(team_id=team_id, provider=provider, customer_id=customer_id)
        .on_conflict_do_update(
            index_elements=["team_id", "provider"], set_={"customer_id": customer_id}
        )
    )


async def _team_by_customer(
    session: AsyncSession, provider: str, customer_id: str | None
) -> str | None:
    if customer_id is None:
        return None
    return await session.scalar(
        select(BillingCustomer.team_id).where(
            BillingCustomer.provider == provider, BillingCustomer.customer_id == customer_id
        )
    )


async def _team(
    session: AsyncSession, team_id: str | None, provider: str, customer_id: str | None
) -> Team | None:
    """The team an event is about: named in it, else the customer's."""
    team_id = team_id or await _team_by_customer(session, provider, customer_id)
    if team_id is None:
        return None
    # Read afresh: a concurrent event may have moved its plan while this one waited.
    return await session.get(Team, team_id, populate_existing=True)


async def _subscription(
    session: AsyncSession, provider: str, external_id: str | None
) -> Subscription | None:
    """The subscription, locked until commit: events about it are applied one at a time."""
    if external_id is None:
        return None
    return await session.scalar(
        select(Subscription)
        .where(Subscription.provider == provider, Subscription.external_id == external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _check_status(status: str, known: frozenset[str]) -> None:
    if status not in known:
        raise MalformedEvent(f"Unknown status {status[:40]!r}.")


async def apply_subscription(
    context: BillingContext, change: SubscriptionChange
) -> tuple[Outcome, str | None]:
    """Store the subscription as the event describes it, unless a newer state is
    known, and move the team's plan with it."""
    _check_status(change.status, SUBSCRIPTION_STATUSES)
    session = context.session
    existing = await _subscription(session, change.provider, change.external_id)
    known_team = existing.team_id if existing else None
    team = await _team(session, change.team_id or known_team, change.provider, change.customer_id)
    if team is None:
        return "unmatched", None
    if existing is not None and _older(change, existing):
        return "stale", team.id
    plan_id = change.plan_id or (existing.plan_id if existing else None)
    if plan_id is None:
        log.warning("subscription for an unknown price", id=change.external_id)
        return "ignored", team.id
    subscription = existing or await _create_subscription(session, change, team.id, plan_id)
    if subscription is None:  # a concurrent event created it first: weigh against that
        return await apply_subscription(context, change)
    _copy_subscription(subscription, change, plan_id)
    if change.customer_id:
        await link_customer(
            session, team_id=team.id, provider=change.provider, customer_id=change.customer_id
        )
    await settle_team_plan(context, team, subscription)
    return "applied", team.id


async def _create_subscription(
    session: AsyncSession, change: SubscriptionChange, team_id: str, plan_id: str
) -> Subscription | None:
    """The new subscription, or None when a concurrent transaction created it."""
    created = await session.scalar(
        _insert(session, Subscription)
        .values(
            team_id=team_id,
            provider=change.provider,
            external_id=change.external_id,
            plan_id=plan_id,
            status=change.status,
            provider_updated_at=change.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["provider", "external_id"])
        .returning(Subscription.id)
    )
    return None if created is None else await session.get(Subscription, created)


def _copy_subscription(
    subscription: Subscription, change: SubscriptionChange, plan_id: str
) -> None:
    subscription.customer_id = change.customer_id or subscription.customer_id
    subscription.plan_id, subscription.status = plan_id, change.status
    subscription.current_period_start = change.current_period_start
    subscription.current_period_end = change.current_period_end
    subscription.cancel_at_period_end = change.cancel_at_period_end
    subscription.provider_updated_at = change.occurred_at


def _older(change: SubscriptionChange, existing: Subscription) -> bool:
    if change.occurred_at < existing.provider_updated_at:
        return True
    return change.creation and change.occurred_at == existing.provider_updated_at


async def settle_team_plan(context: BillingContext, team: Team, subscription: Subscription) -> None:
    """Move the team's plan to what its subscription's status says."""
    if subscription.status in PAYING:
        if subscription.past_due_since is not None:
            _end_dunning(subscription)
            audit_subscription(context, team, "billing.payment_succeeded", subscription)
        await set_team_plan(context, team, subscription.plan_id, reason=subscription.status)
    elif subscription.status == "past_due":
        await start_dunning(context, team, subscription)
    elif not await _other_paying_subscription(context.session, team.id, subscription.id):
        _end_dunning(subscription)
        await set_team_plan(context, team, FREE_PLAN, reason=subscription.status)


async def _other_paying_subscription(
    session: AsyncSession, team_id: str, subscription_id: str | None
) -> bool:
    found = await session.scalar(
        select(Subscription.id).where(
            Subscription.team_id == team_id,
            Subscription.id != (subscription_id or ""),
            Subscription.status.in_(PAYING),
        )
    )
    return found is not None


async def set_team_plan(context: BillingContext, team: Team, plan_id: str, *, reason: str) -> None:
    """Put the team on a plan; audited, and the owners are told."""
    previous = team.plan
    if previous == plan_id:
        return
    team.plan = plan_id
    context.changed_teams.add(team.id)
    audit.record(
        context.session,
        team_id=team.id,
        action="billing.plan_changed",
        target_type="team",
        target_id=team.id,
        data={"from": previous, "to": plan_id, "reason": reason},
    )
    await email_owners(context, team, "billing-plan-changed", plan=plan_id, previous=previous)


async def forget_changed_plans(context: BillingContext, caches: Caches | None) -> None:
    """After the commit: every process drops its cached plan of the teams that moved."""
    if caches is None:
        return
    for team_id in sorted(context.changed_teams):
        await caches.team_plans.invalidate(team_id)
    context.changed_teams.clear()


async def start_dunning(context: BillingContext, team: Team, subscription: Subscription) -> None:
    """A failed payment: the team keeps its plan for the grace period; the first
    reminder goes out now (day 0)."""
    subscription.status = "past_due"
    if subscription.past_due_since is not None:
        return
    grace = timedelta(days=context.settings.billing_grace_days)
    subscription.past_due_since = context.now
    subscription.grace_until = context.now + grace
    subscription.reminders_sent = 1
    audit_subscription(context, team, "billing.payment_failed", subscription)
    await email_owners(
        context,
        team,
        "billing-payment-failed",
        plan=subscription.plan_id,
        grace_until=f"{subscription.grace_until:%Y-%m-%d %H:%M} UTC",
    )


def _end_dunning(subscription: Subscription) -> None:
    subscription.past_due_since = subscription.grace_until = subscription.downgraded_at = None
    subscription.reminders_sent = 0


def audit_subscription(
    context: BillingContext,
    team: Team,
    action: AuditAction,
    subscription: Subscription,
    **data: object,
) -> None:
    """Write a billing step of the subscription to the team's audit log."""
    audit.record(
        context.session,
        team_id=team.id,
        action=action,
        target_type="subscription",
        target_id=subscription.id,
        data={"status": subscription.status, "plan": subscription.plan_id, **data},
    )


async def email_owners(
    context: BillingContext, team: Team, template: str, **values: object
) -> None:
    """Queue a billing email to each owner of the team, in the caller's transaction."""
    owners = await context.session.execute(
        select(User.id, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id, Membership.role == "owner")
    )
    link = context.settings.public_link(f"/app/billing?team={team.id}")
    for user_id, email in owners:
        queue_email(
            session=context.session,
            to_address=email,
            template=template,
            user_id=user_id,
            team=team.name,
            billing_url=link,
            **values,
        )


async def apply_invoice(
    context: BillingContext, change: InvoiceChange
) -> tuple[Outcome, str | None]:
    """Store the invoice (newer state wins) and act on the payment it reports: a failed
    payment starts dunning, a successful one ends it and sends a receipt."""
    _check_status(change.status, INVOICE_STATUSES)
    session = context.session
    subscription = await _subscription(session, change.provider, change.subscription_id)
    known_team = subscription.team_id if subscription else None
    team = await _team(session, change.team_id or known_team, change.provider, change.customer_id)
    if team is None:
        return "unmatched", None
    invoice = await session.scalar(
        select(Invoice)
        .where(Invoice.provider == change.provider, Invoice.external_id == change.external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice is not None and change.occurred_at < invoice.provider_updated_at:
        return "stale", team.id
    invoice = invoice or await _create_invoice(session, change, team.id)
    if invoice is None:  # a concurrent event created it first: weigh against that
        return await apply_invoice(context, change)
    _copy_invoice(invoice, change)
    if subscription is not None and change.occurred_at >= subscription.provider_updated_at:
        await _payment(context, team, subscription, change)
    return "applied", team.id


async def _create_invoice(
    session: AsyncSession, change: InvoiceChange, team_id: str
) -> Invoice | None:
    """The new invoice, or None when a concurrent transaction created it."""
    created = await session.scalar(
        _insert(session, Invoice)
        .values(
            team_id=team_id,
            provider=change.provider,
            external_id=change.external_id,
            status=change.status,
            currency=change.currency,
            issued_at=change.issued_at,
            provider_updated_at=change.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["provider", "external_id"])
        .returning(Invoice.id)
    )
    return None if created is None else await session.get(Invoice, created)


def _copy_invoice(invoice: Invoice, change: InvoiceChange) -> None:
    invoice.number, invoice.status, invoice.currency = change.number, change.status, change.currency
    invoice.amount_due_cents = change.amount_due_cents
    invoice.amount_paid_cents = change.amount_paid_cents
    invoice.period_start, invoice.period_end = change.period_start, change.period_end
    invoice.hosted_url, invoice.pdf_url = change.hosted_url, change.pdf_url
    invoice.issued_at, invoice.provider_updated_at = change.issued_at, change.occurred_at


async def _payment(
    context: BillingContext, team: Team, subscription: Subscription, change: InvoiceChange
) -> None:
    if change.payment == "failed":
        subscription.provider_updated_at = change.occurred_at
        await start_dunning(context, team, subscription)
    elif change.payment == "succeeded":
        subscription.provider_updated_at = change.occurred_at
        if subscription.status in ("past_due", "unpaid"):
            subscription.status = "active"
        await settle_team_plan(context, team, subscription)
        amount = f"{change.amount_paid_cents / 100:.2f} {change.currency.upper()}"
        await email_owners(
            context,
            team,
            "billing-receipt",
            amount=amount,
            plan=subscription.plan_id,
            invoice_url=change.hosted_url or context.settings.public_link("/app/billing"),
        )
