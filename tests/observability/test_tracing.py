"""Traces over OTLP to a local collector: a request with a caller's ``traceparent``, its
SQL, and the run it started (agent, model request, tool call) in one trace, also when a
separate ``luna worker`` process executes the run; prompts stay out of spans; nothing is
traced without an endpoint."""

from __future__ import annotations

import secrets
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.observability.tracing import tracer_provider_for
from luna.resources import open_resources
from luna.runs.runtime import RunRuntime
from luna.settings import Settings
from luna.worker import executing_durable_work
from tests.chains.test_routes import chains_url
from tests.chains.test_runs import chain_of, finished
from tests.cli.test_processes import START_TIMEOUT, luna_environment, start
from tests.observability.otlp_receiver import OtlpReceiver
from tests.runs.conftest import json_of
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import wait_for_status
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio

SECRET_PROMPT = "The launch code is 0000-SWORDFISH."


@pytest.fixture
def collector() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture
def settings(settings: Settings, collector: OtlpReceiver) -> Settings:
    return settings.model_copy(update={"otel_endpoint": collector.url, "in_process_worker": False})


@pytest.fixture
async def traced_worker(app: FastAPI) -> AsyncIterator[RunRuntime]:
    """The run engine in this process, tracing with the app's provider."""
    resources = app.state.resources
    runtime = resources.run_runtime()
    assert runtime.tracer_provider is not None
    async with executing_durable_work(runtime):
        yield runtime


def caller_traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


async def start_run(
    client: httpx.AsyncClient, workspace_id: str, agent_id: str, traceparent: str
) -> dict[str, Any]:
    url = f"/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs"
    answer = await client.post(
        url, json={"input": SECRET_PROMPT}, headers={"traceparent": traceparent}
    )
    return await json_of(answer, 202)


async def test_a_request_and_the_run_it_started_are_one_trace(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    traced_worker: RunRuntime,
    openai_standin: OpenAIStandin,
    collector: OtlpReceiver,
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id, tools=[{"name": "calculator"}])
    openai_standin.script(
        Turn(tool_calls=[ToolCall("calculator", {"expression": "6*7"})]), Turn(text="42")
    )
    trace_id, traceparent = caller_traceparent()

    run = await start_run(client, account.workspace_id, agent_id, traceparent)
    await wait_for_status(client, account.workspace_id, run["id"], "succeeded")
    assert traced_worker.tracer_provider is not None
    traced_worker.tracer_provider.force_flush()
    spans = collector.wait_for(trace_id, "invoke_agent")

    names = [span.name for span in spans]
    server = next(
        s
        for s in spans
        if s.name == "POST /api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs"
    )
    assert server.parent_span_id == traceparent.split("-")[2]  # the caller's span
    assert any(s.attributes.get("db.system") or s.attributes.get("db.system.name") for s in spans)
    agent = next(s for s in spans if s.name.startswith("invoke_agent"))
    chats = [s for s in spans if s.name.startswith("chat ")]
    tools = [s for s in spans if s.name == "execute_tool calculator"]
    assert len(chats) == 2 and len(tools) == 1, names
    assert all(s.attributes["gen_ai.request.model"] == "llama3" for s in chats)
    assert chats[0].attributes["gen_ai.usage.input_tokens"] > 0
    assert {s.parent_span_id for s in chats} == {agent.span_id}
    # Prompts and answers stay out of spans unless the operator opts in.
    assert not any("SWORDFISH" in str(s.attributes) for s in spans)
    # An untraced caller: the response names the trace the server started.
    listed = await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs")
    _, own_trace, own_span, _ = listed.headers["traceparent"].split("-")
    traced_worker.tracer_provider.force_flush()
    mine = collector.wait_for(own_trace, "GET ")
    assert any(span.span_id == own_span for span in mine)
    stored = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{run['id']}")
    )
    assert stored["status"] == "succeeded"


async def test_a_separate_worker_process_continues_the_trace(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    openai_standin: OpenAIStandin,
    collector: OtlpReceiver,
    settings: Settings,
    tmp_path: Path,
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id)
    openai_standin.script(Turn(text="Done."))
    environment = luna_environment(
        tmp_path,
        LUNA_DATABASE_URL=settings.resolved_database_url,
        LUNA_RUN_SYSTEM_DATABASE_URL=settings.run_system_database,
        LUNA_SECRET_KEY=settings.secret_key.get_secret_value(),
        LUNA_OTEL_ENDPOINT=collector.url,
        LUNA_PROVIDERS_PRIVATE_NETWORKS_ALLOWED="true",
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    worker = start(["worker"], environment, tmp_path)
    try:
        trace_id, traceparent = caller_traceparent()
        run = await start_run(client, account.workspace_id, agent_id, traceparent)
        await wait_for_status(
            client, account.workspace_id, run["id"], "succeeded", within=START_TIMEOUT
        )
        spans = collector.wait_for(trace_id, "chat ")
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    app.state.resources.tracer_provider.force_flush()  # this process's request span
    spans = collector.wait_for(trace_id, "POST ")
    server = next(s for s in spans if s.name.startswith("POST "))
    chat = next(s for s in spans if s.name.startswith("chat "))
    assert server.pid != chat.pid  # the API here, the run in the worker process
    assert worker.returncode == 0, output


async def test_nothing_is_traced_without_an_endpoint(settings: Settings) -> None:
    untraced = settings.model_copy(update={"otel_endpoint": None})

    async with open_resources(untraced) as resources:
        runtime = resources.run_runtime()

    assert tracer_provider_for(untraced, version="test") is None
    assert resources.tracer_provider is None and runtime.tracer_provider is None


async def test_a_chain_runs_nodes_continue_the_trace_of_the_request_that_started_it(
    client: httpx.AsyncClient,
    sign_up,
    traced_worker: RunRuntime,
    openai_standin: OpenAIStandin,
    collector: OtlpReceiver,
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    openai_standin.respond_with(lambda body: Turn(text="[done]"))
    chain_id = await chain_of(client, account, [("a", "b")])
    trace_id, traceparent = caller_traceparent()

    started = await client.post(
        chains_url(account.workspace_id, chain_id, "runs"),
        json={"input": "go"},
        headers={"traceparent": traceparent},
    )
    done = await finished(client, account.workspace_id, (await json_of(started, 201))["id"])
    assert done["status"] == "succeeded"
    assert traced_worker.tracer_provider is not None
    traced_worker.tracer_provider.force_flush()
    collector.wait_for(trace_id, "chat ")

    chats = [span for span in collector.in_trace(trace_id) if span.name.startswith("chat ")]
    assert len(chats) == 2  # one model request per node, both in the caller's trace
