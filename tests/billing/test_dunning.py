"""Dunning with a moved clock: a failed payment keeps the plan for the grace period with
reminders on days 0, 3 and 6, then Starter's limits (data kept); a payment restores the
plan at once."""

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
    plan_of,
    post_stripe,
    stripe_event,
    stripe_invoice,
    stripe_subscription,
)
from tests.runs.test_streaming import catalog_agent

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("priced_plans")]


async def emails(app: FastAPI, template: str) -> int:
    async with app.state.resources.session_factory() as session:
        statement = select(func.count()).select_from(OutboxEmail)
        return int(await session.scalar(statement.where(OutboxEmail.template == template)) or 0)


async def dunning_pass(app: FastAPI, clock: MovableClock, day: int) -> None:
    """A pass ``day`` days (and a minute) after the clock's time of the failed payment."""
    now = clock.now + timedelta(days=day, minutes=1)
    await run_dunning(
        session_factory=app.state.resources.session_factory, settings=app.state.settings, now=now
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
    async with app.state.resources.session_factory() as session:
        kept = await session.scalar(select(func.count()).select_from(Agent))
    assert kept == 2  # nothing is deleted
    paid = stripe_invoice("in_1", subscription="sub_1", status="paid")

    await post_stripe(provider, stripe_event("invoice.paid", paid, created=start + 2))

    assert await plan_of(app, account.team_id) == "growth"
    billing = (await client.get(f"/api/v1/teams/{account.team_id}/billing")).json()
    assert billing["subscription"]["status"] == "active"
    assert billing["subscription"]["past_due_since"] is None
    assert await emails(app, "billing-receipt") == 1
