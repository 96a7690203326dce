"""Dunning with a moved clock: a failed payment keeps the plan for the grace period with
reminders on days 0, 3 and 6, then Starter's limits (data kept); a payment restores the
plan at once. LemonSqueezy events drive the same subscription model."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.agents.models import Agent
from luna.billing.dunning import run_dunning
from luna.notifications.models import OutboxEmail
from tests.accounts import MovableClock
from tests.billing.conftest import (
    VARIANTS,
    plan_of,
    post_lemonsqueezy,
    post_stripe,
    stripe_event,
    stripe_invoice,
    stripe_subscription,
)
from tests.runs.test_streaming import catalog_agent

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("priced_plans")]


async def emails(app: FastAPI, template: str) -> int:
    async with app.state.session_factory() as session:
        statement = select(func.count()).select_from(OutboxEmail)
        return int(await session.scalar(statement.where(OutboxEmail.template == template)) or 0)


async def dunning_pass(app: FastAPI, clock: MovableClock, day: int) -> None:
    """A pass ``day`` days (and a minute) after the clock's time of the failed payment."""
    now = clock.now + timedelta(days=day, minutes=1)
    await run_dunning(
        session_factory=app.state.session_factory, settings=app.state.settings, now=now
    )


async def test_past_due_reminders_downgrade_and_recovery(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    provider: httpx.AsyncClient,
    clock: MovableClock,
) -> None:
    account = await sign_up()
    start = int(time.time()) - 100
    sub = stripe_subscription("sub_1", team_id=account.team_id)
    await post_stripe(provider, stripe_event("customer.subscription.created", sub, created=start))
    for slug in ("code-review", "documentation"):
        await catalog_agent(client, account.workspace_id, slug)
    failed = stripe_invoice("in_1", subscription="sub_1", status="open")

    await post_stripe(provider, stripe_event("invoice.payment_failed", failed, created=start + 1))

    assert await plan_of(app, account.team_id) == "growth"
    assert await emails(app, "billing-payment-failed") == 1
    billing = (await client.get(f"/api/v1/teams/{account.team_id}/billing")).json()
    assert billing["subscription"]["status"] == "past_due"
    for day, reminders in [(2, 0), (3, 1), (5, 1), (6, 2)]:
        await dunning_pass(app, clock, day)
        assert await emails(app, "billing-payment-reminder") == reminders, day
    assert await plan_of(app, account.team_id) == "growth"

    await dunning_pass(app, clock, 7)
    await dunning_pass(app, clock, 7)  # twice: nothing more happens

    assert await plan_of(app, account.team_id) == "starter"
    assert await emails(app, "billing-plan-changed") == 2  # the upgrade, then this
    async with app.state.session_factory() as session:
        kept = await session.scalar(select(func.count()).select_from(Agent))
    assert kept == 2  # nothing is deleted
    paid = stripe_invoice("in_1", subscription="sub_1", status="paid")

    await post_stripe(provider, stripe_event("invoice.paid", paid, created=start + 2))

    assert await plan_of(app, account.team_id) == "growth"
    billing = (await client.get(f"/api/v1/teams/{account.team_id}/billing")).json()
    assert billing["subscription"]["status"] == "active"
    assert billing["subscription"]["past_due_since"] is None
    assert await emails(app, "billing-receipt") == 1


def lemonsqueezy_subscription(team_id: str, *, status: str, updated_at: str) -> dict:
    return {
        "meta": {"event_name": "subscription_updated", "custom_data": {"team_id": team_id}},
        "data": {
            "type": "subscriptions",
            "id": "ls_sub_1",
            "attributes": {
                "customer_id": 77,
                "variant_id": int(VARIANTS["growth"]),
                "status": status,
                "renews_at": "2027-01-01T00:00:00.000000Z",
                "ends_at": None,
                "updated_at": updated_at,
            },
        },
    }


async def test_lemonsqueezy_wrong_signature_changes_nothing(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    event = lemonsqueezy_subscription(
        account.team_id, status="active", updated_at="2026-11-28T10:00:00Z"
    )

    response = await post_lemonsqueezy(provider, event, secret="not-the-secret")

    assert response.status_code == 400
    assert await plan_of(app, account.team_id) == "starter"


async def test_lemonsqueezy_upgrades_once_and_ignores_older_states(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    active = lemonsqueezy_subscription(
        account.team_id, status="active", updated_at="2026-11-28T10:00:00Z"
    )
    older = lemonsqueezy_subscription(
        account.team_id, status="expired", updated_at="2026-11-28T09:00:00Z"
    )

    first = await post_lemonsqueezy(provider, active)
    again = await post_lemonsqueezy(provider, active)
    late = await post_lemonsqueezy(provider, older)

    outcomes = [r.json()["outcome"] for r in (first, again, late)]
    assert outcomes == ["applied", "duplicate", "stale"]
    assert await plan_of(app, account.team_id) == "growth"
