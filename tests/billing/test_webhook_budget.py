"""Webhook deliveries have a budget of their own: a busy minute of billing events never
spends (nor is refused by) the anonymous per-address API budget, and a flood of
deliveries to one webhook route is still cut off, whichever addresses it comes from."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from luna.app import create_app
from luna.security.limits import parse_limit
from luna.security.rate_limit import (
    RateLimiter,
    RateLimitMiddleware,
    default_rules,
)
from luna.settings import Settings
from tests.billing.conftest import post_lemonsqueezy, post_stripe, stripe_event
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio

ANONYMOUS_BUDGET = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The billing test settings with a small anonymous API budget, as in a busy minute."""
    return settings.model_copy(update={"api_rate_limit": f"{ANONYMOUS_BUDGET}/minute"})


async def test_a_busy_minute_of_stripe_events_is_never_refused_by_the_api_budget(
    app: FastAPI, provider: httpx.AsyncClient
) -> None:
    events = [stripe_event("charge.succeeded", {"id": f"ch_{n}"}) for n in range(25)]

    responses = [await post_stripe(provider, event) for event in events]

    assert [response.status_code for response in responses] == [200] * 25
    assert {response.json()["outcome"] for response in responses} == {"ignored"}
    # The deliveries spent none of the address's API budget: its other calls still pass.
    plans = [await provider.get("/api/v1/plans") for _ in range(ANONYMOUS_BUDGET + 1)]
    assert [response.status_code for response in plans] == [200] * ANONYMOUS_BUDGET + [429]


async def test_lemonsqueezy_deliveries_have_their_own_budget_too(
    provider: httpx.AsyncClient,
) -> None:
    event = {
        "meta": {"event_name": "order_created"},
        "data": {"type": "orders", "id": "1", "attributes": {}},
    }
    responses = []
    for number in range(ANONYMOUS_BUDGET * 3):
        event["data"]["id"] = str(number)  # type: ignore[index]
        responses.append(await post_lemonsqueezy(provider, event))

    assert [response.status_code for response in responses] == [200] * (ANONYMOUS_BUDGET * 3)


def webhook_app(limiter: RateLimiter, *, webhook_limit: str) -> RateLimitMiddleware:
    async def receive(request: Request) -> JSONResponse:
        return JSONResponse({"received": True})

    routes = [
        Route("/api/v1/webhooks/stripe", receive, methods=["POST"]),
        Route("/api/v1/webhooks/lemonsqueezy", receive, methods=["POST"]),
    ]
    return RateLimitMiddleware(
        Starlette(routes=routes),
        limiter=limiter,
        rules=default_rules("10/minute", webhook_limit=webhook_limit),
        default_limit="2/minute",
    )


async def deliver(app: RateLimitMiddleware, path: str, address: str) -> int:
    transport = httpx.ASGITransport(app=app, client=(address, 443))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return (await http.post(path)).status_code


async def test_a_flood_of_deliveries_to_one_route_is_cut_off_from_every_address() -> None:
    async with RateLimiter("async+memory://", key_prefix="webhook-flood") as limiter:
        app = webhook_app(limiter, webhook_limit="6/minute")
        statuses = [
            await deliver(app, "/api/v1/webhooks/stripe", f"198.51.100.{number}")
            for number in range(8)  # eight addresses, one budget for the route
        ]
        other_route = await deliver(app, "/api/v1/webhooks/lemonsqueezy", "198.51.100.1")

    assert statuses == [200] * 6 + [429] * 2
    assert other_route == 200  # each webhook route has a budget of its own


def test_the_webhook_budget_is_larger_than_the_anonymous_api_budget() -> None:
    rules = {rule.name: rule for rule in default_rules()}
    anonymous = parse_limit(Settings.model_fields["api_rate_limit"].default)

    for name, path in (
        ("webhooks-stripe", "/api/v1/webhooks/stripe"),
        ("webhooks-lemonsqueezy", "/api/v1/webhooks/lemonsqueezy"),
    ):
        assert rules[name].matches("POST", path)
        assert rules[name].item.amount > anonymous.amount


async def test_the_operator_sets_the_webhook_budget(settings: Settings) -> None:
    """``LUNA_WEBHOOK_RATE_LIMIT`` reaches the running app's webhook routes."""
    small = settings.model_copy(update={"webhook_rate_limit": "3/minute"})
    app = create_app(small)
    async with app.router.lifespan_context(app), browser_client(app) as provider:
        events = [stripe_event("charge.succeeded", {"id": f"ch_{n}"}) for n in range(4)]
        statuses = [(await post_stripe(provider, event)).status_code for event in events]

    assert statuses == [200, 200, 200, 429]


def test_a_webhook_budget_the_limits_notation_refuses_is_a_setting_error() -> None:
    with pytest.raises(ValidationError, match="webhook_rate_limit"):
        Settings(secret_key="x" * 40, webhook_rate_limit="lots", _env_file=None)  # type: ignore[call-arg]
