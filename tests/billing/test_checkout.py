"""Checkout and the customer portal, against a Stripe stand-in on a real port: what Stripe
receives, who may start a checkout, how Stripe's refusals and outages reach the caller, and
the LemonSqueezy checkout link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import stripe
from fastapi import FastAPI
from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy import select, update

from luna.deps import get_settings
from luna.plans.models import Plan
from luna.settings import Settings
from luna.tenancy.models import AuditEvent
from tests.accounts import Account
from tests.billing.conftest import (
    PRICES,
    VARIANTS,
    post_stripe,
    set_plan,
    stripe_event,
    stripe_subscription,
)
from tests.billing.test_stripe import checkout_completed
from tests.standins.stripe_server import StripeRequest, StripeStandin, stripe_error
from tests.tenancy.test_members import teammate

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("priced_plans")]

LEMONSQUEEZY_CHECKOUT = "https://luna-test.lemonsqueezy.com/checkout/buy"
CHECKOUTS = "/v1/checkout/sessions"
PORTALS = "/v1/billing_portal/sessions"


@pytest.fixture
def settings(settings: Settings, stripe_api: StripeStandin) -> Settings:
    """The billing settings with Stripe's key and address pointing at the stand-in."""
    return settings.model_copy(
        update={
            "stripe_secret_key": SecretStr(stripe_api.api_key),
            "stripe_api_base": AnyHttpUrl(stripe_api.base_url),
            "lemonsqueezy_checkout_url": AnyHttpUrl(LEMONSQUEEZY_CHECKOUT),
        }
    )


async def start_checkout(
    http: httpx.AsyncClient, team_id: str, plan: str = "growth", **body: object
) -> httpx.Response:
    return await http.post(f"/api/v1/teams/{team_id}/billing/checkout", json={"plan": plan, **body})


async def open_portal(http: httpx.AsyncClient, team_id: str) -> httpx.Response:
    return await http.post(f"/api/v1/teams/{team_id}/billing/portal")


async def checkouts_started(app: FastAPI) -> list[AuditEvent]:
    async with app.state.resources.session_factory() as session:
        found = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "billing.checkout_started")
        )
        return list(found)


async def become_customer(provider: httpx.AsyncClient, account: Account) -> None:
    """The team pays through Stripe: a signed checkout.session.completed for cus_test_1."""
    response = await post_stripe(provider, checkout_completed(account))
    assert response.json()["outcome"] == "applied", response.text


@asynccontextmanager
async def configured(app: FastAPI, **changes: object) -> AsyncIterator[None]:
    """The app's settings with ``changes``, for the requests made inside."""
    app.dependency_overrides[get_settings] = lambda: app.state.settings.model_copy(update=changes)
    try:
        yield
    finally:
        del app.dependency_overrides[get_settings]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"urn:luna:problem:{code}"
    return problem


def only_checkout(stripe_api: StripeStandin) -> StripeRequest:
    [sent] = stripe_api.requests
    assert sent.path == CHECKOUTS
    return sent


