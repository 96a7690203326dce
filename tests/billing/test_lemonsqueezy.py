"""LemonSqueezy's subscription webhooks: only signed events count; they drive the same
subscription model as Stripe's, each applied once, and a state older than the one
applied is ignored."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.billing.conftest import VARIANTS, plan_of, post_lemonsqueezy

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("priced_plans")]


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
