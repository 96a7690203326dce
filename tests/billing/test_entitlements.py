"""The entitlement engine through the API: Starter's limits answer 402 with the
documented body, counters hold under concurrency, days reset at midnight UTC, and an
upgrade lifts the limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.plans.models import UsageCounter
from luna.runs.models import Run
from tests.accounts import Account, MovableClock
from tests.billing.conftest import plan_of, set_api_budget, set_plan
from tests.runs.test_streaming import add_provider, catalog_agent

pytestmark = pytest.mark.anyio


def runs_url(account: Account, agent_id: str) -> str:
    return f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"


async def runnable_agent(client: httpx.AsyncClient, account: Account) -> str:
    """An agent with a provider, so that runs can be queued (no worker runs them)."""
    await add_provider(
        client,
        account.workspace_id,
        name="Local",
        kind="openai_compatible",
        base_url="http://127.0.0.1:9/v1",
        api_key="sk-local",
        default_model="qwen3-8b",
    )
    return await catalog_agent(client, account.workspace_id, "code-review")


async def use_runs(app: FastAPI, team_id: str, count: int, day: datetime) -> None:
    async with app.state.resources.session_factory() as session:
        session.add(UsageCounter(team_id=team_id, metric="runs", day=day.date(), count=count))
        await session.commit()


async def stored_runs(app: FastAPI) -> int:
    async with app.state.resources.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Run)) or 0)


def assert_exceeded(response: httpx.Response, entitlement: str) -> dict[str, Any]:
    assert response.status_code == 402, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:luna:problem:entitlement-exceeded:{entitlement}"
    assert problem["entitlement"] == entitlement
    return problem


async def test_plans_are_public_with_their_entitlements(provider: httpx.AsyncClient) -> None:
    response = await provider.get("/api/v1/plans")

    assert response.status_code == 200
    plans = {plan["id"]: plan for plan in response.json()["items"]}
    assert list(plans) == ["starter", "growth", "scale", "enterprise"]
    assert (plans["starter"]["runs_per_day"], plans["starter"]["active_agents"]) == (100, 1)
    assert (plans["growth"]["runs_per_day"], plans["growth"]["active_agents"]) == (None, 10)
    assert plans["growth"]["price_cents"] == 2900
    assert plans["scale"]["sso"] is True and plans["starter"]["sso"] is False
    assert plans["enterprise"]["price_cents"] is None


async def test_new_teams_start_on_starter(app: FastAPI, sign_up) -> None:
    account = await sign_up()

    assert await plan_of(app, account.team_id) == "starter"


async def test_the_101st_run_of_the_day_is_refused_with_the_documented_body(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    account = await sign_up()
    agent_id = await runnable_agent(client, account)
    await use_runs(app, account.team_id, 99, clock.now)

    hundredth = await client.post(runs_url(account, agent_id), json={"input": "x"})
    refused = await client.post(runs_url(account, agent_id), json={"input": "x"})

    assert hundredth.status_code == 202, hundredth.text
    problem = assert_exceeded(refused, "runs-per-day")
    assert (problem["limit"], problem["current"], problem["plan"]) == (100, 100, "starter")
    assert problem["upgrade_plan"] == "growth"
    assert problem["upgrade_url"] == f"/app/billing?team={account.team_id}&plan=growth"
    assert "100 runs a day" in problem["detail"]
    assert await stored_runs(app) == 1


async def test_100_simultaneous_runs_with_99_used_let_exactly_one_through(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    account = await sign_up()
    agent_id = await runnable_agent(client, account)
    await use_runs(app, account.team_id, 99, clock.now)
    await set_api_budget(app, "starter", 1000)  # the burst must meet the run limit only

    responses = await asyncio.gather(
        *(client.post(runs_url(account, agent_id), json={"input": "x"}) for _ in range(100))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [202] + [402] * 99
    assert await stored_runs(app) == 1
    overview = await client.get(f"/api/v1/teams/{account.team_id}/billing")
    usage = {use["entitlement"]: use for use in overview.json()["usage"]}
    assert usage["runs-per-day"] == {"entitlement": "runs-per-day", "used": 100, "limit": 100}


async def test_the_daily_count_starts_again_at_midnight_utc(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    clock.now = datetime(clock.now.year, clock.now.month, clock.now.day, 23, 59, tzinfo=UTC)
    account = await sign_up()
    agent_id = await runnable_agent(client, account)
    await use_runs(app, account.team_id, 100, clock.now)
    assert (await client.post(runs_url(account, agent_id), json={"input": "x"})).status_code == 402

    clock.advance(minutes=1)

    assert (await client.post(runs_url(account, agent_id), json={"input": "x"})).status_code == 202


async def test_a_refused_request_uses_nothing(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    account = await sign_up()
    agent_id = await runnable_agent(client, account)

    invalid = await client.post(runs_url(account, agent_id), json={"input": "x", "thread_id": "no"})

    assert invalid.status_code in (404, 422)
    overview = (await client.get(f"/api/v1/teams/{account.team_id}/billing")).json()
    assert {u["entitlement"]: u["used"] for u in overview["usage"]}["runs-per-day"] == 0


async def test_starter_has_one_active_agent_and_growth_ten(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    first = await catalog_agent(client, account.workspace_id, "code-review")
    agents = f"/api/v1/workspaces/{account.workspace_id}/agents"

    second = await client.post(agents, json={"template": "documentation"})

    problem = assert_exceeded(second, "active-agents")
    assert (problem["limit"], problem["current"], problem["upgrade_plan"]) == (1, 1, "growth")
    assert problem["detail"] == (
        "The Starter plan allows 1 active agent; this team has used 1. Upgrade to Growth for more."
    )
    archived = await client.patch(f"{agents}/{first}", json={"status": "archived"})
    assert archived.status_code == 200
    assert (await client.post(agents, json={"template": "documentation"})).status_code == 201
    reactivated = await client.patch(f"{agents}/{first}", json={"status": "active"})
    assert_exceeded(reactivated, "active-agents")

    await set_plan(app, account.team_id, "growth")

    assert (await client.patch(f"{agents}/{first}", json={"status": "active"})).status_code == 200
    assert (await client.post(agents, json={"template": "testing-validation"})).status_code == 201


async def test_paid_catalog_agents_need_a_paid_plan(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agents = f"/api/v1/workspaces/{account.workspace_id}/agents"

    refused = await client.post(agents, json={"template": "auth"})

    problem = assert_exceeded(refused, "catalog-agents")
    assert (problem["limit"], problem["upgrade_plan"]) == (False, "growth")
    await set_plan(app, account.team_id, "growth")
    assert (await client.post(agents, json={"template": "auth"})).status_code == 201


async def test_starter_has_one_workspace_and_scale_several(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    body = {"team_id": account.team_id, "name": "Second"}

    problem = assert_exceeded(await client.post("/api/v1/workspaces", json=body), "workspaces")

    assert (problem["limit"], problem["current"], problem["upgrade_plan"]) == (1, 1, "scale")
    await set_plan(app, account.team_id, "scale")
    assert (await client.post("/api/v1/workspaces", json=body)).status_code == 201


async def test_invitations_beyond_the_seats_are_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    invitations = f"/api/v1/teams/{account.team_id}/invitations"
    for number in (1, 2):
        invited = await client.post(
            invitations, json={"email": f"p{number}@example.com", "role": "member"}
        )
        assert invited.status_code == 201, invited.text

    problem = assert_exceeded(
        await client.post(invitations, json={"email": "p3@example.com", "role": "member"}),
        "seats",
    )

    assert (problem["limit"], problem["current"]) == (3, 3)


async def test_a_team_sees_its_plan_and_use_but_not_another_teams(
    client: httpx.AsyncClient, sign_up
) -> None:
    other = await sign_up("grace@example.com")
    account = await sign_up("ada@example.com")

    mine = await client.get(f"/api/v1/teams/{account.team_id}/billing")
    theirs = await client.get(f"/api/v1/teams/{other.team_id}/billing")

    assert mine.status_code == 200
    assert mine.json()["plan"]["id"] == "starter" and mine.json()["subscription"] is None
    assert theirs.status_code == 404
    assert (await client.get(f"/api/v1/teams/{other.team_id}/invoices")).status_code == 404