async def test_an_owners_checkout_sends_stripe_the_plan_the_team_and_the_payer(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up("ada@example.com")

    response = await start_checkout(client, owner.team_id, "growth", provider="stripe")

    assert response.status_code == 201, response.text
    sent = only_checkout(stripe_api)
    assert sent.response is not None
    assert response.json() == {"url": sent.response["url"]}
    assert response.json()["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    team = {"team_id": owner.team_id, "plan": "growth"}
    billing_page = f"http://127.0.0.1:8000/app/billing?team={owner.team_id}"
    assert sent.form == {
        "mode": "subscription",
        "line_items": [{"price": PRICES["growth"], "quantity": "1"}],
        "client_reference_id": owner.team_id,
        "metadata": team,
        "subscription_data": {"metadata": team},
        "success_url": f"{billing_page}&checkout=done",
        "cancel_url": f"{billing_page}&checkout=cancelled",
        "customer_email": "ada@example.com",
    }
    assert sent.headers["authorization"] == f"Bearer {stripe_api.api_key}"
    assert sent.stripe_version == stripe.api_version
    assert sent.idempotency_key
    [event] = await checkouts_started(app)
    assert (event.team_id, event.actor_user_id) == (owner.team_id, owner.user_id)
    assert (event.target_type, event.target_id) == ("team", owner.team_id)
    assert event.data == {"plan": "growth", "provider": "stripe"}


async def test_a_former_subscriber_checks_out_again_as_its_stripe_customer(
    client: httpx.AsyncClient, sign_up, provider: httpx.AsyncClient, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    await become_customer(provider, owner)
    ended = stripe_subscription("sub_test_1", team_id=owner.team_id, status="canceled")
    await post_stripe(provider, stripe_event("customer.subscription.deleted", ended))

    response = await start_checkout(client, owner.team_id, "scale")

    assert response.status_code == 201, response.text
    sent = only_checkout(stripe_api).form
    assert sent["customer"] == "cus_test_1"
    assert "customer_email" not in sent
    assert sent["line_items"] == [{"price": PRICES["scale"], "quantity": "1"}]


async def test_a_team_with_a_live_subscription_changes_plan_in_the_portal_not_a_checkout(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    provider: httpx.AsyncClient,
    stripe_api: StripeStandin,
) -> None:
    owner = await sign_up()
    await become_customer(provider, owner)
    subscription = stripe_subscription("sub_live", team_id=owner.team_id)
    created = await post_stripe(
        provider, stripe_event("customer.subscription.created", subscription)
    )
    assert created.json()["outcome"] == "applied", created.text

    response = await start_checkout(client, owner.team_id, "scale")

    problem = assert_problem(response, 409, "conflict")
    assert problem["reason"] == "subscription-exists"
    assert stripe_api.requests == []  # no second subscription is ever started
    assert await checkouts_started(app) == []


@pytest.mark.parametrize("role", ["member", "viewer"])
async def test_only_owners_and_admins_may_send_the_team_to_pay(
    app: FastAPI, sign_up, stripe_api: StripeStandin, role: str
) -> None:
    owner = await sign_up("owner@example.com")

    async with teammate(app, owner.team_id, "someone@example.com", role) as person:
        refused = await start_checkout(person.http, owner.team_id)
        portal = await open_portal(person.http, owner.team_id)

    assert_problem(refused, 403, "forbidden")
    assert_problem(portal, 403, "forbidden")
    assert stripe_api.requests == []
    assert await checkouts_started(app) == []


async def test_an_admin_checks_out_with_their_own_email(
    app: FastAPI, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up("owner@example.com")

    async with teammate(app, owner.team_id, "admin@example.com", "admin") as admin:
        response = await start_checkout(admin.http, owner.team_id)

    assert response.status_code == 201, response.text
    assert only_checkout(stripe_api).form["customer_email"] == "admin@example.com"
    [event] = await checkouts_started(app)
    assert event.actor_user_id == admin.user_id


async def test_another_teams_billing_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    other = await sign_up("grace@example.com")
    await sign_up("ada@example.com")

    assert_problem(await start_checkout(client, other.team_id), 404, "not-found")
    assert_problem(await open_portal(client, other.team_id), 404, "not-found")
    assert stripe_api.requests == []
    assert await checkouts_started(app) == []


async def test_an_unknown_plan_is_not_found_and_hidden_plans_stay_hidden(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    async with app.state.resources.session_factory() as session:
        await session.execute(update(Plan).where(Plan.id == "scale").values(public=False))
        await session.commit()

    problem = assert_problem(
        await start_checkout(client, owner.team_id, "platinum"), 404, "not-found"
    )

    assert problem["detail"] == "No plan 'platinum'; the plans are: starter, growth, enterprise."
    assert stripe_api.requests == []


@pytest.mark.parametrize("plan", ["starter", "enterprise"])
async def test_a_plan_without_a_stripe_price_is_refused_at_the_plan_field(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin, plan: str
) -> None:
    owner = await sign_up()
    await set_plan(app, owner.team_id, "scale")

    problem = assert_problem(
        await start_checkout(client, owner.team_id, plan), 422, "validation-failed"
    )

    assert [error["pointer"] for error in problem["errors"]] == ["#/plan"]
    assert stripe_api.requests == []


async def test_checking_out_the_current_plan_conflicts(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    await set_plan(app, owner.team_id, "growth")

    problem = assert_problem(await start_checkout(client, owner.team_id, "growth"), 409, "conflict")

    assert problem["reason"] == "same-plan"
    assert stripe_api.requests == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"plan": "growth", "coupon": "FREE"}, "#/coupon"),
        ({"plan": "growth", "provider": "paypal"}, "#/provider"),
        ({"provider": "stripe"}, "#/plan"),
        ({"plan": ""}, "#/plan"),
    ],
    ids=["extra-field", "unknown-provider", "no-plan", "empty-plan"],
)
async def test_a_malformed_checkout_is_refused_at_its_field(
    client: httpx.AsyncClient,
    sign_up,
    stripe_api: StripeStandin,
    body: dict[str, str],
    pointer: str,
) -> None:
    owner = await sign_up()

    response = await client.post(f"/api/v1/teams/{owner.team_id}/billing/checkout", json=body)

    problem = assert_problem(response, 422, "validation-failed")
    assert [error["pointer"] for error in problem["errors"]] == [pointer]
    assert stripe_api.requests == []


@pytest.mark.parametrize(
    ("provider_name", "setting"),
    [("stripe", "stripe_secret_key"), ("lemonsqueezy", "lemonsqueezy_checkout_url")],
)
async def test_a_provider_without_configuration_is_not_configured(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    stripe_api: StripeStandin,
    provider_name: str,
    setting: str,
) -> None:
    owner = await sign_up()

    async with configured(app, **{setting: None}):
        response = await start_checkout(client, owner.team_id, provider=provider_name)

    problem = assert_problem(response, 409, "conflict")
    assert problem["reason"] == "billing-not-configured"
    assert stripe_api.requests == []
    assert await checkouts_started(app) == []


async def test_an_install_without_payments_says_so_rather_than_that_the_plan_is_not_sold(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    """A fresh install has neither a Stripe key nor prices: the upgrade says payments are
    not set up here (it said the plan "cannot be bought through Stripe")."""
    owner = await sign_up()
    async with app.state.resources.session_factory() as session:
        await session.execute(update(Plan).values(stripe_price_id=None))
        await session.commit()

    async with configured(app, stripe_secret_key=None):
        response = await start_checkout(client, owner.team_id)

    problem = assert_problem(response, 409, "conflict")
    assert problem["reason"] == "billing-not-configured"
    assert problem["detail"].startswith("Payments are not set up on this server")
    assert stripe_api.requests == []


async def test_the_portal_without_a_stripe_key_is_not_configured(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    provider: httpx.AsyncClient,
    stripe_api: StripeStandin,
) -> None:
    owner = await sign_up()
    await become_customer(provider, owner)

    async with configured(app, stripe_secret_key=None):
        response = await open_portal(client, owner.team_id)

    assert assert_problem(response, 409, "conflict")["reason"] == "billing-not-configured"
    assert stripe_api.requests == []


async def test_a_price_stripe_does_not_know_is_a_provider_failure_naming_stripes_message(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    async with app.state.resources.session_factory() as session:
        await session.execute(
            update(Plan).where(Plan.id == "growth").values(stripe_price_id="price_x")
        )
        await session.commit()

    response = await start_checkout(client, owner.team_id, "growth")

    problem = assert_problem(response, 503, "billing-provider-failed")
    assert "No such price: 'price_x'" in problem["detail"]
    [refused] = stripe_api.requests  # a refusal is final: the SDK does not retry it
    assert refused.status == 400
    assert await checkouts_started(app) == []


async def test_a_refusal_stripe_was_told_to_give_reaches_the_caller(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    stripe_api.fail_next(
        status=400,
        error=stripe_error(
            "No such price: 'price_x'", param="line_items[0][price]", code="resource_missing"
        ),
    )

    response = await start_checkout(client, owner.team_id)

    problem = assert_problem(response, 503, "billing-provider-failed")
    assert problem["detail"] == "Stripe refused the request: No such price: 'price_x'"
    assert len(stripe_api.requests) == 1
    assert await checkouts_started(app) == []


async def test_a_wrong_secret_key_is_a_provider_failure(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()

    async with configured(app, stripe_secret_key=SecretStr("sk_test_revoked_key_0000")):
        response = await start_checkout(client, owner.team_id)

    problem = assert_problem(response, 503, "billing-provider-failed")
    assert "sk_test" not in problem["detail"]  # the operator's problem, in the log
    [refused] = stripe_api.requests
    assert refused.headers["authorization"] == "Bearer sk_test_revoked_key_0000"
    assert await checkouts_started(app) == []


@pytest.mark.parametrize("outage", ["server-error", "dropped-connection"])
async def test_a_transient_outage_is_retried_with_the_same_idempotency_key(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin, outage: str
) -> None:
    owner = await sign_up()
    if outage == "server-error":
        stripe_api.fail_next(status=500)
    else:
        stripe_api.drop_next()

    response = await start_checkout(client, owner.team_id)

    assert response.status_code == 201, response.text
    first, retry = stripe_api.requests
    assert first.idempotency_key and first.idempotency_key == retry.idempotency_key
    assert first.fields == retry.fields
    assert retry.response is not None and response.json() == {"url": retry.response["url"]}
    assert len(await checkouts_started(app)) == 1


async def test_stripe_failing_through_every_retry_is_a_provider_failure(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    stripe_api.fail_next(3, status=500)

    response = await start_checkout(client, owner.team_id)

    problem = assert_problem(response, 503, "billing-provider-failed")
    assert problem["detail"] == "Stripe refused the request: Something went wrong on Stripe's end."
    assert len(stripe_api.requests) == 3  # the first try and two retries
    assert len({request.idempotency_key for request in stripe_api.requests}) == 1
    assert await checkouts_started(app) == []


async def test_stripe_unreachable_through_every_retry_is_a_provider_failure_in_our_words(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    stripe_api.drop_next(3)

    response = await start_checkout(client, owner.team_id)

    problem = assert_problem(response, 503, "billing-provider-failed")
    assert problem["detail"] == "Stripe could not be reached; try again shortly."
    assert len(stripe_api.requests) == 3
    assert await checkouts_started(app) == []


async def test_the_portal_needs_a_stripe_customer(
    client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()

    response = await open_portal(client, owner.team_id)

    assert assert_problem(response, 409, "conflict")["reason"] == "no-customer"
    assert stripe_api.requests == []


async def test_the_portal_opens_for_the_teams_customer_and_comes_back_to_billing(
    client: httpx.AsyncClient, sign_up, provider: httpx.AsyncClient, stripe_api: StripeStandin
) -> None:
    owner = await sign_up()
    await become_customer(provider, owner)

    response = await open_portal(client, owner.team_id)

    assert response.status_code == 201, response.text
    [sent] = stripe_api.requests_to(PORTALS)
    assert sent.response is not None
    assert response.json() == {"url": sent.response["url"]}
    assert response.json()["url"].startswith("https://billing.stripe.com/p/session/")
    assert sent.form == {
        "customer": "cus_test_1",
        "return_url": f"http://127.0.0.1:8000/app/billing?team={owner.team_id}",
    }
    assert sent.headers["authorization"] == f"Bearer {stripe_api.api_key}"


async def test_a_lemonsqueezy_checkout_links_the_variant_and_the_team(
    app: FastAPI, client: httpx.AsyncClient, sign_up, stripe_api: StripeStandin
) -> None:
    owner = await sign_up("ada@example.com")

    response = await start_checkout(client, owner.team_id, "scale", provider="lemonsqueezy")

    assert response.status_code == 201, response.text
    link = urlsplit(response.json()["url"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == (
        f"{LEMONSQUEEZY_CHECKOUT}/{VARIANTS['scale']}"
    )
    assert parse_qs(link.query) == {
        "checkout[custom][team_id]": [owner.team_id],
        "checkout[email]": ["ada@example.com"],
    }
    assert stripe_api.requests == []
    [event] = await checkouts_started(app)
    assert event.data == {"plan": "scale", "provider": "lemonsqueezy"}
