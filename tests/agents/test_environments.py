"""An agent's environments: point them at versions, promote one from another, roll one
back, run ``agt_...@production``; what is refused; audited; another workspace sees none."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts import Account
from tests.runs.conftest import json_of
from tests.runs.local_agents import agent_with, local_provider
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio


def environments_url(account: Account, agent_id: str, *parts: str) -> str:
    base = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/environments"
    return "/".join([base, *parts])


async def versioned_agent(
    client: httpx.AsyncClient, account: Account, standin: OpenAIStandin
) -> tuple[str, dict[int, str]]:
    """An agent with versions 1 and 2 (and a provider to run it on); its version ids."""
    await local_provider(client, account.workspace_id, standin)
    agent_id = await agent_with(client, account.workspace_id)
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}"
    await json_of(await client.patch(url, json={"definition": {"instructions": "Version 2."}}))
    versions = await json_of(await client.get(f"{url}/versions"))
    return agent_id, {item["number"]: item["id"] for item in versions["items"]}


async def start(
    client: httpx.AsyncClient, account: Account, ref: str, **body: Any
) -> httpx.Response:
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{ref}/runs"
    return await client.post(url, json={"input": "hello", **body})


async def test_promote_run_and_roll_back_production(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id, ids = await versioned_agent(client, account, openai_standin)

    staging = await client.put(environments_url(account, agent_id, "staging"), json={"version": 1})
    first = await client.put(environments_url(account, agent_id, "production"), json={"version": 1})
    assert (await json_of(first))["previous_version"] is None
    await json_of(
        await client.put(environments_url(account, agent_id, "staging"), json={"version": 2})
    )
    promoted = await client.post(
        environments_url(account, agent_id, "production", "promote"), json={"source": "staging"}
    )

    assert (await json_of(staging))["version"] == 1
    assert {
        key: (await json_of(promoted))[key] for key in ("name", "version", "previous_version")
    } == {
        "name": "production",
        "version": 2,
        "previous_version": 1,
    }
    on_production = await json_of(await start(client, account, f"{agent_id}@production"), 202)
    assert on_production["agent_version_id"] == ids[2]
    by_body = await json_of(await start(client, account, agent_id, environment="production"), 202)
    assert by_body["agent_version_id"] == ids[2]
    by_number = await json_of(await start(client, account, f"{agent_id}@1"), 202)
    assert by_number["agent_version_id"] == ids[1]

    rolled = await json_of(
        await client.post(environments_url(account, agent_id, "production", "rollback"))
    )
    assert (rolled["version"], rolled["previous_version"]) == (1, 2)
    after = await json_of(await start(client, account, f"{agent_id}@production"), 202)
    assert after["agent_version_id"] == ids[1]
    listed = await json_of(await client.get(environments_url(account, agent_id)))
    assert [(item["name"], item["version"]) for item in listed["items"]] == [
        ("production", 1),
        ("staging", 2),
    ]
    log = await json_of(await client.get(f"/api/v1/teams/{account.team_id}/audit-log"))
    actions = [event["action"] for event in log["items"] if event["action"].startswith("agent.")]
    assert actions == [
        "agent.rolled_back",
        "agent.promoted",
        "agent.environment_set",
        "agent.environment_set",
        "agent.environment_set",
    ]
    rollback = next(event for event in log["items"] if event["action"] == "agent.rolled_back")
    assert rollback["data"] == {"environment": "production", "version": 1, "rolled_back_from": 2}


async def test_what_environments_refuse(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id, _ = await versioned_agent(client, account, openai_standin)
    url = environments_url(account, agent_id, "production")

    no_version = await client.put(url, json={"version": 9})
    bad_name = await client.put(environments_url(account, agent_id, "Prod!"), json={"version": 1})
    await json_of(await client.put(url, json={"version": 1}))
    fresh_rollback = await client.post(f"{url}/rollback")
    from_missing = await client.post(f"{url}/promote", json={"source": "staging"})
    to_itself = await client.post(f"{url}/promote", json={"source": "production"})
    unknown_run = await start(client, account, f"{agent_id}@canary")
    bad_pin = await start(client, account, f"{agent_id}@Not a name")
    pinned_twice = await start(client, account, f"{agent_id}@production", version=1)
    both = await start(client, account, agent_id, version=1, environment="production")

    assert (
        no_version.status_code == 422 and no_version.json()["errors"][0]["pointer"] == "#/version"
    )
    assert bad_name.status_code == 422
    assert fresh_rollback.status_code == 409
    assert fresh_rollback.json()["reason"] == "nothing-to-roll-back"
    assert (from_missing.status_code, to_itself.status_code) == (422, 422)
    assert unknown_run.status_code == 422
    assert unknown_run.json()["errors"][0]["pointer"] == "#/environment"
    assert bad_pin.status_code == 422 and bad_pin.json()["errors"][0]["name"] == "agent_id"
    assert (pinned_twice.status_code, both.status_code) == (422, 422)
    deleted = await client.delete(url)
    assert deleted.status_code == 204
    assert (await client.delete(url)).status_code == 404


async def test_another_workspace_sees_and_runs_none_of_them(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    ada = await sign_up()
    agent_id, _ = await versioned_agent(client, ada, openai_standin)
    await json_of(
        await client.put(environments_url(ada, agent_id, "production"), json={"version": 1})
    )
    bob = await sign_up("bob@example.com")
    client.cookies = bob.cookies

    listed = await client.get(environments_url(bob, agent_id))
    changed = await client.put(environments_url(bob, agent_id, "production"), json={"version": 2})
    run = await start(client, bob, f"{agent_id}@production")

    assert (listed.status_code, changed.status_code, run.status_code) == (404, 404, 404)
