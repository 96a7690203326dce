"""What a run records of each model request and the parts of its answer."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import create_url
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio


async def test_each_step_carries_its_own_time_not_its_model_requests(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    """A tool call or a text is answered at the end of its model request: it took no time
    of its own (it carried the request's latency, so an instant calculator call read
    "1.5 s"); the tool's execution is timed by its result."""
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id, tools=[{"name": "calculator"}])
    openai_standin.script(
        Turn(tool_calls=[ToolCall("calculator", {"expression": "6*7"}, id="c1")]),
        Turn(text="42."),
    )

    run = await json_of(
        await client.post(
            create_url(account.workspace_id, agent_id), json={"input": "6*7?", "mode": "wait"}
        )
    )
    steps = (await json_of(await client.get(runs_url(account.workspace_id, run["id"], "steps"))))[
        "items"
    ]

    assert run["status"] == "succeeded", run["error"]
    by_kind = {step["kind"]: step for step in steps}
    requests = [step for step in steps if step["kind"] == "model_request"]
    call, result, text = by_kind["tool_call"], by_kind["tool_result"], by_kind["text"]
    assert call["latency_ms"] == 0 and text["latency_ms"] == 0
    assert call["started_at"] == requests[0]["ended_at"]
    assert text["started_at"] == requests[1]["ended_at"]
    # The tool ran after the model answered, and its result is timed from then.
    assert datetime.fromisoformat(result["started_at"]) >= datetime.fromisoformat(
        call["started_at"]
    )
    assert result["latency_ms"] is not None
