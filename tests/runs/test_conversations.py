"""Runs that continue: follow-up runs of a conversation thread, and replays of a finished
run. Runs paused for approvals are in ``test_approvals.py``."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from typing import Any

import httpx
import pytest

from luna.runs import streaming
from tests.runs.conftest import Worker, json_of, parse_events, runs_url
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import create_url
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio


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
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
    monkeypatch: pytest.MonkeyPatch,
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

    clock = ReplayClock()
    with monkeypatch.context() as patched:
        patched.setattr(streaming, "asyncio", clock)
        replay = await client.get(
            runs_url(account.workspace_id, run["id"], "replay"), params={"speed": 4}
        )

    events = parse_events(replay.text)
    assert [event.data["id"] for event in events if event.event == "step"] == [
        s["id"] for s in steps
    ]
    assert events[-1].event == "end"
    # Each step is sent a quarter of its recorded time after the run's start (or with the
    # step before it, when it was recorded no later); the last one a quarter of the run in.
    recorded = [s["ended_at"] or s["started_at"] for s in steps]
    due = [max(0.0, _seconds_between(run["started_at"], at)) / 4 for at in recorded]
    assert clock.sent_at == pytest.approx(list(itertools.accumulate(due, max)), abs=1e-3)
    assert clock.now == pytest.approx(original / 4, abs=1e-3)


class ReplayClock:
    """Stands in for ``asyncio`` in the module that paces replays: the event loop's clock
    reads the time the replay's sleeps add up to, and a sleep takes none, so the schedule
    the replay keeps is read exactly however busy the machine is. ``sent_at``: the clock
    after each sleep, when the step that follows it is sent."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sent_at: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    def get_running_loop(self) -> ReplayClock:
        return self

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.sent_at.append(self.now)
        await asyncio.sleep(0)


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
