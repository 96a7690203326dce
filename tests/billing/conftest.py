"""Billing fixtures: webhook secrets, plans with prices, signed provider events, a Stripe
API stand-in."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select, update

from luna.plans.models import Plan
from luna.plans.service import forget_plans
from luna.settings import Settings
from luna.tenancy.models import Team
from tests.standins.stripe_server import StripeStandin

STRIPE_WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
LEMONSQUEEZY_SECRET = "ls_test_signing_secret"
PRICES = {"growth": "price_growth_monthly", "scale": "price_scale_monthly"}
VARIANTS = {"growth": "1001", "scale": "1002"}
_event_numbers = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings, with the billing providers' secrets, and new teams on
    Starter as on the hosted service."""
    return settings.model_copy(
        update={
            "default_plan": "starter",
            "stripe_webhook_secret": SecretStr(STRIPE_WEBHOOK_SECRET),
            "lemonsqueezy_webhook_secret": SecretStr(LEMONSQUEEZY_SECRET),
        }
    )


@pytest.fixture
async def priced_plans(app: FastAPI) -> None:
    """Growth and Scale sold through Stripe prices and LemonSqueezy variants."""
    async with app.state.resources.session_factory() as session:
        for plan_id, price in PRICES.items():
            await session.execute(
                update(Plan)
                .where(Plan.id == plan_id)
                .values(stripe_price_id=price, lemonsqueezy_variant_id=VARIANTS[plan_id])
            )
        await session.commit()


@pytest.fixture
def stripe_api() -> Iterator[StripeStandin]:
    """A running Stripe API stand-in that sells the Growth and Scale prices."""
    with StripeStandin(prices=PRICES.values()) as standin:
        yield standin


@pytest.fixture
async def provider(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client calling like a billing provider's servers: no cookies, no Origin."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 443))
    headers = {"User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
    async with httpx.AsyncClient(
        transport=transport, base_url=str(app.state.settings.public_url), headers=headers
    ) as http:
        yield http


async def set_plan(app: FastAPI, team_id: str, plan: str) -> None:
    async with app.state.resources.session_factory() as session:
        await session.execute(update(Team).where(Team.id == team_id).values(plan=plan))
        await session.commit()
    await app.state.caches.team_plans.invalidate(team_id)


async def set_api_budget(app: FastAPI, plan: str, per_minute: int) -> None:
    """Give a plan another API budget, as an operator would."""
    async with app.state.resources.session_factory() as session:
        await session.execute(
            update(Plan).where(Plan.id == plan).values(api_requests_per_minute=per_minute)
        )
        await session.commit()
    await forget_plans(app.state.caches)


async def plan_of(app: FastAPI, team_id: str) -> str:
    async with app.state.resources.session_factory() as session:
        plan = await session.scalar(select(Team.plan).where(Team.id == team_id))
    assert plan is not None
    return plan


def stripe_event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """A Stripe event envelope around ``obj``, as Stripe sends it."""
    return {
        "id": event_id or f"evt_test_{next(_event_numbers):06d}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": created if created is not None else int(time.time()),
        "type": event_type,
        "livemode": False,
        "data": {"object": obj},
    }


def stripe_subscription(
    sub_id: str,
    *,
    team_id: str,
    status: str = "active",
    price: str = PRICES["growth"],
    customer: str = "cus_test_1",
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "metadata": {"team_id": team_id},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_test",
                    "price": {"id": price, "object": "price"},
                    "current_period_start": now,
                    "current_period_end": now + 30 * 86400,
                }
            ],
        },
    }


def stripe_invoice(
    invoice_id: str,
    *,
    subscription: str,
    status: str,
    amount: int = 2900,
    customer: str = "cus_test_1",
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "number": f"LUNA-{invoice_id[-4:]}",
        "status": status,
        "currency": "usd",
        "amount_due": amount,
        "amount_paid": amount if status == "paid" else 0,
        "period_start": now,
        "period_end": now + 30 * 86400,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice_id}",
        "invoice_pdf": f"https://pay.stripe.com/invoice/{invoice_id}/pdf",
        "created": now,
        "parent": {"subscription_details": {"subscription": subscription}},
    }


async def post_stripe(
    client: httpx.AsyncClient,
    event: dict[str, Any],
    *,
    secret: str = STRIPE_WEBHOOK_SECRET,
    timestamp: int | None = None,
) -> httpx.Response:
    """Deliver an event signed with Stripe's scheme, from outside any browser."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return await client.post(
        "/api/v1/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


async def post_lemonsqueezy(
    client: httpx.AsyncClient, event: dict[str, Any], *, secret: str = LEMONSQUEEZY_SECRET
) -> httpx.Response:
    payload = json.dumps(event).encode()
    signature = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return await client.post(
        "/api/v1/webhooks/lemonsqueezy",
        content=payload,
        headers={
            "X-Signature": signature,
            "X-Event-Name": event["meta"]["event_name"],
            "Content-Type": "application/json",
        },
    )
