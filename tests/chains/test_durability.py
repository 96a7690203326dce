"""A chain run paused for approval survives its worker: killed with SIGKILL while the
chain waits, then approved while no worker runs, the chain resumes on the next worker at
that node, without running its finished node again, and completes."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from luna.settings import Settings
from tests.chains.test_runs import approval_chain, bracketing, start
from tests.runs.conftest import json_of
from tests.runs.local_agents import local_provider
from tests.runs.test_durability import eventually, start_worker, stop_worker
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio


async def test_a_paused_chain_survives_a_killed_worker_and_resumes_where_it_stopped(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    openai_standin: OpenAIStandin,
    settings: Settings,
    tmp_path: Path,
) -> None:
    account = await sign_up()
    openai_standin.respond_with(bracketing)
    await local_provider(client, account.workspace_id, openai_standin)
    chain = await approval_chain(client, account)
    started = await json_of(await start(client, account, chain, "go"), 201)
    url = f"/api/v1/workspaces/{account.workspace_id}/chain-runs/{started['id']}"

    first = start_worker(settings, tmp_path)
    try:

        async def paused() -> bool:
            return (await json_of(await client.get(url)))["status"] == "paused"

        await eventually(paused, 90, "the chain to pause for approval", first)
    finally:
        stop_worker(first, signal.SIGKILL)
    assert len(openai_standin.model_calls) == 1

    # Decided while no worker runs: the decision waits for the chain in the database.
    decided = await client.post(f"{url}/nodes/ship/decision", json={"approved": True})
    assert decided.status_code == 200, decided.text

    second = start_worker(settings, tmp_path)
    try:

        async def succeeded() -> bool:
            return (await json_of(await client.get(url)))["status"] == "succeeded"

        await eventually(succeeded, 120, "the chain to finish on the next worker", second)
    finally:
        stop_worker(second, signal.SIGTERM)

    done = await json_of(await client.get(url))
    assert done["output"] == {"ship": "[[go]]"}
    assert len(openai_standin.model_calls) == 2  # the finished node did not run again
    assert len({node["run_id"] for node in done["nodes"]}) == 2
    events = await client.get(f"{url}/events")
    kinds = [line for line in events.text.splitlines() if line.startswith("event: ")]
    assert kinds.count("event: node.started") == 2
    assert kinds.count("event: chain.paused") == 1
    assert kinds[-1] == "event: chain.completed"
