"""A run end to end over the real wire protocols: create a provider and a catalog agent,
stream a run that calls a tool and answers, read its steps, resume its stream."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.runs.conftest import Worker, json_of, parse_events, runs_url
from tests.standins import AnthropicStandin, OpenAIStandin, ToolCall, Turn, Usage

pytestmark = pytest.mark.anyio

REVIEWED = "def add(a, b):\n    return a + b\n"


async def add_provider(client: httpx.AsyncClient, workspace_id: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/api/v1/workspaces/{workspace_id}/providers", json=body)
    return await json_of(response, 201)  # type: ignore[no-any-return]


async def catalog_agent(client: httpx.AsyncClient, workspace_id: str, slug: str) -> str:
    response = await client.post(
        f"/api/v1/workspaces/{workspace_id}/agents", json={"template": slug}
    )
    created = await json_of(response, 201)
    return str(created["id"])


async def openai_setup(client: httpx.AsyncClient, account: Any, standin: OpenAIStandin) -> str:
    await add_provider(
        client,
        account.workspace_id,
        name="Local vLLM",
        kind="openai_compatible",
        base_url=standin.base_url,
        api_key=standin.api_key,
        default_model="qwen3-8b",
    )
    return await catalog_agent(client, account.workspace_id, "code-review")


async def stream_run(client: httpx.AsyncClient, workspace_id: str, agent_id: str) -> Any:
    response = await client.post(
        f"/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs",
        json={"input": f"Review this:\n{REVIEWED}"},
        headers={"Accept": "text/event-stream"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_events(response.text)


async def test_a_streamed_run_over_the_openai_protocol(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(
        Turn(tool_calls=[ToolCall("text_stats", {"text": REVIEWED})], usage=Usage(120, 14)),
        Turn.with_mean_probability("No defects found.", 0.8, usage=Usage(180, 5)),
    )

    events = await stream_run(client, account.workspace_id, agent_id)

    steps = [event for event in events if event.event == "step"]
    kinds = [step.data["kind"] for step in steps]
    assert kinds == ["model_request", "tool_call", "tool_result", "model_request", "text", "final"]
    assert [step.id for step in steps] == [1, 2, 3, 4, 5, 6]
    first, call, result, second, text, final = (step.data for step in steps)
    assert (first["tokens_in"], first["tokens_out"]) == (120, 14)
    assert (second["tokens_in"], second["tokens_out"]) == (180, 5)
    assert first["confidence"] is None  # a tool call carries no text tokens
    assert second["confidence"] == pytest.approx(0.8)
    assert text["confidence"] == pytest.approx(0.8)
    assert call["name"] == "text_stats" and call["parent_step_id"] == first["id"]
    assert result["parent_step_id"] == call["id"]
    assert result["content"]["result"]["lines"] == 2
    assert text["content"]["text"] == "No defects found."
    assert final["content"] == {"text": "No defects found."}
    assert events[-1].event == "end"
    run = events[-1].data
    assert run["status"] == "succeeded"
    assert (run["tokens_in"], run["tokens_out"], run["step_count"]) == (300, 19, 6)
    assert run["output"] == {"text": "No defects found."}
    assert openai_standin.model_calls[0].body["logprobs"] is True
    assert worker.built[0].model_name == "qwen3-8b"

    listed = await json_of(await client.get(runs_url(account.workspace_id, run["id"], "steps")))
    assert [item["id"] for item in listed["items"]] == [step.data["id"] for step in steps]
    assert listed["items"] == [step.data for step in steps]

    resumed = await client.get(
        runs_url(account.workspace_id, run["id"], "events"), headers={"Last-Event-ID": "3"}
    )
    rest = parse_events(resumed.text)
    assert [event.id for event in rest if event.event == "step"] == [4, 5, 6]
    assert rest[-1].event == "end"
    # A client that cannot set the header names the last event in the address instead;
    # the header, when sent, wins.
    by_query = await client.get(runs_url(account.workspace_id, run["id"], "events?after=4"))
    assert [e.id for e in parse_events(by_query.text) if e.event == "step"] == [5, 6]
    both = await client.get(
        runs_url(account.workspace_id, run["id"], "events?after=1"), headers={"Last-Event-ID": "5"}
    )
    assert [e.id for e in parse_events(both.text) if e.event == "step"] == [6]


async def test_a_streamed_run_over_the_anthropic_protocol_records_thinking(
    client: httpx.AsyncClient, sign_up, worker: Worker, anthropic_standin: AnthropicStandin
) -> None:
    account = await sign_up()
    await add_provider(
        client,
        account.workspace_id,
        name="Claude",
        kind="anthropic",
        base_url=anthropic_standin.base_url,
        api_key=anthropic_standin.api_key,
        default_model="claude-sonnet-4-6",
    )
    agent_id = await catalog_agent(client, account.workspace_id, "code-review")
    anthropic_standin.script(
        Turn(
            thinking="The function is trivial; count its lines first.",
            tool_calls=[ToolCall("text_stats", {"text": REVIEWED})],
        ),
        Turn(thinking="Two lines, no defects.", text="No defects found."),
    )

    events = await stream_run(client, account.workspace_id, agent_id)

    steps = [event.data for event in events if event.event == "step"]
    assert [step["kind"] for step in steps] == [
        "model_request",
        "thinking",
        "tool_call",
        "tool_result",
        "model_request",
        "thinking",
        "text",
        "final",
    ]
    assert steps[1]["content"]["text"] == "The function is trivial; count its lines first."
    assert steps[5]["content"]["text"] == "Two lines, no defects."
    assert all(step["tokens_in"] > 0 for step in steps if step["kind"] == "model_request")
    assert all(step["confidence"] is None for step in steps)  # Anthropic sends no logprobs
    assert events[-1].data["status"] == "succeeded"
    assert float(events[-1].data["cost_usd"]) > 0  # Claude has a price


async def test_the_graph_links_requests_calls_and_results(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(
        Turn(
            tool_calls=[
                ToolCall("text_stats", {"text": "a"}),
                ToolCall("text_stats", {"text": "b c"}),
            ]
        ),
        Turn(text="Done."),
    )
    events = await stream_run(client, account.workspace_id, agent_id)
    run_id = events[-1].data["id"]

    graph = await json_of(await client.get(runs_url(account.workspace_id, run_id, "graph")))

    nodes = {node["id"]: node["kind"] for node in graph["nodes"]}
    edges = {
        (nodes[edge["source"]], nodes[edge["target"]], edge["kind"]) for edge in graph["edges"]
    }
    assert len(graph["nodes"]) == graph["run"]["step_count"] == 8
    assert ("model_request", "tool_call", "parent") in edges
    assert ("tool_call", "tool_result", "parent") in edges
    assert ("tool_result", "model_request", "next") in edges
    assert ("model_request", "final", "next") in edges
    results_feeding_second = [
        edge
        for edge in graph["edges"]
        if edge["kind"] == "next" and nodes[edge["source"]] == "tool_result"
    ]
    assert len(results_feeding_second) == 2
