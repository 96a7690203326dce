"""Chain runs against the local model stand-in: order and hand-offs, concurrent branches,
failures that skip what follows, cancelling, the plan and idempotency."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from luna.chains.models import Chain, ChainRun
from luna.chains.runs import enqueue_stranded_chain_runs
from luna.db.base import utcnow
from tests.accounts import Account
from tests.billing.conftest import set_plan
from tests.chains.test_routes import chains_url
from tests.runs.conftest import Worker, json_of, parse_events
from tests.runs.local_agents import agent_with, local_provider
from tests.standins import OpenAIStandin
from tests.standins.script import ScriptedError, Turn

pytestmark = pytest.mark.anyio

FINISHED = {"succeeded", "partial", "failed", "cancelled"}


def last_user_message(body: dict[str, Any]) -> str:
    """The text of the newest user message of an OpenAI chat request."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def bracketing(body: dict[str, Any]) -> Turn:
    """Answer with the prompt in brackets, or fail a prompt that asks for it."""
    prompt = last_user_message(body)
    if "FAIL" in prompt:
        return Turn(error=ScriptedError(400, message="This node was made to fail."))
    return Turn(text=f"[{prompt}]")


class MeetingStandin(OpenAIStandin):
    """Holds each request whose prompt starts with ``MEET`` until ``parties`` are in,
    so the chain finishes only when those nodes' runs ask the model at the same time."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=90)
        super().__init__()

    async def answer_model_call(self, request: Request) -> Response:
        if last_user_message(json.loads(await request.body())).startswith("MEET"):
            await asyncio.to_thread(self.barrier.wait)
        return await super().answer_model_call(request)


class HoldingStandin(OpenAIStandin):
    """Holds every request until released: a chain stays under way."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.arrived = threading.Event()
        super().__init__()

    async def answer_model_call(self, request: Request) -> Response:
        self.arrived.set()
        await asyncio.to_thread(self.release.wait, 90)
        return await super().answer_model_call(request)


@asynccontextmanager
async def bracketing_model(
    client: httpx.AsyncClient, account: Account, standin: OpenAIStandin | None = None
) -> AsyncIterator[OpenAIStandin]:
    """The workspace's provider: a local stand-in answering with :func:`bracketing`."""
    with standin or OpenAIStandin() as model:
        model.respond_with(bracketing)
        await local_provider(client, account.workspace_id, model)
        yield model


async def finished(client: httpx.AsyncClient, workspace_id: str, chain_run_id: str) -> Any:
    url = f"/api/v1/workspaces/{workspace_id}/chain-runs/{chain_run_id}"
    for _ in range(600):
        body = await json_of(await client.get(url))
        if body["status"] in FINISHED:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"the chain run did not finish: {body}")


async def chain_of(
    client: httpx.AsyncClient, account: Account, edges: list[tuple[str, str]], **prompts: str
) -> str:
    agent = await agent_with(client, account.workspace_id)
    ids = sorted({end for edge in edges for end in edge} | set(prompts))
    definition = {
        "nodes": [{"id": i, "agent_id": agent, "prompt": prompts.get(i)} for i in ids],
        "edges": [{"source": s, "target": t} for s, t in edges],
    }
    created = await client.post(
        chains_url(account.workspace_id), json={"name": "Test", "definition": definition}
    )
    return str((await json_of(created, 201))["id"])


async def start(
    client: httpx.AsyncClient, account: Account, chain_id: str, text: str, **headers: str
) -> httpx.Response:
    return await client.post(
        chains_url(account.workspace_id, chain_id, "runs"), json={"input": text}, headers=headers
    )


