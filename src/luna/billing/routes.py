"""Plans (public), a team's billing, checkout and portal, invoices, and the webhooks of
Stripe and LemonSqueezy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import SecretStr

from luna.billing import checkout, service
from luna.billing.providers import WebhookProvider, lemonsqueezy, stripe
from luna.billing.schemas import (
    BillingOverview,
    CheckoutCreate,
    InvoiceOut,
    InvoicePage,
    RedirectOut,
    WebhookAck,
)
from luna.billing.subscriptions import BillingContext, forget_changed_plans
from luna.cache import Caches
from luna.deps import (
    CachesDep,
    ClockDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    TeamManager,
    TeamReader,
)
from luna.plans import service as plans
from luna.plans.schemas import PlanPage

router = APIRouter(prefix="/api/v1", tags=["billing"])

TEAM = "/teams/{team_id}"


@router.get("/plans", operation_id="plans-list", response_model=PlanPage)
async def list_plans(session: SessionDep, caches: CachesDep) -> PlanPage:
    """The plans on the price list and their entitlements; no sign-in needed."""
    every_plan = await plans.cached_plans(session=session, caches=caches)
    items = [plan for plan in every_plan.values() if plan.public]
    return PlanPage(items=items, next_cursor=None)


@router.get(f"{TEAM}/billing", operation_id="billing-get", response_model=BillingOverview)
async def get_billing(actor: TeamReader, session: SessionDep, clock: ClockDep) -> BillingOverview:
    """The team's plan, subscription and use of its limits today."""
    team = await service.get_team(session=session, team_id=actor.team_id)
    return await service.billing_overview(session=session, team=team, now=clock())


@router.post(
    f"{TEAM}/billing/checkout",
    operation_id="billing-checkout",
    status_code=201,
    response_model=RedirectOut,
)
async def create_checkout(
    body: CheckoutCreate,
    actor: TeamManager,
    session: SessionDep,
    settings: SettingsDep,
    origin: OriginDep,
) -> RedirectOut:
    """A checkout page (Stripe or LemonSqueezy) that moves the team to ``plan``. The plan
    changes when the provider's webhook confirms the payment."""
    team = await service.get_team(session=session, team_id=actor.team_id)
    url = await checkout.do_start_checkout(
        session=session,
        settings=settings,
        team=team,
        plan_id=body.plan,
        provider=body.provider,
        actor_user_id=actor.user_id,
        origin=origin,
    )
    return RedirectOut(url=url)


@router.post(
    f"{TEAM}/billing/portal",
    operation_id="billing-portal",
    status_code=201,
    response_model=RedirectOut,
)
async def create_portal(
    actor: TeamManager, session: SessionDep, settings: SettingsDep
) -> RedirectOut:
    """The Stripe customer portal: payment methods, cancellation, past invoices."""
    team = await service.get_team(session=session, team_id=actor.team_id)
    return RedirectOut(
        url=await checkout.open_portal(session=session, settings=settings, team=team)
    )


@router.get(f"{TEAM}/invoices", operation_id="invoices-list", response_model=InvoicePage)
async def list_invoices(actor: TeamReader, session: SessionDep) -> InvoicePage:
    """The team's invoices, newest first, with amount, status, period and links."""
    invoices = await service.list_invoices(session=session, team_id=actor.team_id)
    items = [InvoiceOut.model_validate(invoice) for invoice in invoices]
    return InvoicePage(items=items, next_cursor=None)


@router.post("/webhooks/stripe", operation_id="webhooks-stripe", response_model=WebhookAck)
async def stripe_webhook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    caches: CachesDep,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> WebhookAck:
    """Stripe's events, verified against the raw body; each applied once."""
    context = BillingContext(session=session, settings=settings, now=clock())
    secret = settings.stripe_webhook_secret
    return await _receive(stripe.PROVIDER, request, stripe_signature, secret, context, caches)


@router.post(
    "/webhooks/lemonsqueezy", operation_id="webhooks-lemonsqueezy", response_model=WebhookAck
)
async def lemonsqueezy_webhook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    caches: CachesDep,
    x_signature: Annotated[str | None, Header(alias="X-Signature")] = None,
) -> WebhookAck:
    """LemonSqueezy's events, verified by the HMAC of the raw body; each applied once."""
    context = BillingContext(session=session, settings=settings, now=clock())
    secret = settings.lemonsqueezy_webhook_secret
    return await _receive(lemonsqueezy.PROVIDER, request, x_signature, secret, context, caches)


async def _receive(
    provider: WebhookProvider,
    request: Request,
    signature: str | None,
    secret: SecretStr | None,
    context: BillingContext,
    caches: Caches,
) -> WebhookAck:
    """One delivery of any provider: verified on its raw body, applied once, and the
    plans it changed forgotten by every cache."""
    payload = await request.body()
    event = provider.verify(payload, signature, secret.get_secret_value() if secret else None)
    outcome = await provider.handle(context, event, payload)
    await forget_changed_plans(context, caches)
    return WebhookAck(outcome=outcome)
