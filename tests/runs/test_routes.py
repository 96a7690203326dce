"""Runs through the HTTP API: fail fast without a provider, wait mode, idempotency,
cancellation, listing, and isolation between workspaces."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.agents.models import AgentVersion
from luna.runs.models import Run
from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.test_streaming import add_provider, catalog_agent, openai_setup
from tests.standins import OpenAIStandin, ScriptedError, Turn

pytestmark = pytest.mark.anyio


def create_url(workspace_id: str, agent_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs"


async def run_count(app: FastAPI) -> int:
    async with app.state.resources.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Run)) or 0)


async def test_without_a_provider_a_run_fails_fast_and_says_how_to_add_one(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent_id = await catalog_agent(client, account.workspace_id, "code-review")

    response = await client.post(create_url(account.workspace_id, agent_id), json={"input": "x"})

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("no-provider-configured")
    assert "/providers" in problem["detail"]
    assert await run_count(app) == 0


async def test_wait_mode_answers_with_the_finished_run(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="All good."))

    response = await client.post(
        create_url(account.workspace_id, agent_id), json={"input": "Review: x = 1", "mode": "wait"}
    )

    run = await json_of(response, 200)
    assert run["status"] == "succeeded"
    assert run["output"] == {"text": "All good."}
    assert run["latency_ms"] is not None and run["latency_ms"] >= 0
    fetched = await json_of(await client.get(runs_url(account.workspace_id, run["id"])))
    assert fetched == run
    listed = await json_of(await client.get(runs_url(account.workspace_id)))
    assert [item["id"] for item in listed["items"]] == [run["id"]]


async def test_background_mode_answers_202_and_the_run_finishes(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="Fine."))

    response = await client.post(create_url(account.workspace_id, agent_id), json={"input": "x"})

    queued = await json_of(response, 202)
    assert queued["status"] == "queued"
    assert response.headers["location"].endswith(f"/runs/{queued['id']}")
    finished = await wait_for_status(client, account.workspace_id, queued["id"], "succeeded")
    assert finished["output"] == {"text": "Fine."}


async def wait_for_status(
    client: httpx.AsyncClient, workspace_id: str, run_id: str, status: str, within: float = 20
) -> dict:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        run = await json_of(await client.get(runs_url(workspace_id, run_id)))
        if run["status"] == status:
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} is {run['status']}, not {status}")


async def test_the_same_idempotency_key_returns_the_same_run(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="Once."))
    url = create_url(account.workspace_id, agent_id)
    headers = {"Idempotency-Key": "order-42"}

    first = await json_of(await client.post(url, json={"input": "x"}, headers=headers), 202)
    again = await client.post(url, json={"input": "x"}, headers=headers)
    other = await client.post(url, json={"input": "y"}, headers=headers)

    assert (await json_of(again, 202))["id"] == first["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 409
    await wait_for_status(client, account.workspace_id, first["id"], "succeeded")
    assert await run_count(app) == 1
    assert len(openai_standin.model_calls) == 1


async def test_cancel_during_a_slow_model_call_ends_the_run_before_the_answer_does(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="A slow answer " * 40, chunk_delay=0.5))
    run = await json_of(
        await client.post(create_url(account.workspace_id, agent_id), json={"input": "x"}), 202
    )
    await wait_for_status(client, account.workspace_id, run["id"], "running")
    for _ in range(500):
        if openai_standin.model_calls:
            break
        await asyncio.sleep(0.02)

    cancelling = await client.post(runs_url(account.workspace_id, run["id"], "cancel"))
    assert cancelling.status_code == 200
    cancelled = await wait_for_status(client, account.workspace_id, run["id"], "cancelled")

    # The answer takes a minute to stream: the run ended in the middle of it, and Luna
    # hung up on the model rather than waiting for the rest.
    assert openai_standin.model_calls[0].outcome != "completed"
    assert cancelled["error"]["code"] == "cancelled"
    assert openai_standin.model_calls[0].wait_finished(5) == "disconnected"
    again = await client.post(runs_url(account.workspace_id, run["id"], "cancel"))
    assert again.status_code == 409


async def test_a_provider_error_fails_the_run_with_a_clear_error(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(error=ScriptedError(401)))

    response = await client.post(
        create_url(account.workspace_id, agent_id), json={"input": "x", "mode": "wait"}
    )

    run = await json_of(response, 200)
    assert run["status"] == "failed"
    assert run["error"]["code"] == "provider-auth"
    steps = await json_of(await client.get(runs_url(account.workspace_id, run["id"], "steps")))
    assert [step["kind"] for step in steps["items"]] == ["error"]


async def test_a_retryable_provider_error_is_retried(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(error=ScriptedError(429, retry_after=1)), Turn(text="Second try."))

    response = await client.post(
        create_url(account.workspace_id, agent_id), json={"input": "x", "mode": "wait"}
    )

    run = await json_of(response, 200)
    assert run["status"] == "succeeded"
    steps = await json_of(await client.get(runs_url(account.workspace_id, run["id"], "steps")))
    kinds = [(step["kind"], step["status"]) for step in steps["items"]]
    assert kinds == [
        ("error", "retrying"),
        ("model_request", "done"),
        ("text", "done"),
        ("final", "done"),
    ]
    assert steps["items"][0]["content"]["code"] == "provider-rate-limited"


async def test_another_workspace_sees_none_of_a_run(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    owner = await sign_up("owner@example.com")
    agent_id = await openai_setup(client, owner, openai_standin)
    openai_standin.script(Turn(text="Mine."))
    run = await json_of(
        await client.post(
            create_url(owner.workspace_id, agent_id), json={"input": "x", "mode": "wait"}
        )
    )
    client.cookies.clear()
    stranger = await sign_up("stranger@example.com")
    for path in ("", "steps", "graph", "events", "replay", "approvals"):
        own_url = runs_url(stranger.workspace_id, run["id"], path).rstrip("/")
        assert (await client.get(own_url)).status_code == 404, path
        their_url = runs_url(owner.workspace_id, run["id"], path).rstrip("/")
        assert (await client.get(their_url)).status_code == 404, path
    assert (
        await client.post(runs_url(stranger.workspace_id, run["id"], "cancel"))
    ).status_code == 404
    assert (
        await client.post(create_url(stranger.workspace_id, agent_id), json={"input": "x"})
    ).status_code == 404
    listed = await json_of(await client.get(runs_url(stranger.workspace_id)))
    assert listed["items"] == []


async def test_an_input_that_breaks_the_input_schema_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await add_provider(
        client,
        account.workspace_id,
        name="Local",
        kind="openai_compatible",
        base_url=openai_standin.base_url,
        default_model="m",
    )
    schema = {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]}
    response = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/agents",
        json={"name": "Typed", "definition": {"instructions": "Review.", "input_schema": schema}},
    )
    agent_id = (await json_of(response, 201))["id"]

    wrong = await client.post(create_url(account.workspace_id, agent_id), json={"input": {"c": 1}})
    text = await client.post(create_url(account.workspace_id, agent_id), json={"input": "code"})

    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["pointer"] == "#/input/"
    assert text.status_code == 422
    assert await run_count(app) == 0


@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", {}])
async def test_an_empty_or_blank_input_is_refused_and_nothing_is_sent(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    openai_standin: OpenAIStandin,
    blank: str | dict[str, object],
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)

    refused = await client.post(create_url(account.workspace_id, agent_id), json={"input": blank})

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"in": "body", "pointer": "#/input", "message": "Write a prompt."}
    ]
    assert await run_count(app) == 0
    assert openai_standin.model_calls == []


async def test_an_input_schema_decides_whether_an_empty_object_may_run(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await openai_setup(client, account, openai_standin)
    response = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/agents",
        json={
            "name": "Optional fields",
            "definition": {"instructions": "Review.", "input_schema": {"type": "object"}},
        },
    )
    agent_id = (await json_of(response, 201))["id"]

    accepted = await client.post(create_url(account.workspace_id, agent_id), json={"input": {}})

    assert accepted.status_code == 202, accepted.text


async def test_a_tool_the_operator_forbids_fails_the_run_with_its_reason(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
) -> None:
    account = await sign_up()
    await openai_setup(client, account, openai_standin)
    stdio = {"name": "files", "transport": "stdio", "command": "mcp-files"}
    definition = {"instructions": "Use the local files.", "mcp_servers": [stdio]}
    agents = f"/api/v1/workspaces/{account.workspace_id}/agents"

    refused = await client.post(agents, json={"name": "Local files", "definition": definition})
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:luna:problem:tool-not-allowed"

    # An agent saved while the operator allowed local commands, run after they stopped.
    response = await client.post(
        agents, json={"name": "Local files", "definition": {"instructions": "Use files."}}
    )
    agent_id = (await json_of(response, 201))["id"]
    async with app.state.resources.session_factory() as session:
        version = await session.scalar(
            select(AgentVersion).where(AgentVersion.agent_id == agent_id)
        )
        assert version is not None
        version.definition = definition
        await session.commit()

    run = await json_of(
        await client.post(
            create_url(account.workspace_id, agent_id), json={"input": "x", "mode": "wait"}
        )
    )

    assert run["status"] == "failed"
    assert run["error"]["code"] == "tool-not-allowed"
    assert "LUNA_MCP_STDIO_ALLOWED" in run["error"]["message"]
    assert openai_standin.model_calls == []


async def test_bad_stream_and_page_positions_are_clear_errors(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="Done."))
    run = await json_of(
        await client.post(
            create_url(account.workspace_id, agent_id), json={"input": "x", "mode": "wait"}
        )
    )

    events = await client.get(
        runs_url(account.workspace_id, run["id"], "events"), headers={"Last-Event-ID": "abc"}
    )
    steps = await client.get(
        runs_url(account.workspace_id, run["id"], "steps"), params={"cursor": "-1"}
    )
    replay = await client.get(
        runs_url(account.workspace_id, run["id"], "replay"), params={"speed": 1000}
    )
    after = await client.get(runs_url(account.workspace_id, run["id"], "events?after=-2"))

    for response in (events, steps, replay, after):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert events.json()["errors"][0]["name"] == "Last-Event-ID"
