"""An agent's response cache: the same version on the same input, within its time to live,
is answered from an earlier run without calling the model; the answer replays like any
run, costs nothing, and the usage report shows what it saved."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.accounts import Account, MovableClock
from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.local_agents import agent_with, local_provider
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio


async def finished_run(client: httpx.AsyncClient, account: Account, run_id: str) -> Any:
    for _ in range(600):
        run = await json_of(await client.get(runs_url(account.workspace_id, run_id)))
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"the run did not finish: {run}")


async def run_on(
    client: httpx.AsyncClient, account: Account, agent_id: str, text: str, **body: Any
) -> Any:
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    started = await client.post(url, json={"input": text, **body})
    assert started.status_code == 202, started.text
    return await finished_run(client, account, started.json()["id"])


async def test_a_repeated_input_is_answered_from_the_cache_without_the_model(
    client: httpx.AsyncClient, sign_up, worker: Worker, clock: MovableClock
) -> None:
    account = await sign_up()
    with OpenAIStandin() as model:
        model.respond_with(lambda body: Turn(text="The answer is 42."))
        await local_provider(client, account.workspace_id, model)
        agent = await agent_with(client, account.workspace_id, cache_ttl_seconds=600)

        first = await run_on(client, account, agent, "What is six times seven?")
        assert len(model.model_calls) == 1
        again = await run_on(client, account, agent, "What is six times seven?")
        assert len(model.model_calls) == 1  # the cache answered
        other = await run_on(client, account, agent, "What is six times eight?")
        assert len(model.model_calls) == 2
        threaded = await run_on(
            client, account, agent, "What is six times seven?", thread_id=first["id"]
        )
        assert len(model.model_calls) == 3  # a follow-up has a context of its own
        clock.advance(minutes=11)
        expired = await run_on(client, account, agent, "What is six times seven?")
        assert len(model.model_calls) == 4  # past its time to live

    assert again["status"] == "succeeded"
    assert again["cached_from_run_id"] == first["id"]
    assert again["output"] == first["output"]
    assert (again["tokens_in"], again["tokens_out"], again["cost_usd"]) == (0, 0, "0.00000000")
    assert first["tokens_in"] > 0
    for run in (other, threaded, expired):
        assert run["cached_from_run_id"] is None
    # The cached answer replays like any run: the same steps, in the same order.
    steps = await json_of(await client.get(runs_url(account.workspace_id, again["id"], "steps")))
    original = await json_of(await client.get(runs_url(account.workspace_id, first["id"], "steps")))
    assert [s["kind"] for s in steps["items"]] == [s["kind"] for s in original["items"]]
    assert again["step_count"] == first["step_count"] > 0
    usage = await json_of(await client.get(f"/api/v1/workspaces/{account.workspace_id}/usage"))
    assert usage["saved"] == {
        "runs": 1,
        "tokens_in": first["tokens_in"],
        "tokens_out": first["tokens_out"],
        "cost_usd": first["cost_usd"],
    }
    assert usage["totals"]["runs"] == 5


async def test_an_agent_without_a_cache_calls_the_model_every_time(
    client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    with OpenAIStandin() as model:
        model.respond_with(lambda body: Turn(text="Hello."))
        await local_provider(client, account.workspace_id, model)
        agent = await agent_with(client, account.workspace_id)
        for _ in range(2):
            run = await run_on(client, account, agent, "Hi")
            assert run["cached_from_run_id"] is None
        assert len(model.model_calls) == 2
    too_short = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/agents",
        json={"name": "Brief", "definition": {"instructions": "x", "cache_ttl_seconds": 5}},
    )
    assert too_short.status_code == 422
