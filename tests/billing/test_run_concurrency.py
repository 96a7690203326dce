"""Concurrent runs per plan: a team runs at most its plan's ``concurrent_runs`` at once,
whatever the queue would allow; the others wait queued and start as slots free up. A
run cancelled while it waits is in ``tests/runs/test_lifecycle.py``."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.accounts import Account
from tests.billing.conftest import set_plan
from tests.runs.conftest import Worker, json_of
from tests.runs.conftest import worker as worker  # the run engine fixture, shared
from tests.runs.team_slots import settings as settings  # the plan decides, not the queue
from tests.runs.team_slots import slow_model, start_runs
from tests.runs.test_routes import wait_for_status
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio


async def run_of(client: httpx.AsyncClient, account: Account, run_id: str) -> dict[str, Any]:
    return await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{run_id}")
    )


async def test_a_starter_team_runs_one_at_a_time(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    slow_model(openai_standin)

    runs = await start_runs(client, account, agent_id, 2)
    # Either run may take the team's one slot first (both are queued at once).
    seen = await wait_for_any_status(client, account, runs, "running")
    running = next(run for run in seen if run["status"] == "running")
    other = next(run for run in seen if run["id"] != running["id"])
    if (await run_of(client, account, running["id"]))["status"] == "running":
        # While the slot is taken the other run waits; read after the first run, so a
        # machine slow enough to finish it meanwhile proves nothing either way.
        assert other["status"] in {"queued", "succeeded"}
        assert other["status"] == "queued" or other["finished_at"] <= running["started_at"]
    finished = [
        await wait_for_status(client, account.workspace_id, run_id, "succeeded", within=30)
        for run_id in runs
    ]
    earlier, later = sorted(finished, key=lambda run: run["started_at"])
    assert later["started_at"] >= earlier["finished_at"]  # never side by side
    assert len(openai_standin.model_calls) == 2


async def wait_for_any_status(
    client: httpx.AsyncClient, account: Account, run_ids: list[str], status: str
) -> list[dict[str, Any]]:
    """The runs, read together once one of them has ``status``."""
    for _ in range(300):
        runs = [await run_of(client, account, run_id) for run_id in run_ids]
        if any(run["status"] == status for run in runs):
            return runs
        await asyncio.sleep(0.05)
    raise AssertionError(f"none of {run_ids} reached {status}")


async def test_after_an_upgrade_runs_go_side_by_side(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    await set_plan(app, account.team_id, "growth")  # five at once
    slow_model(openai_standin)

    runs = await start_runs(client, account, agent_id, 3)
    for run_id in runs:
        await wait_for_status(client, account.workspace_id, run_id, "running")
    statuses = [(await run_of(client, account, run_id))["status"] for run_id in runs]

    assert statuses.count("running") + statuses.count("succeeded") == 3
    for run_id in runs:
        await wait_for_status(client, account.workspace_id, run_id, "succeeded", within=30)
