"""Swarms against the local model stand-in: a race cancels its losers, a vote hands
every answer to its judge, a debate stops when the critic accepts; their shapes are
checked when saved, and they list apart from chains."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from luna.chains.swarms import SwarmSpec, swarm_definition
from tests.accounts import Account
from tests.chains.test_routes import chains_url
from tests.chains.test_runs import bracketing_model, finished, last_user_message, start
from tests.runs.conftest import Worker, json_of
from tests.runs.local_agents import agent_with, local_provider
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio


def swarms_url(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/swarms"


async def create_swarm(client: httpx.AsyncClient, account: Account, **body: Any) -> Any:
    created = await client.post(swarms_url(account.workspace_id), json={"name": "Swarm", **body})
    return await json_of(created, 201)


async def run_swarm(client: httpx.AsyncClient, account: Account, swarm: Any, text: str) -> Any:
    started = await json_of(await start(client, account, swarm["id"], text), 201)
    return await finished(client, account.workspace_id, started["id"])


async def events_of(client: httpx.AsyncClient, account: Account, chain_run_id: str) -> list[Any]:
    url = f"/api/v1/workspaces/{account.workspace_id}/chain-runs/{chain_run_id}/events"
    body = (await client.get(url)).text
    kinds = [
        line.removeprefix("event: ") for line in body.splitlines() if line.startswith("event:")
    ]
    data = [
        json.loads(line.removeprefix("data: "))
        for line in body.splitlines()
        if line.startswith("data:")
    ]
    return list(zip(kinds, data, strict=True))


class SlowModelStandin(OpenAIStandin):
    """Holds every request for the model ``slow`` until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.held = 0
        super().__init__()

    async def answer_model_call(self, request: Request) -> Response:
        if json.loads(await request.body()).get("model") == "slow":
            self.held += 1
            await asyncio.to_thread(self.release.wait, 90)
        return await super().answer_model_call(request)


async def provider_id(client: httpx.AsyncClient, account: Account) -> str:
    listed = await json_of(await client.get(f"/api/v1/workspaces/{account.workspace_id}/providers"))
    return str(listed["items"][0]["id"])