async def test_the_new_feature_preset_hands_each_answer_to_the_next(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    await set_plan(app, account.team_id, "growth")
    async with bracketing_model(client, account) as model:
        preset = await client.post(chains_url(account.workspace_id), json={"preset": "new-feature"})
        chain = await json_of(preset, 201)
        started = await json_of(await start(client, account, chain["id"], "Export to CSV"), 201)
        assert started["status"] in ("queued", "running")
        done = await finished(client, account.workspace_id, started["id"])
        model.raise_failures()
        prompts = [last_user_message(call.body or {}) for call in model.model_calls]

    assert done["status"] == "succeeded", done
    assert [node["node_id"] for node in done["nodes"]] == [
        "requirements",
        "design",
        "plan",
        "build",
    ]
    assert all(node["status"] == "succeeded" for node in done["nodes"])
    assert len(prompts) == 4
    assert prompts[0] == "Export to CSV"
    for before, after in itertools.pairwise(prompts):
        # Each node is asked with the request and its predecessor's answer.
        assert "The request:\n\nExport to CSV" in after
        assert f"[{before}]" in after
    assert done["output"] == {"build": f"[{prompts[3]}]"}
    runs = [
        await json_of(
            await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{node['run_id']}")
        )
        for node in done["nodes"]
    ]
    assert [run["status"] for run in runs] == ["succeeded"] * 4
    assert done["tokens_in"] == sum(run["tokens_in"] for run in runs) > 0
    # One chain run is one run of the day, whatever its node count.
    billing = await json_of(await client.get(f"/api/v1/teams/{account.team_id}/billing"))
    assert {u["entitlement"]: u["used"] for u in billing["usage"]}["runs-per-day"] == 1


async def test_a_diamond_runs_its_two_middle_nodes_at_once(
    client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    async with bracketing_model(client, account, MeetingStandin(parties=2)) as model:
        chain = await chain_of(
            client,
            account,
            [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
            b="MEET b {{prev}}",
            c="MEET c {{prev}}",
        )
        started = await json_of(await start(client, account, chain, "go"), 201)
        done = await finished(client, account.workspace_id, started["id"])
        model.raise_failures()
    # b and c met at the barrier: each asked the model while the other was waiting.
    assert done["status"] == "succeeded", done
    assert done["output"] == {"d": "[## b\n\n[MEET b [go]]\n\n## c\n\n[MEET c [go]]]"}


async def test_a_failed_node_skips_what_follows_it_and_the_rest_finishes(
    client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    async with bracketing_model(client, account):
        chain = await chain_of(
            client, account, [("a", "b"), ("b", "c"), ("a", "d")], b="FAIL {{prev}}"
        )
        started = await json_of(await start(client, account, chain, "go"), 201)
        done = await finished(client, account.workspace_id, started["id"])
    states = {node["node_id"]: node["status"] for node in done["nodes"]}
    assert states == {"a": "succeeded", "b": "failed", "c": "skipped", "d": "succeeded"}
    assert done["status"] == "partial"
    assert done["error"]["message"] == "Some nodes did not finish: b, c."
    assert done["output"] == {"d": "[[go]]"}
    assert next(node for node in done["nodes"] if node["node_id"] == "c")["run_id"] is None


async def test_cancelling_stops_every_branch(
    client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    model = HoldingStandin()
    async with bracketing_model(client, account, model):
        chain = await chain_of(client, account, [("a", "b")])
        started = await json_of(await start(client, account, chain, "go"), 201)
        await asyncio.to_thread(model.arrived.wait, 60)
        busy = await client.delete(chains_url(account.workspace_id, chain))
        assert busy.status_code == 409
        assert busy.json()["reason"] == "chain-runs-under-way"
        url = f"/api/v1/workspaces/{account.workspace_id}/chain-runs/{started['id']}"
        cancelled = await json_of(await client.post(f"{url}/cancel"))
        model.release.set()
    assert cancelled["status"] == "cancelled"
    assert [node["status"] for node in cancelled["nodes"]] == ["cancelled", "cancelled"]
    node_run = cancelled["nodes"][0]["run_id"]
    run = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{node_run}")
    )
    assert run["status"] in ("cancelled", "running")  # its worker stops it within moments
    assert (await client.post(f"{url}/cancel")).status_code == 409
    again = await json_of(await client.get(url))
    assert again["status"] == "cancelled"
    assert again["nodes"][1]["run_id"] is None
    # Once no run of it is under way, the chain can go; its nodes' runs stay.
    assert (await client.delete(chains_url(account.workspace_id, chain))).status_code == 204
    kept = await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{node_run}")
    assert kept.status_code == 200


async def test_a_retried_start_is_one_chain_run(
    client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    async with bracketing_model(client, account):
        chain = await chain_of(client, account, [], only="{{input}}")
        first = await start(client, account, chain, "go", **{"Idempotency-Key": "k-1"})
        second = await start(client, account, chain, "go", **{"Idempotency-Key": "k-1"})
        other = await start(client, account, chain, "another", **{"Idempotency-Key": "k-1"})
        assert first.status_code == 201
        assert second.status_code == 200
        assert second.headers["idempotent-replayed"] == "true"
        assert second.json()["id"] == first.json()["id"]
        assert other.status_code == 409
        await finished(client, account.workspace_id, first.json()["id"])
        listed = await json_of(
            await client.get(f"/api/v1/workspaces/{account.workspace_id}/chain-runs")
        )
    assert [item["id"] for item in listed["items"]] == [first.json()["id"]]
    assert listed["items"][0]["output"] == {"only": "[go]"}
    blank = await start(client, account, chain, "   ")
    assert blank.status_code == 422


class RecordingWorkflows:
    """A workflow client that records what it is asked to queue."""

    def __init__(self) -> None:
        self.enqueued: list[str] = []

    async def enqueue(self, *args: Any, workflow_id: str, **options: Any) -> None:
        self.enqueued.append(workflow_id)


async def test_the_sweep_queues_a_chain_run_its_process_left_behind(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    chain = await chain_of(client, account, [], only="{{input}}")
    fresh = await json_of(await start(client, account, chain, "now"), 201)
    async with app.state.resources.session_factory() as session:
        # Queued a moment ago (the test clock starts at the minute): not stranded yet.
        (await session.get(ChainRun, fresh["id"])).created_at = utcnow()
        left = ChainRun(
            workspace_id=account.workspace_id,
            chain_id=chain,
            chain_version_id=(await session.get(Chain, chain)).current_version_id,
            input="earlier",
            created_at=utcnow() - timedelta(minutes=5),
        )
        session.add(left)
        await session.commit()
    workflows = RecordingWorkflows()
    count = await enqueue_stranded_chain_runs(
        session_factory=app.state.resources.session_factory, workflows=workflows
    )
    assert count == 1
    assert workflows.enqueued == [left.id]
    assert fresh["id"] not in workflows.enqueued


async def paused_on(client: httpx.AsyncClient, workspace_id: str, chain_run_id: str) -> Any:
    url = f"/api/v1/workspaces/{workspace_id}/chain-runs/{chain_run_id}"
    for _ in range(600):
        body = await json_of(await client.get(url))
        if body["status"] == "paused":
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"the chain run did not pause: {body}")


async def approval_chain(client: httpx.AsyncClient, account: Account) -> str:
    agent = await agent_with(client, account.workspace_id)
    definition = {
        "nodes": [
            {"id": "draft", "agent_id": agent},
            {"id": "ship", "agent_id": agent, "approval": True},
        ],
        "edges": [{"source": "draft", "target": "ship"}],
    }
    created = await client.post(
        chains_url(account.workspace_id), json={"name": "Gated", "definition": definition}
    )
    return str((await json_of(created, 201))["id"])


@pytest.mark.parametrize("approved", [True, False])
async def test_a_node_waits_for_approval_before_it_runs(
    client: httpx.AsyncClient, sign_up, worker: Worker, approved: bool
) -> None:
    account = await sign_up()
    async with bracketing_model(client, account) as model:
        chain = await approval_chain(client, account)
        started = await json_of(await start(client, account, chain, "go"), 201)
        paused = await paused_on(client, account.workspace_id, started["id"])
        states = {node["node_id"]: node["status"] for node in paused["nodes"]}
        assert states == {"draft": "succeeded", "ship": "awaiting_approval"}
        assert len(model.model_calls) == 1
        # While it waits, it shows what its finished node used so far.
        draft_run = await json_of(
            await client.get(
                f"/api/v1/workspaces/{account.workspace_id}/runs/{paused['nodes'][0]['run_id']}"
            )
        )
        assert paused["tokens_in"] == draft_run["tokens_in"] > 0
        url = f"/api/v1/workspaces/{account.workspace_id}/chain-runs/{started['id']}"
        decided = await client.post(f"{url}/nodes/ship/decision", json={"approved": approved})
        node = (await json_of(decided))["nodes"][1]
        assert (node["approved"], node["decided_by_user_id"]) == (approved, account.user_id)
        twice = await client.post(f"{url}/nodes/ship/decision", json={"approved": approved})
        assert twice.status_code == 409
        done = await finished(client, account.workspace_id, started["id"])
        calls = len(model.model_calls)
    if approved:
        assert done["status"] == "succeeded"
        assert done["output"] == {"ship": "[[go]]"}
        assert calls == 2  # the finished node did not run again
    else:
        assert done["status"] == "partial"
        assert done["nodes"][1]["status"] == "skipped"
        assert calls == 1


async def test_the_event_stream_tells_the_chain_run_and_resumes_where_it_left(
    client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    async with bracketing_model(client, account):
        chain = await chain_of(client, account, [("a", "b"), ("a", "c")], c="FAIL {{prev}}")
        started = await json_of(await start(client, account, chain, "go"), 201)
        url = f"/api/v1/workspaces/{account.workspace_id}/chain-runs/{started['id']}/events"
        # Watched from the start: the stream ends with the chain run.
        streamed = await client.get(url)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = parse_events(streamed.text)
    kinds = [(event.event, event.data.get("node_id")) for event in events]
    assert kinds[0] == ("chain.started", None)
    assert kinds[1] == ("node.started", "a")
    assert kinds[2] == ("node.completed", "a")
    assert set(kinds[3:7]) == {
        ("node.started", "b"),
        ("node.started", "c"),
        ("node.completed", "b"),
        ("node.failed", "c"),
    }
    assert kinds[7] == ("chain.completed", None)
    assert events[7].data["status"] == "partial"
    assert [event.id for event in events] == list(range(1, 9))
    started_b = next(e for e in events if e.event == "node.started" and e.data["node_id"] == "b")
    assert started_b.data["run_id"].startswith("run_")
    failed = next(event for event in events if event.event == "node.failed")
    assert failed.data["error"]
    resumed = await client.get(url, headers={"Last-Event-ID": "6"})
    assert [event.id for event in parse_events(resumed.text)] == [7, 8]
