"""Budgets inside runs, over the real wire protocols: a run stops before the model
request that would cross a budget, with its partial answer; period budgets count every
run of their agent, key or workspace and alert at 80 % and 100 %, once each."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.notifications.models import OutboxEmail
from tests.accounts import Account, MovableClock
from tests.chains.test_runs import chain_of, finished, start
from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.local_agents import local_provider
from tests.runs.test_routes import wait_for_status
from tests.runs.test_streaming import REVIEWED, add_provider, catalog_agent, stream_run
from tests.standins import AnthropicStandin, OpenAIStandin, ToolCall, Turn, Usage
from tests.standins.script import Turn as ScriptTurn

pytestmark = pytest.mark.anyio


async def claude_agent(
    client: httpx.AsyncClient, account: Account, standin: AnthropicStandin
) -> str:
    await add_provider(
        client,
        account.workspace_id,
        name="Claude",
        kind="anthropic",
        base_url=standin.base_url,
        api_key=standin.api_key,
        default_model="claude-sonnet-4-6",
    )
    return await catalog_agent(client, account.workspace_id, "code-review")


async def set_budget(client: httpx.AsyncClient, account: Account, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/v1/workspaces/{account.workspace_id}/budgets", json=body)
    return await json_of(response, 201)  # type: ignore[no-any-return]


async def test_a_run_stops_before_the_request_that_would_cross_its_cost_budget(
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    anthropic_standin: AnthropicStandin,
    clock: MovableClock,
) -> None:
    worker.runtime.clock = clock
    account = await sign_up()
    agent_id = await claude_agent(client, account, anthropic_standin)
    # The first request costs $0.0045 on Sonnet ($3 and $15 a million tokens); the second
    # would send it all again with the tool's result, about 1,100 tokens in ($0.0033).
    anthropic_standin.script(
        Turn(
            text="Counting the lines first.",
            tool_calls=[ToolCall("text_stats", {"text": REVIEWED})],
            usage=Usage(input_tokens=1000, output_tokens=100),
        ),
        Turn(text="No defects found.", usage=Usage(input_tokens=1200, output_tokens=20)),
    )
    await set_budget(client, account, scope="run", max_cost_usd="0.006")

    events = await stream_run(client, account.workspace_id, agent_id)

    assert len(anthropic_standin.model_calls) == 1  # the second request was never sent
    steps = [event.data for event in events if event.event == "step"]
    assert [step["kind"] for step in steps] == [
        "model_request",
        "text",
        "tool_call",
        "tool_result",
        "error",
    ]
    error = steps[-1]["content"]
    assert error["code"] == "budget-exceeded"
    assert "this run's budget ($0.0060)" in error["message"]
    assert error["budget"]["spent_cost_usd"] == "0.00450000"
    assert int(error["estimate"]["tokens"]) > 1100
    run = events[-1].data
    assert run["status"] == "failed" and run["error"]["code"] == "budget-exceeded"
    assert run["output"] == {"text": "Counting the lines first.", "partial": True}
    budgets = [event.data for event in events if event.event == "budget"]
    assert budgets, "the stream tells what is left of the budget"
    assert budgets[-1]["budgets"][0]["cost_usd_left"] == "0.00150000"


async def run_once(
    client: httpx.AsyncClient, account: Account, agent_id: str, text: str = "Review this."
) -> dict[str, Any]:
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    queued = await json_of(await client.post(url, json={"input": text}), 202)
    return await wait_for_status(client, account.workspace_id, queued["id"], "succeeded")


async def alerts(app: FastAPI) -> list[str]:
    async with app.state.resources.session_factory() as session:
        emails = await session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.template == "budget-alert")
            .order_by(OutboxEmail.id)
        )
        return [email.subject for email in emails]


async def test_a_monthly_budget_counts_every_run_and_alerts_once_at_each_mark(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
    clock: MovableClock,
) -> None:
    worker.runtime.clock = clock
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await catalog_agent(client, account.workspace_id, "code-review")
    budget = await set_budget(client, account, scope="workspace_month", max_tokens=10_000)
    openai_standin.script(
        ScriptTurn(text="Fine.", usage=Usage(input_tokens=8400, output_tokens=100)),
        ScriptTurn(text="Fine again.", usage=Usage(input_tokens=100, output_tokens=10)),
        ScriptTurn(text="And again.", usage=Usage(input_tokens=100, output_tokens=10)),
    )

    await run_once(client, account, agent_id)
    assert await alerts(app) == []  # 8,500 tokens were spent after the run's one check
    await run_once(client, account, agent_id)
    assert await alerts(app) == ["A Luna budget is 80 % used"]
    await run_once(client, account, agent_id)
    assert await alerts(app) == ["A Luna budget is 80 % used"]  # once a period

    shown = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/budgets/{budget['id']}")
    )
    assert (shown["spent_tokens"], shown["used_percent"]) == (8720, 87)
    lowered = await client.patch(
        f"/api/v1/workspaces/{account.workspace_id}/budgets/{budget['id']}",
        json={"max_tokens": 8800},
    )
    assert lowered.status_code == 200, lowered.text
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    queued = await json_of(await client.post(url, json={"input": "Review this."}), 202)
    stopped = await wait_for_status(client, account.workspace_id, queued["id"], "failed")

    assert stopped["error"]["code"] == "budget-exceeded"
    assert "the workspace's monthly budget (8,800 tokens)" in stopped["error"]["message"]
    assert stopped["output"] is None  # nothing was answered
    assert len(openai_standin.model_calls) == 3
    assert await alerts(app) == ["A Luna budget is 80 % used", "A Luna budget is 100 % used"]
    steps = await json_of(await client.get(runs_url(account.workspace_id, queued["id"], "steps")))
    assert [step["kind"] for step in steps["items"]] == ["error"]


async def test_an_agents_daily_budget_leaves_other_agents_alone(
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
    clock: MovableClock,
) -> None:
    worker.runtime.clock = clock
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    reviewer = await catalog_agent(client, account.workspace_id, "code-review")
    writer = await catalog_agent(client, account.workspace_id, "documentation")
    await set_budget(client, account, scope="agent_day", subject=reviewer, max_tokens=2000)
    openai_standin.script(
        ScriptTurn(text="Fine.", usage=Usage(input_tokens=1900, output_tokens=50)),
        ScriptTurn(text="Documented.", usage=Usage(input_tokens=1900, output_tokens=50)),
    )

    await run_once(client, account, reviewer)
    await run_once(client, account, writer)  # the same spend, another agent: not counted
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{reviewer}/runs"
    queued = await json_of(await client.post(url, json={"input": "Review this."}), 202)
    stopped = await wait_for_status(client, account.workspace_id, queued["id"], "failed")

    assert stopped["error"]["code"] == "budget-exceeded"
    assert "the agent's daily budget" in stopped["error"]["message"]
    assert len(openai_standin.model_calls) == 2


async def test_a_run_budget_holds_a_chain_run_as_a_whole(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    # Each node spends 120 tokens: one node fits a 125-token run budget, two do not (node
    # b's request, about a dozen tokens, would pass it alone).
    openai_standin.respond_with(
        lambda body: ScriptTurn(text="[done]", usage=Usage(input_tokens=100, output_tokens=20))
    )
    chain_id = await chain_of(
        client, account, [("a", "b")], b="Summarise this answer carefully: {{prev}}"
    )
    await set_budget(client, account, scope="run", max_tokens=125)

    started = await json_of(await start(client, account, chain_id, "go"), 201)
    done = await finished(client, account.workspace_id, started["id"])

    assert len(openai_standin.model_calls) == 1  # node b never asked the model
    states = {node["node_id"]: node["status"] for node in done["nodes"]}
    assert states == {"a": "succeeded", "b": "failed"}
    node_b = next(node for node in done["nodes"] if node["node_id"] == "b")
    run_b = await json_of(await client.get(runs_url(account.workspace_id, node_b["run_id"])))
    assert run_b["error"]["code"] == "budget-exceeded"
    assert "120 tokens" in run_b["error"]["message"]