async def test_a_race_takes_the_first_answer_and_cancels_the_others(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    standin = SlowModelStandin()
    with standin as model:
        model.respond_with(lambda body: Turn(text=f"answer of {body['model']}"))
        await local_provider(client, account.workspace_id, model)
        agent = await agent_with(client, account.workspace_id)
        provider = await provider_id(client, account)
        members = [
            {"agent_id": agent, "model": {"provider_id": provider, "model": name}}
            for name in ("slow", "fast", "slow")
        ]
        swarm = await create_swarm(client, account, strategy="race", members=members)
        try:
            done = await run_swarm(client, account, swarm, "Who answers first?")
        finally:
            standin.release.set()
        events = await events_of(client, account, done["id"])

    assert done["status"] == "succeeded"
    assert done["output"] == {"agent-2": "answer of fast"}
    statuses = {node["node_id"]: node["status"] for node in done["nodes"]}
    assert statuses == {"agent-1": "cancelled", "agent-2": "succeeded", "agent-3": "cancelled"}
    assert standin.held == 2  # the losers were asked too
    assert ("swarm.decided", {"strategy": "race", "winner": "agent-2"}) in [
        (kind, {k: v for k, v in data.items() if k in ("strategy", "winner")})
        for kind, data in events
        if kind == "swarm.decided"
    ]
    losers = [node["run_id"] for node in done["nodes"] if node["node_id"] != "agent-2"]
    for run_id in losers:
        for _ in range(300):
            run = await json_of(
                await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{run_id}")
            )
            if run["status"] == "cancelled":
                break
            await asyncio.sleep(0.05)
        assert run["status"] == "cancelled"
    # What the losers spent is the chain run's too.
    runs = [
        await json_of(
            await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{node['run_id']}")
        )
        for node in done["nodes"]
    ]
    assert done["tokens_in"] == sum(run["tokens_in"] for run in runs)


async def test_a_vote_hands_every_answer_to_the_judge_whose_reasoning_is_its_run(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    async with bracketing_model(client, account) as model:
        agent = await agent_with(client, account.workspace_id)
        swarm = await create_swarm(
            client,
            account,
            strategy="vote",
            members=[{"agent_id": agent}, {"agent_id": agent}],
            judge={"agent_id": agent},
        )
        done = await run_swarm(client, account, swarm, "Name the release")
        prompts = [last_user_message(call.body or {}) for call in model.model_calls]

    assert done["status"] == "succeeded"
    assert [node["node_id"] for node in done["nodes"]] == ["agent-1", "agent-2", "judge"]
    judge_prompt = prompts[-1]
    assert "## agent-1\n\n[Name the release]" in judge_prompt
    assert "## agent-2\n\n[Name the release]" in judge_prompt
    assert "## Verdict" in judge_prompt
    assert done["output"] == {"judge": f"[{judge_prompt}]"}
    judge = next(node for node in done["nodes"] if node["node_id"] == "judge")
    steps = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{judge['run_id']}/steps")
    )
    assert any(step["kind"] == "text" for step in steps["items"])


async def test_a_debate_stops_when_the_critic_accepts(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    reviews = iter(["Too vague: name the files.", "ACCEPT: clear and complete."])

    def debate(body: dict[str, Any]) -> Turn:
        prompt = last_user_message(body)
        if "An answer to review" in prompt:
            return Turn(text=next(reviews))
        return Turn(text="A plan" if "review of it" not in prompt else "A plan naming files")

    with OpenAIStandin() as model:
        model.respond_with(debate)
        await local_provider(client, account.workspace_id, model)
        agent = await agent_with(client, account.workspace_id)
        swarm = await create_swarm(
            client,
            account,
            strategy="debate",
            generator={"agent_id": agent},
            critic={"agent_id": agent},
            rounds=3,
        )
        done = await run_swarm(client, account, swarm, "Plan the migration")
        calls = len(model.model_calls)
        events = await events_of(client, account, done["id"])

    assert done["status"] == "succeeded"
    assert calls == 4
    statuses = {node["node_id"]: node["status"] for node in done["nodes"]}
    assert statuses == {
        "answer-1": "succeeded",
        "review-1": "succeeded",
        "answer-2": "succeeded",
        "review-2": "succeeded",
        "answer-3": "skipped",
        "review-3": "skipped",
    }
    assert done["output"] == {"answer-2": "A plan naming files"}
    decided = [data for kind, data in events if kind == "swarm.decided"]
    assert decided[0]["accepted_round"] == 2


async def test_swarm_shapes_are_checked_and_swarms_list_apart(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent = await agent_with(client, account.workspace_id)
    member = {"agent_id": agent}
    for body in (
        {"strategy": "race", "members": [member]},
        {"strategy": "race", "members": [member] * 6},
        {"strategy": "vote", "members": [member, member]},
        {"strategy": "race", "members": [member, member], "judge": member},
        {"strategy": "debate", "members": [member, member]},
        {"strategy": "debate", "generator": member, "critic": member, "rounds": 6},
    ):
        refused = await client.post(swarms_url(account.workspace_id), json={"name": "S", **body})
        assert refused.status_code == 422, (body, refused.text)
    # A race drawn by hand with an edge is not a race.
    definition = swarm_definition(SwarmSpec(strategy="race", members=[member, member]))
    drawn = definition.model_dump(mode="json")
    drawn["edges"] = [{"source": "agent-1", "target": "agent-2"}]
    refused = await client.post(
        chains_url(account.workspace_id), json={"name": "Odd", "definition": drawn}
    )
    assert refused.status_code == 422
    assert "race" in refused.json()["detail"]

    swarm = await create_swarm(client, account, strategy="race", members=[member, member])
    chain = await json_of(
        await client.post(
            chains_url(account.workspace_id),
            json={"name": "Line", "definition": {"nodes": [{"id": "one", "agent_id": agent}]}},
        ),
        201,
    )
    swarms = await json_of(await client.get(swarms_url(account.workspace_id)))
    chains = await json_of(await client.get(chains_url(account.workspace_id) + "?kind=chain"))
    everything = await json_of(await client.get(chains_url(account.workspace_id)))
    assert [item["id"] for item in swarms["items"]] == [swarm["id"]]
    assert [item["id"] for item in chains["items"]] == [chain["id"]]
    assert {item["id"] for item in everything["items"]} == {swarm["id"], chain["id"]}
