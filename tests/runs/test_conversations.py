"""Runs that pause and continue: tool calls awaiting a member's approval, follow-up runs
of a conversation thread, and replays of a finished run."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.runs.conftest import Worker, json_of, parse_events, runs_url
from tests.runs.test_routes import create_url, wait_for_status
from tests.runs.test_streaming import add_provider
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio


async def agent_with(client: httpx.AsyncClient, workspace_id: str, **definition: Any) -> str:
    body = {"name": "Arithmetic", "definition": {"instructions": "Compute.", **definition}}
    response = await client.post(f"/api/v1/workspaces/{workspace_id}/agents", json=body)
    return str((await json_of(response, 201))["id"])


async def local_provider(
    client: httpx.AsyncClient, workspace_id: str, standin: OpenAIStandin
) -> None:
    await add_provider(
        client,
        workspace_id,
        name="Local",
        kind="openai_compatible",
        base_url=standin.base_url,
        api_key=standin.api_key,
        default_model="llama3",
    )


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
    assert approvals[0]["status"] == "rejected" and approvals[0]["reason"] == "Not today."


async def test_a_follow_up_run_continues_the_thread(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id)
    url = create_url(account.workspace_id, agent_id)

    def remembers_the_first_exchange(body: dict[str, Any]) -> None:
        contents = [message.get("content") for message in body["messages"]]
        assert "My name is Ada." in contents and "Hello Ada." in contents

    openai_standin.script(
        Turn(text="Hello Ada."), Turn(text="You are Ada.", expect=remembers_the_first_exchange)
    )
    first = await json_of(await client.post(url, json={"input": "My name is Ada.", "mode": "wait"}))
    second = await json_of(
        await client.post(
            url, json={"input": "Who am I?", "mode": "wait", "thread_id": first["id"]}
        )
    )

    assert first["thread_id"] == first["id"]
    assert second["thread_id"] == first["id"]
    assert second["output"] == {"text": "You are Ada."}
    unknown = await client.post(url, json={"input": "x", "thread_id": "run_unknown"})
    assert unknown.status_code == 422
    openai_standin.script(Turn(text="A new conversation."))
    await client.post(url, json={"input": "Hi", "mode": "wait"})
    thread = await json_of(
        await client.get(
            f"/api/v1/workspaces/{account.workspace_id}/runs",
            params={"thread_id": first["id"], "sort": "created_at"},
        )
    )
    assert [run["id"] for run in thread["items"]] == [first["id"], second["id"]]


async def test_a_replay_at_four_times_takes_a_quarter_of_the_time(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id, tools=[{"name": "calculator"}])
    # A 21-step run: six requests that each call the calculator (request, call, result),
    # then one that answers (request, text, final).
    openai_standin.script(
        *(
            Turn(
                tool_calls=[ToolCall("calculator", {"expression": f"{n}+1"}, id=f"c{n}")],
                first_byte_delay=0.4,
            )
            for n in range(6)
        ),
        Turn(text="Seven.", first_byte_delay=0.4),
    )
    run = await json_of(
        await client.post(
            create_url(account.workspace_id, agent_id), json={"input": "1+1", "mode": "wait"}
        )
    )
    steps = (await json_of(await client.get(runs_url(account.workspace_id, run["id"], "steps"))))[
        "items"
    ]
    assert len(steps) == 21
    last = max(step["ended_at"] or step["started_at"] for step in steps)
    original = _seconds_between(run["started_at"], last)
    assert original > 2.8

    started = time.monotonic()
    replay = await client.get(
        runs_url(account.workspace_id, run["id"], "replay"), params={"speed": 4}
    )
    took = time.monotonic() - started

    events = parse_events(replay.text)
    assert [event.data["id"] for event in events if event.event == "step"] == [
        s["id"] for s in steps
    ]
    assert events[-1].event == "end"
    assert took == pytest.approx(original / 4, rel=0.2, abs=0.05)


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
