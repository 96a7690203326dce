"""API budgets per plan: each API key and each user gets its team plan's requests per
minute; an upgrade raises the budget at once; unknown credentials are counted by address;
a revoked key is refused at once although keys are cached."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from luna.app import create_app
from luna.observability.metrics import REGISTRY
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD, Account
from tests.billing.conftest import set_api_budget, set_plan
from tests.billing.test_entitlements import runnable_agent
from tests.usage.test_metering import api_key


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """New teams on Starter, as on the hosted service: the budgets are the plans'."""
    return settings.model_copy(update={"default_plan": "starter"})


pytestmark = pytest.mark.anyio


def agents_url(account: Account) -> str:
    return f"/api/v1/workspaces/{account.workspace_id}/agents"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def api_client(app: FastAPI) -> httpx.AsyncClient:
    """A client calling like a script: no cookies, from its own address."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.40", 50000))
    return httpx.AsyncClient(transport=transport, base_url=str(app.state.settings.public_url))


async def test_an_api_key_gets_its_team_plans_budget_and_an_upgrade_raises_it(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    key = await api_key(client, account.workspace_id, "agents:read")

    async with await api_client(app) as script:
        on_starter = await script.get(agents_url(account), headers=bearer(key))
        await set_plan(app, account.team_id, "growth")
        on_growth = await script.get(agents_url(account), headers=bearer(key))

    assert on_starter.status_code == 200, on_starter.text
    assert on_starter.headers["RateLimit-Limit"] == "100"
    assert on_starter.headers["RateLimit-Policy"] == "100;w=60"
    assert on_starter.headers["RateLimit-Remaining"] == "99"
    assert on_growth.headers["RateLimit-Limit"] == "300"
    assert on_growth.headers["RateLimit-Policy"] == "300;w=60"


async def test_a_key_over_its_plans_budget_gets_429_and_other_teams_keep_theirs(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    await set_api_budget(app, "starter", 3)
    await set_api_budget(app, "growth", 50)
    ada = await sign_up("ada@example.com")
    ada_key = await api_key(client, ada.workspace_id, "agents:read")
    client.cookies.clear()
    bob = await sign_up("bob@example.com")
    bob_key = await api_key(client, bob.workspace_id, "agents:read")
    await set_plan(app, bob.team_id, "growth")

    async with await api_client(app) as script:
        ada_calls = [await script.get(agents_url(ada), headers=bearer(ada_key)) for _ in range(4)]
        bob_call = await script.get(agents_url(bob), headers=bearer(bob_key))

    assert [call.status_code for call in ada_calls] == [200, 200, 200, 429]
    refused = ada_calls[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:luna:problem:rate-limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Limit"] == "3"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert bob_call.status_code == 200
    assert bob_call.headers["RateLimit-Limit"] == "50"


async def test_a_users_sessions_share_one_budget(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    first = await client.get(agents_url(account))
    async with await api_client(app) as second_browser:
        second_browser.headers["Origin"] = str(app.state.settings.public_url).rstrip("/")
        signed_in = await second_browser.post(
            "/api/v1/auth/login", json={"email": account.email, "password": STRONG_PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        second = await second_browser.get(agents_url(account))

    assert first.status_code == second.status_code == 200
    assert first.headers["RateLimit-Limit"] == second.headers["RateLimit-Limit"] == "100"
    assert int(second.headers["RateLimit-Remaining"]) < int(first.headers["RateLimit-Remaining"])


async def test_invented_api_keys_share_the_callers_address_budget(app: FastAPI) -> None:
    async with await api_client(app) as guesser:
        answers = [
            await guesser.get(
                "/api/v1/workspaces/ws_x/agents",
                headers=bearer("luna_sk_" + secrets.token_urlsafe(32)),
            )
            for _ in range(3)
        ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    default = app.state.settings.api_rate_limit.split("/")[0]
    assert {answer.headers["RateLimit-Limit"] for answer in answers} == {default}
    remaining = [int(answer.headers["RateLimit-Remaining"]) for answer in answers]
    first = remaining[0]
    assert remaining == [first, first - 1, first - 2]  # one budget, whatever the token


async def key_and_id(client: httpx.AsyncClient, account: Account) -> tuple[str, str]:
    created = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/api-keys",
        json={"name": "ci", "scopes": ["agents:read"]},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["key"]), str(created.json()["id"])


async def test_a_revoked_key_is_refused_at_once_though_keys_are_cached(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    key, key_id = await key_and_id(client, account)

    async with await api_client(app) as script:
        before = await script.get(agents_url(account), headers=bearer(key))
        revoked = await client.delete(
            f"/api/v1/workspaces/{account.workspace_id}/api-keys/{key_id}"
        )
        after = await script.get(agents_url(account), headers=bearer(key))

    assert before.status_code == 200
    assert revoked.status_code == 204
    assert after.status_code == 401
    assert after.json()["type"] == "urn:luna:problem:unauthenticated"


@pytest.fixture
async def second_replica(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Another API process of the same installation: same database, same Redis."""
    if app.state.settings.redis_url is None:
        pytest.skip("needs a Redis server: set LUNA_TEST_REDIS_URL (CI sets it)")
    replica = create_app(app.state.settings)
    async with replica.router.lifespan_context(replica):
        yield replica


async def test_a_revocation_and_a_plan_change_reach_another_replica_at_once(
    app: FastAPI, second_replica: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    key, key_id = await key_and_id(client, account)

    async with await api_client(second_replica) as script:
        cached = await script.get(agents_url(account), headers=bearer(key))
        await set_plan(app, account.team_id, "scale")  # invalidated through the first one
        await asyncio.sleep(0.2)  # the invalidation travels through Redis pub/sub
        upgraded = await script.get(agents_url(account), headers=bearer(key))
        await client.delete(f"/api/v1/workspaces/{account.workspace_id}/api-keys/{key_id}")
        await asyncio.sleep(0.2)  # the invalidation travels through Redis pub/sub
        revoked = await script.get(agents_url(account), headers=bearer(key))

    assert cached.status_code == 200
    assert cached.headers["RateLimit-Limit"] == "100"
    assert upgraded.headers["RateLimit-Limit"] == "1000"
    assert revoked.status_code == 401


async def test_repeated_calls_with_a_key_are_answered_from_the_caches(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    key = await api_key(client, account.workspace_id, "agents:read")
    async with await api_client(app) as script:
        await script.get(agents_url(account), headers=bearer(key))  # loads the caches
        before = {name: hits(name) for name in ("api-keys", "callers", "team-plans", "plans")}
        for _ in range(3):
            assert (await script.get(agents_url(account), headers=bearer(key))).status_code == 200

    after = {name: hits(name) for name in before}
    assert {name: after[name] - before[name] for name in before} == {
        "api-keys": 3,
        "callers": 3,
        "team-plans": 3,
        "plans": 3,
    }


def hits(namespace: str) -> float:
    value = REGISTRY.get_sample_value(
        "luna_cache_hits_total", {"namespace": namespace, "level": "local"}
    )
    return value or 0.0


async def test_an_agent_versions_definition_is_read_once_then_served_from_the_cache(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent_id = await runnable_agent(client, account)
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    first = await client.post(url, json={"input": "one"})
    before = hits("agent-versions")

    second = await client.post(url, json={"input": "two"})

    assert first.status_code == second.status_code == 202, second.text
    assert second.json()["agent_version_id"] == first.json()["agent_version_id"]
    assert hits("agent-versions") == before + 1
