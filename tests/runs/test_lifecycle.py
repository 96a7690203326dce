"""How a run moves between its states: a queued run waiting for one of its team's run
slots can be cancelled, and then never reaches the model."""

from __future__ import annotations

import httpx
import pytest

from tests.runs.conftest import Worker
from tests.runs.team_slots import settings as settings  # the plan decides, not the queue
from tests.runs.team_slots import slow_model, start_runs
from tests.runs.test_routes import wait_for_status
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio


async def test_a_run_waiting_for_a_slot_can_be_cancelled_and_never_calls_the_model(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    slow_model(openai_standin)

    # The second run starts once the first holds the team's one slot, so it must wait.
    [first] = await start_runs(client, account, agent_id, 1)
    await wait_for_status(client, account.workspace_id, first, "running")
    [second] = await start_runs(client, account, agent_id, 1, first=1)
    cancelled = await client.post(f"/api/v1/workspaces/{account.workspace_id}/runs/{second}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    await wait_for_status(client, account.workspace_id, second, "cancelled", within=10)
    await wait_for_status(client, account.workspace_id, first, "succeeded", within=30)
    prompts = [call.body["messages"][-1]["content"] for call in openai_standin.model_calls]
    assert not any("run 1" in str(prompt) for prompt in prompts)
