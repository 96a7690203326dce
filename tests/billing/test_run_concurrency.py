"""Concurrent runs per plan: a team runs at most its plan's ``concurrent_runs`` at once,
whatever the queue would allow; the others wait queued, start as slots free up, and can
be cancelled while they wait."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.settings import Settings
from tests.accounts import Account
from tests.billing.conftest import set_plan
from tests.runs.conftest import Worker, json_of
from tests.runs.conftest import worker as worker  # the run engine fixture, shared
from tests.runs.test_routes import create_url, wait_for_status
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio

SLOW_SECONDS = 1.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The queue lets three runs of a workspace through at once: the plan decides."""
    return settings.model_copy(update={"run_concurrency_per_workspace": 3})


def slow_model(standin: OpenAIStandin) -> None:
    def respond(body: dict[str, Any]) -> Turn:
        return Turn(text="done", first_byte_delay=SLOW_SECONDS)

    standin.respond_with(respond)


async def start_runs(
    client: httpx.AsyncClient, account: Account, agent_id: str, count: int
) -> list[str]:
    url = create_url(account.workspace_id, agent_id)
    return [
        (await json_of(await client.post(url, json={"input": f"run {n}"}), 202))["id"]
        for n in range(count)
    ]


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

    first, second = await start_runs(client, account, agent_id, 2)
    await wait_for_status(client, account.workspace_id, first, "running")
    waiting = await run_of(client, account, second)
    still = await run_of(client, account, first)

    if still["status"] == "running":  # a slow machine may have finished it already
        assert waiting["status"] == "queued"  # the team's one slot is taken
    done = await wait_for_status(client, account.workspace_id, second, "succeeded", within=30)
    finished = await wait_for_status(client, account.workspace_id, first, "succeeded")
    assert done["started_at"] >= finished["finished_at"]
    assert len(openai_standin.model_calls) == 2


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


async def test_a_run_waiting_for_a_slot_can_be_cancelled_and_never_calls_the_model(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    slow_model(openai_standin)

    first, second = await start_runs(client, account, agent_id, 2)
    await wait_for_status(client, account.workspace_id, first, "running")
    cancelled = await client.post(f"/api/v1/workspaces/{account.workspace_id}/runs/{second}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    await wait_for_status(client, account.workspace_id, second, "cancelled", within=10)
    await wait_for_status(client, account.workspace_id, first, "succeeded", within=30)
    prompts = [call.body["messages"][-1]["content"] for call in openai_standin.model_calls]
    assert not any("run 1" in str(prompt) for prompt in prompts)
