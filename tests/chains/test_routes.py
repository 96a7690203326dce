"""A workspace's chains through the API: create, validate, version, restore, presets,
plans, races, scopes and isolation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.accounts import STRONG_PASSWORD, Account
from tests.agents.test_routes import DEFINITION, agents_url, create_agent
from tests.billing.conftest import set_plan
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio


def chains_url(workspace_id: str, *parts: object) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/chains", *map(str, parts)])


async def two_agents(client: httpx.AsyncClient, account: Account) -> tuple[str, str]:
    first = await create_agent(client, account.workspace_id, name="Writer", definition=DEFINITION)
    second = await create_agent(client, account.workspace_id, name="Editor", definition=DEFINITION)
    return first["id"], second["id"]


def line(*agent_ids: str) -> dict[str, Any]:
    """A chain of the agents in order, node ``n0`` feeding ``n1`` and so on."""
    nodes = [{"id": f"n{i}", "agent_id": agent} for i, agent in enumerate(agent_ids)]
    edges = [{"source": f"n{i}", "target": f"n{i + 1}"} for i in range(len(agent_ids) - 1)]
    return {"nodes": nodes, "edges": edges}


async def test_a_chain_is_created_versioned_and_restored(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    writer, editor = await two_agents(client, account)
    created = await client.post(
        chains_url(account.workspace_id),
        json={"name": "Draft and edit", "definition": line(writer, editor)},
    )
    assert created.status_code == 201, created.text
    chain = created.json()
    assert created.headers["location"] == chains_url(account.workspace_id, chain["id"])
    assert chain["current_version"] == 1
    assert chain["node_count"] == 2
    assert chain["definition"]["edges"] == [{"source": "n0", "target": "n1"}]

    with_prompt = line(writer, editor)
    with_prompt["nodes"][1]["prompt"] = "Edit this:\n{{prev}}\nFor: {{input}}"
    changed = await client.patch(
        chains_url(account.workspace_id, chain["id"]),
        json={"definition": with_prompt, "name": "Write, then edit"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["current_version"] == 2
    stale = await client.patch(
        chains_url(account.workspace_id, chain["id"]),
        json={"description": "late"},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    restored = await client.post(
        chains_url(account.workspace_id, chain["id"], "versions", 1, "restore")
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["current_version"] == 3
    assert restored.json()["definition"]["nodes"][1]["prompt"] is None
    versions = (await client.get(chains_url(account.workspace_id, chain["id"], "versions"))).json()
    assert [v["number"] for v in versions["items"]] == [3, 2, 1]
    second = (await client.get(chains_url(account.workspace_id, chain["id"], "versions", 2))).json()
    assert second["definition"]["nodes"][1]["prompt"].startswith("Edit this:")
    listed = (await client.get(chains_url(account.workspace_id))).json()
    assert [(c["name"], c["current_version"]) for c in listed["items"]] == [("Write, then edit", 3)]

    assert (await client.delete(chains_url(account.workspace_id, chain["id"]))).status_code == 204
    assert (await client.get(chains_url(account.workspace_id, chain["id"]))).status_code == 404
    # The agents stay.
    assert (await client.get(agents_url(account.workspace_id, writer))).status_code == 200


async def test_a_cycle_is_refused_naming_its_nodes(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    writer, _ = await two_agents(client, account)
    looped = {
        "nodes": [{"id": n, "agent_id": writer} for n in ("plan", "build", "check")],
        "edges": [
            {"source": "plan", "target": "build"},
            {"source": "build", "target": "check"},
            {"source": "check", "target": "build"},
        ],
    }
    refused = await client.post(
        chains_url(account.workspace_id), json={"name": "Loop", "definition": looped}
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["detail"].startswith("The chain is not valid: The chain has a cycle: ")
    assert set(problem["cycle"]) == {"build", "check"}
    assert problem["errors"][0]["pointer"] == "#/definition/edges"
    too_many = line(*([writer] * 21))
    refused = await client.post(
        chains_url(account.workspace_id), json={"name": "Long", "definition": too_many}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "#/definition/nodes"
    assert (await client.get(chains_url(account.workspace_id))).json()["items"] == []


async def test_nodes_name_only_active_agents_and_providers_of_the_workspace(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    writer, editor = await two_agents(client, account)
    async with browser_client(app) as other:
        signed = await other.post(
            "/api/v1/auth/signup",
            json={"email": "mallory@example.com", "password": STRONG_PASSWORD, "display_name": "M"},
        )
        theirs = signed.json()["teams"][0]["workspaces"][0]["id"]
        their_agent = await create_agent(other, theirs, name="Theirs", definition=DEFINITION)
        # Another workspace's agent, or the chain through another workspace: refused alike.
        refused = await other.post(
            chains_url(theirs),
            json={"name": "Borrowed", "definition": line(their_agent["id"], writer)},
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["pointer"] == "#/definition/nodes/1/agent_id"
    chain = (
        await client.post(
            chains_url(account.workspace_id), json={"name": "Mine", "definition": line(writer)}
        )
    ).json()
    async with browser_client(app) as other:
        await other.post(
            "/api/v1/auth/login", json={"email": "mallory@example.com", "password": STRONG_PASSWORD}
        )
        assert (await other.get(chains_url(account.workspace_id, chain["id"]))).status_code == 404
        assert (await other.get(chains_url(theirs, chain["id"]))).status_code == 404

    archived = await client.patch(
        agents_url(account.workspace_id, editor), json={"status": "archived"}
    )
    assert archived.status_code == 200
    refused = await client.post(
        chains_url(account.workspace_id), json={"name": "Stale", "definition": line(writer, editor)}
    )
    assert refused.status_code == 422
    assert "archived" in refused.json()["detail"]
    elsewhere = line(writer)
    elsewhere["nodes"][0]["model"] = {"provider_id": "prv_nope", "model": "m"}
    refused = await client.post(
        chains_url(account.workspace_id), json={"name": "Model", "definition": elsewhere}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "#/definition/nodes/0/model/provider_id"


async def test_a_preset_brings_its_catalog_agents_within_the_plan(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    presets = (await client.get("/api/v1/chain-presets")).json()["items"]
    assert [p["slug"] for p in presets] == [
        "full-review",
        "new-feature",
        "deploy",
        "security-audit",
        "api-design",
    ]
    await set_plan(app, account.team_id, "starter")
    refused = await client.post(chains_url(account.workspace_id), json={"preset": "full-review"})
    assert refused.status_code == 402, refused.text
    assert refused.json()["type"] == "urn:luna:problem:entitlement-exceeded:active-agents"
    assert (await client.get(agents_url(account.workspace_id))).json()["items"] == []

    await set_plan(app, account.team_id, "growth")
    reviewer = await create_agent(client, account.workspace_id, template="code-review")
    created = await client.post(chains_url(account.workspace_id), json={"preset": "full-review"})
    assert created.status_code == 201, created.text
    chain = created.json()
    assert (chain["name"], chain["preset"]) == ("Full review", "full-review")
    agents = (await client.get(agents_url(account.workspace_id))).json()["items"]
    by_template = {agent["template_slug"]: agent["id"] for agent in agents}
    assert sorted(by_template) == ["code-review", "documentation", "testing-validation"]
    nodes = chain["definition"]["nodes"]
    assert [node["agent_id"] for node in nodes] == [
        reviewer["id"],
        by_template["testing-validation"],
        by_template["documentation"],
    ]
    assert all(node["template"] is None for node in nodes)
    again = await client.post(chains_url(account.workspace_id), json={"preset": "full-review"})
    assert again.json()["name"] == "Full review (2)"
    assert len((await client.get(agents_url(account.workspace_id))).json()["items"]) == 3
    unknown = await client.post(chains_url(account.workspace_id), json={"preset": "no-such"})
    assert unknown.status_code == 422


async def test_a_double_submit_makes_one_chain(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    writer, _ = await two_agents(client, account)
    body = {"name": "Once", "definition": line(writer)}
    answers = await asyncio.gather(
        *(client.post(chains_url(account.workspace_id), json=body) for _ in range(2))
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert len((await client.get(chains_url(account.workspace_id))).json()["items"]) == 1


async def test_keys_need_the_chain_scopes(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    writer, _ = await two_agents(client, account)

    async def key(*scopes: str) -> dict[str, str]:
        made = await client.post(
            f"/api/v1/workspaces/{account.workspace_id}/api-keys",
            json={"name": "-".join(scopes), "scopes": list(scopes)},
        )
        assert made.status_code == 201, made.text
        return {"Authorization": f"Bearer {made.json()['key']}"}

    agents_only = await key("agents:read", "agents:write")
    readers = await key("chains:read")
    writers = await key("chains:read", "chains:write")
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as api:
        body = {"name": "By key", "definition": line(writer)}
        url = chains_url(account.workspace_id)
        assert (await api.get(url, headers=agents_only)).status_code == 403
        assert (await api.post(url, json=body, headers=readers)).status_code == 403
        assert (await api.post(url, json=body, headers=writers)).status_code == 201
        assert len((await api.get(url, headers=readers)).json()["items"]) == 1
