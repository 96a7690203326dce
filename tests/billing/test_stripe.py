"""Stripe webhooks: real signatures, idempotency under concurrent redelivery, events out
of order, the plan following the subscription, invoices, and unknown events."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.billing.models import BillingEvent, Invoice, Subscription
from luna.notifications.models import OutboxEmail
from luna.tenancy.models import AuditEvent
from tests.accounts import Account
from tests.billing.conftest import (
    PRICES,
    plan_of,
    post_stripe,
    stripe_event,
    stripe_invoice,
    stripe_subscription,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("priced_plans")]


def checkout_completed(account: Account, *, plan: str = "growth", **extra: object) -> dict:
    session = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": account.team_id,
        "customer": "cus_test_1",
        "subscription": "sub_test_1",
        "payment_status": "paid",
        "metadata": {"team_id": account.team_id, "plan": plan},
    }
    return stripe_event("checkout.session.completed", session, **extra)  # type: ignore[arg-type]


async def count(app: FastAPI, model: type, *conditions: object) -> int:
    async with app.state.resources.session_factory() as session:
        statement = select(func.count()).select_from(model).where(*conditions)  # type: ignore[arg-type]
        return int(await session.scalar(statement) or 0)


async def test_a_completed_checkout_upgrades_the_team(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()

    response = await post_stripe(provider, checkout_completed(account))

    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "outcome": "applied"}
    assert await plan_of(app, account.team_id) == "growth"
    changes = await count(app, AuditEvent, AuditEvent.action == "billing.plan_changed")
    assert changes == 1
    assert await count(app, OutboxEmail, OutboxEmail.template == "billing-plan-changed") == 1


@pytest.mark.parametrize(
    ("secret", "age_seconds"),
    [("whsec_someone_else", 0), (None, 301)],
    ids=["wrong-secret", "stale"],
)
async def test_a_bad_or_stale_signature_is_refused_and_changes_nothing(
    app: FastAPI, sign_up, provider: httpx.AsyncClient, secret: str | None, age_seconds: int
) -> None:
    account = await sign_up()
    options: dict = {"timestamp": int(time.time()) - age_seconds}
    if secret:
        options["secret"] = secret

    response = await post_stripe(provider, checkout_completed(account), **options)

    assert response.status_code == 400
    assert response.json()["type"] == "urn:luna:problem:invalid-signature"
    assert await plan_of(app, account.team_id) == "starter"
    assert await count(app, BillingEvent) == 0


async def test_a_tampered_body_is_refused(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    event = checkout_completed(account)
    signed = await post_stripe(provider, stripe_event("ping", {}))  # a valid signature...
    assert signed.status_code == 200
    header = signed.request.headers["Stripe-Signature"]

    response = await provider.post(  # ...over another body
        "/api/v1/webhooks/stripe",
        content=str(event).encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert await plan_of(app, account.team_id) == "starter"


async def test_the_same_event_100_times_at_once_changes_state_once(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    event = checkout_completed(account)

    responses = await asyncio.gather(*(post_stripe(provider, event) for _ in range(100)))

    assert {response.status_code for response in responses} == {200}
    outcomes = sorted(response.json()["outcome"] for response in responses)
    assert outcomes == ["applied"] + ["duplicate"] * 99
    assert await count(app, BillingEvent) == 1
    assert await count(app, Subscription) == 1
    assert await count(app, AuditEvent, AuditEvent.action == "billing.plan_changed") == 1
    assert await count(app, OutboxEmail, OutboxEmail.template == "billing-plan-changed") == 1


async def test_an_update_that_arrives_before_the_creation_wins(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    created_at = int(time.time()) - 60
    created = stripe_event(
        "customer.subscription.created",
        stripe_subscription("sub_1", team_id=account.team_id, status="incomplete"),
        created=created_at,
    )
    updated = stripe_event(
        "customer.subscription.updated",
        stripe_subscription("sub_1", team_id=account.team_id, status="active"),
        created=created_at + 5,
    )

    first = await post_stripe(provider, updated)
    late = await post_stripe(provider, created)

    assert (first.json()["outcome"], late.json()["outcome"]) == ("applied", "stale")
    assert await plan_of(app, account.team_id) == "growth"
    async with app.state.resources.session_factory() as session:
        subscription = await session.scalar(select(Subscription))
    assert subscription is not None and subscription.status == "active"


async def test_a_creation_in_the_same_second_never_overrides_a_known_subscription(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    second = int(time.time())
    body = stripe_subscription("sub_1", team_id=account.team_id, status="active")
    await post_stripe(provider, stripe_event("customer.subscription.updated", body, created=second))
    incomplete = stripe_subscription("sub_1", team_id=account.team_id, status="incomplete")

    late = await post_stripe(
        provider, stripe_event("customer.subscription.created", incomplete, created=second)
    )

    assert late.json()["outcome"] == "stale"
    assert await plan_of(app, account.team_id) == "growth"


async def test_plan_changes_and_cancellation_follow_the_subscription(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    start = int(time.time()) - 100
    sub = stripe_subscription("sub_1", team_id=account.team_id)
    await post_stripe(provider, stripe_event("customer.subscription.created", sub, created=start))
    assert await plan_of(app, account.team_id) == "growth"

    scale = stripe_subscription("sub_1", team_id=account.team_id, price=PRICES["scale"])
    await post_stripe(
        provider, stripe_event("customer.subscription.updated", scale, created=start + 10)
    )
    assert await plan_of(app, account.team_id) == "scale"

    ended = stripe_subscription("sub_1", team_id=account.team_id, status="canceled")
    await post_stripe(
        provider, stripe_event("customer.subscription.deleted", ended, created=start + 20)
    )
    assert await plan_of(app, account.team_id) == "starter"
    audit = await count(app, AuditEvent, AuditEvent.action == "billing.plan_changed")
    assert audit == 3


async def test_invoices_are_stored_and_listed_for_the_team(
    app: FastAPI, client: httpx.AsyncClient, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    start = int(time.time()) - 100
    await post_stripe(provider, checkout_completed(account, created=start))
    finalized = stripe_invoice("in_0001", subscription="sub_test_1", status="open")
    paid = stripe_invoice("in_0001", subscription="sub_test_1", status="paid")

    await post_stripe(provider, stripe_event("invoice.finalized", finalized, created=start + 1))
    await post_stripe(provider, stripe_event("invoice.paid", paid, created=start + 2))

    invoices = (await client.get(f"/api/v1/teams/{account.team_id}/invoices")).json()["items"]
    assert len(invoices) == 1
    invoice = invoices[0]
    assert (invoice["status"], invoice["amount_paid_cents"], invoice["currency"]) == (
        "paid",
        2900,
        "usd",
    )
    assert invoice["hosted_url"] == "https://invoice.stripe.com/i/in_0001"
    assert invoice["pdf_url"].endswith("/in_0001/pdf")
    assert invoice["period_end"] is not None
    receipts = await count(app, OutboxEmail, OutboxEmail.template == "billing-receipt")
    assert receipts == 1


async def test_unknown_events_are_acknowledged_and_recorded(
    app: FastAPI, provider: httpx.AsyncClient
) -> None:
    response = await post_stripe(provider, stripe_event("charge.dispute.created", {"id": "dp_1"}))

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert await count(app, BillingEvent, BillingEvent.outcome == "ignored") == 1


async def test_events_for_no_known_team_are_acknowledged(
    app: FastAPI, provider: httpx.AsyncClient
) -> None:
    sub = stripe_subscription("sub_x", team_id="team_does_not_exist")

    response = await post_stripe(provider, stripe_event("customer.subscription.updated", sub))

    assert response.json()["outcome"] == "unmatched"


async def test_a_body_that_is_not_an_event_is_a_clear_400(
    provider: httpx.AsyncClient, sign_up
) -> None:
    response = await post_stripe(provider, {"hello": "world"})  # type: ignore[arg-type]

    assert response.status_code == 400
    assert "not a Stripe event" in response.json()["detail"]


def invoice_of(account: Account, status: str) -> dict:
    invoice = stripe_invoice("in_1", subscription="sub_1", status=status)
    invoice["metadata"] = {"team_id": account.team_id}  # matched even before the subscription
    return invoice


async def test_simultaneous_distinct_events_about_one_new_subscription_create_it_once(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    start = int(time.time()) - 100
    statuses = ["incomplete", "active", "past_due", "active"]
    events = [
        stripe_event(
            "customer.subscription.created" if n == 0 else "customer.subscription.updated",
            stripe_subscription("sub_1", team_id=account.team_id, status=statuses[n % 4]),
            created=start + n,
        )
        for n in range(20)
    ]
    invoices = [
        stripe_event(kind, invoice_of(account, status), created=at)
        for kind, status, at in (
            ("invoice.finalized", "open", start + 1),
            ("invoice.paid", "paid", start + 2),
        )
    ]

    responses = await asyncio.gather(*(post_stripe(provider, e) for e in events + invoices))

    assert [response.status_code for response in responses] == [200] * 22, [
        response.text for response in responses if response.status_code != 200
    ]
    assert await count(app, BillingEvent) == 22
    assert await count(app, Subscription) == 1
    assert await count(app, Invoice) == 1
    async with app.state.resources.session_factory() as session:
        subscription = await session.scalar(select(Subscription))
        invoice = await session.scalar(select(Invoice))
    assert subscription is not None and invoice is not None
    # Whatever order they were applied in, the newest event's state is the one kept.
    assert subscription.status == "active"
    assert subscription.provider_updated_at.timestamp() == start + 19
    assert invoice.status == "paid"
    assert await plan_of(app, account.team_id) == "growth"
