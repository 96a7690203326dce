"""Sending a team to pay: a Stripe Checkout Session or a LemonSqueezy checkout link for
an upgrade, and the Stripe customer portal to change cards, cancel or see invoices.

The team and plan travel with the checkout (Stripe: ``client_reference_id`` and the
subscription's metadata; LemonSqueezy: ``checkout[custom][team_id]``), so the webhook
that follows knows whose subscription it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal
from urllib.parse import urlencode

import stripe
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.billing.models import BillingCustomer, Subscription
from luna.errors import Conflict, ServiceUnavailable, ValidationFailed
from luna.identity.models import User
from luna.observability.logging import get_logger
from luna.plans.models import Plan
from luna.plans.service import get_plan
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin
from luna.tenancy.models import Team

log = get_logger(__name__)

CheckoutProvider = Literal["stripe", "lemonsqueezy"]
_STRIPE_TIMEOUT_SECONDS = 20


class BillingProviderFailed(ServiceUnavailable):
    """The billing provider could not be reached or refused the request."""

    code = "billing-provider-failed"


@asynccontextmanager
async def stripe_client(settings: Settings) -> AsyncIterator[stripe.StripeClient]:
    """A Stripe client for the configured key (and test address), closed afterwards."""
    if settings.stripe_secret_key is None:
        raise Conflict("Stripe is not configured on this server.", reason="billing-not-configured")
    http = stripe.HTTPXClient(timeout=_STRIPE_TIMEOUT_SECONDS)
    base = {"api": str(settings.stripe_api_base).rstrip("/")} if settings.stripe_api_base else {}
    client = stripe.StripeClient(
        settings.stripe_secret_key.get_secret_value(),
        http_client=http,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=2,
    )
    try:
        yield client
    except stripe.APIConnectionError as error:
        # Stripe's own message asks the reader to write to Stripe's support: not for our users.
        raise BillingProviderFailed("Stripe could not be reached; try again shortly.") from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        # The server's own key is wrong: the operator's problem, told in the log.
        log.error("Stripe refused this server's API key", error=str(error))
        raise BillingProviderFailed(
            "Payments are unavailable right now; the operators have been told."
        ) from error
    except stripe.StripeError as error:
        raise BillingProviderFailed(f"Stripe refused the request: {error.user_message}") from error
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]


async def do_start_checkout(
    *,
    session: AsyncSession,
    settings: Settings,
    team: Team,
    plan_id: str,
    provider: CheckoutProvider,
    actor_user_id: str,
    origin: RequestOrigin,
) -> str:
    """Start a checkout (:func:`start_checkout`) for a team manager, audited and committed;
    returns the checkout page's address."""
    user = await session.get(User, actor_user_id)
    url = await start_checkout(
        session=session,
        settings=settings,
        team=team,
        plan_id=plan_id,
        provider=provider,
        email=user.email if user else "",
    )
    audit.record(
        session,
        team_id=team.id,
        action="billing.checkout_started",
        actor_user_id=actor_user_id,
        target_type="team",
        target_id=team.id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        data={"plan": plan_id, "provider": provider},
    )
    await session.commit()
    return url


async def start_checkout(
    *,
    session: AsyncSession,
    settings: Settings,
    team: Team,
    plan_id: str,
    provider: CheckoutProvider,
    email: str,
) -> str:
    """The address of a checkout page that subscribes the team to ``plan_id``."""
    plan = await get_plan(session=session, plan_id=plan_id)
    if plan.id == team.plan:
        raise Conflict(f"The team is already on the {plan.name} plan.", reason="same-plan")
    if await _live_subscription(session, team.id):
        # A second checkout would start a second subscription billed beside the first.
        raise Conflict(
            "The team already has a subscription: change its plan in the billing portal.",
            reason="subscription-exists",
        )
    if provider == "lemonsqueezy":
        return _lemonsqueezy_checkout(settings, team, plan, email)
    if settings.stripe_secret_key is None:
        raise Conflict(
            "Payments are not set up on this server, so plans cannot be bought here yet; "
            "its operator can set them up (see the billing guide).",
            reason="billing-not-configured",
        )
    if plan.stripe_price_id is None:
        raise _not_sold(plan, "Stripe")
    customer = await _customer(session, team.id)
    params: dict[str, object] = {
        "mode": "subscription",
        "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
        "client_reference_id": team.id,
        "metadata": {"team_id": team.id, "plan": plan.id},
        "subscription_data": {"metadata": {"team_id": team.id, "plan": plan.id}},
        "success_url": settings.public_link(f"/app/billing?team={team.id}&checkout=done"),
        "cancel_url": settings.public_link(f"/app/billing?team={team.id}&checkout=cancelled"),
    }
    params.update({"customer": customer} if customer else {"customer_email": email})
    async with stripe_client(settings) as client:
        created = await client.v1.checkout.sessions.create_async(params=params)  # type: ignore[arg-type]
    if not created.url:
        raise BillingProviderFailed("Stripe answered without a checkout address.")
    return str(created.url)


async def open_portal(*, session: AsyncSession, settings: Settings, team: Team) -> str:
    """The address of the Stripe customer portal for the team's customer."""
    customer = await _customer(session, team.id)
    if customer is None:
        raise Conflict("The team has no Stripe subscription yet.", reason="no-customer")
    params = {
        "customer": customer,
        "return_url": settings.public_link(f"/app/billing?team={team.id}"),
    }
    async with stripe_client(settings) as client:
        portal = await client.v1.billing_portal.sessions.create_async(params=params)  # type: ignore[arg-type]
    return str(portal.url)


async def _live_subscription(session: AsyncSession, team_id: str) -> bool:
    """Whether the team pays (or owes) for a subscription that has not ended."""
    found = await session.scalar(
        select(Subscription.id).where(
            Subscription.team_id == team_id,
            Subscription.status.in_(("active", "trialing", "past_due")),
        )
    )
    return found is not None


async def _customer(session: AsyncSession, team_id: str) -> str | None:
    return await session.scalar(
        select(BillingCustomer.customer_id).where(
            BillingCustomer.team_id == team_id, BillingCustomer.provider == "stripe"
        )
    )


def _lemonsqueezy_checkout(settings: Settings, team: Team, plan: Plan, email: str) -> str:
    if settings.lemonsqueezy_checkout_url is None:
        raise Conflict(
            "LemonSqueezy is not configured on this server.", reason="billing-not-configured"
        )
    if plan.lemonsqueezy_variant_id is None:
        raise _not_sold(plan, "LemonSqueezy")
    base = str(settings.lemonsqueezy_checkout_url).rstrip("/")
    query = urlencode({"checkout[custom][team_id]": team.id, "checkout[email]": email})
    return f"{base}/{plan.lemonsqueezy_variant_id}?{query}"


def _not_sold(plan: Plan, provider: str) -> ValidationFailed:
    return ValidationFailed(
        f"The {plan.name} plan cannot be bought through {provider}.",
        errors=[{"in": "body", "pointer": "#/plan", "message": "Not for sale here."}],
    )
