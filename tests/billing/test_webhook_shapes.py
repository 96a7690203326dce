"""Signed Stripe events of a shape Luna cannot read: a clear 400 problem (never a 500
that Stripe retries for days), recorded as rejected, and nothing changed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI
from sqlalchemy import select
from structlog.testing import capture_logs

from luna.billing.models import BillingEvent, Subscription
from tests.accounts import Account
from tests.billing.conftest import (
    STRIPE_WEBHOOK_SECRET,
    plan_of,
    post_lemonsqueezy,
    post_stripe,
    stripe_event,
    stripe_invoice,
    stripe_subscription,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("priced_plans")]

PROBLEM = "application/problem+json"


def subscription_with(account: Account, **fields: Any) -> dict[str, Any]:
    body = stripe_subscription("sub_odd", team_id=account.team_id)
    body.update(fields)
    return stripe_event("customer.subscription.updated", body, event_id="evt_odd")


def invoice_with(**fields: Any) -> dict[str, Any]:
    body = stripe_invoice("in_odd", subscription="sub_odd", status="paid")
    body.update(fields)
    return stripe_event("invoice.paid", body, event_id="evt_odd")


def odd_events(account: Account) -> dict[str, dict[str, Any]]:
    """Signed events whose shape breaks what Luna reads, by what breaks."""
    created_far_away = subscription_with(account)
    created_far_away["created"] = 10**20
    object_is_text = stripe_event("customer.subscription.updated", {}, event_id="evt_odd")
    object_is_text["data"]["object"] = "sub_odd"
    return {
        "created-10^20": created_far_away,
        "data.object-a-string": object_is_text,
        "period-end-not-a-number": subscription_with(account, current_period_end="next month"),
        "period-end-out-of-range": subscription_with(account, current_period_end=-(10**18)),
        "unknown-status": subscription_with(account, status="on_holiday"),
        "items-not-a-list": subscription_with(account, items={"data": "si_1"}),
        "metadata-a-list": subscription_with(account, metadata=["team_id"]),
        "team-id-a-number": subscription_with(account, metadata={"team_id": 42}),
        "id-an-object": subscription_with(account, id={"nested": {"id": ["sub"]}}),
        "customer-a-number": subscription_with(account, customer=12.5),
        "invoice-amount-text": invoice_with(amount_paid="lots"),
        "invoice-amount-huge": invoice_with(amount_due=10**30),
        "invoice-number-long": invoice_with(number="N" * 5000),
        "invoice-unknown-status": invoice_with(status="lost"),
    }


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    return problem


async def rejected_events(app: FastAPI) -> list[BillingEvent]:
    async with app.state.resources.session_factory() as session:
        return list(await session.scalars(select(BillingEvent)))


@pytest.mark.parametrize(
    "case",
    [
        "created-10^20",
        "data.object-a-string",
        "period-end-not-a-number",
        "period-end-out-of-range",
        "unknown-status",
        "items-not-a-list",
        "metadata-a-list",
        "team-id-a-number",
        "id-an-object",
        "customer-a-number",
        "invoice-amount-text",
        "invoice-amount-huge",
        "invoice-number-long",
        "invoice-unknown-status",
    ],
)
async def test_an_event_of_an_unexpected_shape_is_refused_and_recorded(
    app: FastAPI, sign_up, provider: httpx.AsyncClient, case: str
) -> None:
    account = await sign_up()
    await post_stripe(
        provider,
        stripe_event(
            "customer.subscription.created",
            stripe_subscription("sub_odd", team_id=account.team_id),
            created=1_700_000_000,
        ),
    )
    event = odd_events(account)[case]

    with capture_logs() as logs:
        response = await post_stripe(provider, event)
        again = await post_stripe(provider, event)  # Stripe's retry

    problem = problem_of(response)
    assert problem["type"] == "urn:luna:problem:malformed-event"
    assert problem_of(again)["type"] == "urn:luna:problem:malformed-event"
    rejected = [row for row in await rejected_events(app) if row.event_id == "evt_odd"]
    assert [(row.outcome, row.event_type) for row in rejected] == [("rejected", event["type"])]
    assert rejected[0].data["reason"]
    assert any(entry["event"] == "billing event rejected" for entry in logs)
    async with app.state.resources.session_factory() as session:
        subscription = await session.scalar(select(Subscription))
    assert subscription is not None
    assert subscription.status == "active"
    assert subscription.provider_updated_at.timestamp() == 1_700_000_000
    assert await plan_of(app, account.team_id) == "growth"


async def test_json_nested_too_deeply_to_read_is_refused_and_logged(
    app: FastAPI, provider: httpx.AsyncClient
) -> None:
    depth = 100_000  # far deeper than any parser's recursion, well within the body limit
    payload = (
        '{"id": "evt_deep", "object": "event", "type": "customer.subscription.updated", '
        '"created": 1700000000, "data": {"object": {"metadata": '
        + "[" * depth
        + "]" * depth
        + "}}}"
    )
    header = stripe.WebhookSignature.generate_signature_header(payload, STRIPE_WEBHOOK_SECRET)

    with capture_logs() as logs:
        response = await provider.post(
            "/api/v1/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )

    assert problem_of(response)["type"] == "urn:luna:problem:malformed-event"
    assert any(entry["event"] == "billing event rejected" for entry in logs)
    assert await rejected_events(app) == []  # no id could be read from it


async def test_an_event_id_too_long_to_store_is_refused_without_a_record(
    app: FastAPI, provider: httpx.AsyncClient
) -> None:
    response = await post_stripe(provider, stripe_event("ping", {}, event_id="evt_" + "x" * 300))

    assert problem_of(response)["type"] == "urn:luna:problem:malformed-event"
    assert await rejected_events(app) == []


async def test_deep_json_within_reason_is_read_where_it_matters(
    app: FastAPI, sign_up, provider: httpx.AsyncClient
) -> None:
    account = await sign_up()
    nested: dict[str, Any] = {}
    for _ in range(200):
        nested = {"nested": nested}
    sub = stripe_subscription("sub_ok", team_id=account.team_id)
    sub["metadata"] = {"team_id": account.team_id, "notes": nested}

    response = await post_stripe(provider, stripe_event("customer.subscription.updated", sub))

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "applied"
    assert json.loads(response.request.content)["data"]["object"]["id"] == "sub_ok"
    assert await plan_of(app, account.team_id) == "growth"


def lemonsqueezy_event(team_id: Any, **attributes: Any) -> dict[str, Any]:
    return {
        "meta": {"event_name": "subscription_payment_success", "custom_data": team_id},
        "data": {
            "type": "subscription-invoices",
            "id": "ls_inv_1",
            "attributes": {
                "subscription_id": "ls_sub_1",
                "status": "paid",
                "currency": "USD",
                "total": 2900,
                "created_at": "2026-11-28T10:00:00Z",
                "updated_at": "2026-11-28T10:00:00Z",
                "urls": {"invoice_url": "https://lemonsqueezy.test/i/1"},
                **attributes,
            },
        },
    }


@pytest.mark.parametrize(
    ("custom_data", "attributes"),
    [
        ("team_1", {}),
        (None, {"total": "lots"}),
        (None, {"total": 10**30}),
        (None, {"updated_at": "yesterday"}),
        (None, {"urls": "https://lemonsqueezy.test/i/1"}),
    ],
    ids=["custom-data-a-string", "total-text", "total-huge", "time-text", "urls-a-string"],
)
async def test_a_lemonsqueezy_event_of_an_unexpected_shape_is_refused_and_recorded(
    app: FastAPI, provider: httpx.AsyncClient, custom_data: Any, attributes: dict[str, Any]
) -> None:
    event = lemonsqueezy_event(custom_data, **attributes)

    response = await post_lemonsqueezy(provider, event)
    again = await post_lemonsqueezy(provider, event)

    assert problem_of(response)["type"] == "urn:luna:problem:malformed-event"
    assert problem_of(again)["type"] == "urn:luna:problem:malformed-event"
    rows = await rejected_events(app)
    assert [(row.provider, row.outcome) for row in rows] == [("lemonsqueezy", "rejected")]
