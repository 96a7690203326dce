"""Runs that pause on tool calls awaiting a member's approval, and continue once the
member decides: an approved call runs, a rejected one is reported to the model."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import create_url, wait_for_status
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio


async def paused_calculation(
    client: httpx.AsyncClient, account: Any, standin: OpenAIStandin, expression: str, call_id: str
) -> dict[str, Any]:
    """A run of an agent whose calculator needs approval, paused on one call."""
    await local_provider(client, account.workspace_id, standin)
    agent_id = await agent_with(
        client, account.workspace_id, tools=[{"name": "calculator", "requires_approval": True}]
    )
    standin.script(
        Turn(tool_calls=[ToolCall("calculator", {"expression": expression}, id=call_id)])
    )
    response = await client.post(
        create_url(account.workspace_id, agent_id), json={"input": expression, "mode": "wait"}
    )
    return await json_of(response)  # type: ignore[no-any-return]


async def test_a_tool_call_waits_for_approval_then_the_run_resumes(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()

    paused = await paused_calculation(client, account, openai_standin, "6*7", "c1")

    assert paused["status"] == "waiting_approval", paused["error"]
    approvals = await json_of(
        await client.get(runs_url(account.workspace_id, paused["id"], "approvals"))
    )
    approvals = approvals["items"]
    assert [(a["tool_call_id"], a["tool_name"], a["status"]) for a in approvals] == [
        ("c1", "calculator", "pending")
    ]
    assert approvals[0]["arguments"] == {"expression": "6*7"}
    replay = await client.get(runs_url(account.workspace_id, paused["id"], "replay"))
    assert replay.status_code == 409

    def tool_result_is_42(body: dict[str, Any]) -> None:
        assert body["messages"][-1]["role"] == "tool"
        assert body["messages"][-1]["content"] == "42"

    openai_standin.script(Turn(text="42.", expect=tool_result_is_42))
    url = runs_url(account.workspace_id, paused["id"], "approvals")
    unknown = await client.post(
        url, json={"decisions": [{"tool_call_id": "nope", "approved": True}]}
    )
    assert unknown.status_code == 422
    resumed = await client.post(url, json={"decisions": [{"tool_call_id": "c1", "approved": True}]})
    assert (await json_of(resumed))["status"] == "queued"

    finished = await wait_for_status(client, account.workspace_id, paused["id"], "succeeded")
    assert finished["output"] == {"text": "42."}
    steps = await json_of(await client.get(runs_url(account.workspace_id, paused["id"], "steps")))
    assert [(step["kind"], step["status"]) for step in steps["items"]] == [
        ("model_request", "done"),
        ("tool_call", "done"),
        ("approval", "pending"),
        ("approval", "done"),
        ("tool_result", "done"),
        ("model_request", "done"),
        ("text", "done"),
        ("final", "done"),
    ]
    again = await client.post(url, json={"decisions": [{"tool_call_id": "c1", "approved": True}]})
    assert again.status_code == 409
    await the_graph_reads_in_order(client, account.workspace_id, paused["id"])


async def the_graph_reads_in_order(
    client: httpx.AsyncClient, workspace_id: str, run_id: str
) -> None:
    """The approved run's graph is one chain: the request, its call, the approval and
    its decision, the tool's result, then the request that read it (the approval hung off
    the last request, and the result had no parent, beside the first request)."""
    graph = await json_of(await client.get(runs_url(workspace_id, run_id, "graph")))
    steps = graph["nodes"]
    name = {
        step["id"]: f"{step['kind']}{'' if step['status'] != 'pending' else ' (asked)'}"
        for step in steps
    }
    ordered = sorted(steps, key=lambda step: step["sequence"])
    assert [(name[step["id"]], name.get(step["parent_step_id"])) for step in ordered] == [
        ("model_request", None),
        ("tool_call", "model_request"),
        ("approval (asked)", "tool_call"),
        ("approval", "approval (asked)"),
        ("tool_result", "approval"),
        ("model_request", "model_request"),
        ("text", "model_request"),
        ("final", None),
    ]
    requests = [step["id"] for step in steps if step["kind"] == "model_request"]
    second = next(step for step in steps if step["id"] == requests[1])
    assert second["parent_step_id"] == requests[0]
    result = next(step["id"] for step in steps if step["kind"] == "tool_result")
    edges = {(edge["source"], edge["target"], edge["kind"]) for edge in graph["edges"]}
    assert (result, requests[1], "next") in edges
    approval = next(step["id"] for step in steps if step["status"] == "pending")
    assert not any(edge["target"] == approval and edge["kind"] == "next" for edge in graph["edges"])


async def test_a_rejected_call_is_reported_to_the_model(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    paused = await paused_calculation(client, account, openai_standin, "1/0", "c9")

    def told_no(body: dict[str, Any]) -> None:
        assert "Not today." in body["messages"][-1]["content"]

    openai_standin.script(Turn(text="Understood.", expect=told_no))
    decision = {"tool_call_id": "c9", "approved": False, "reason": "Not today."}
    await client.post(
        runs_url(account.workspace_id, paused["id"], "approvals"), json={"decisions": [decision]}
    )

    await wait_for_status(client, account.workspace_id, paused["id"], "succeeded")
    approvals = await json_of(
        await client.get(runs_url(account.workspace_id, paused["id"], "approvals"))
    )
    approvals = approvals["items"]
    assert approvals[0]["status"] == "rejected" and approvals[0]["reason"] == "Not today."
