"""What ``/metrics`` counts of the work itself: requests by route template and status,
runs started and finished by provider and model, model latency and tokens, and the
queue's depth and age."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from luna.observability.metrics import REGISTRY
from luna.runs.sweep import measure_queue
from tests.runs.conftest import Worker, json_of, worker
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import wait_for_status
from tests.standins import OpenAIStandin, ToolCall, Turn, Usage

pytestmark = pytest.mark.anyio

__all__ = ["worker"]  # the run engine fixture, shared with tests/runs

RUNS_ROUTE = "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs"


def total(name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels`` (other tests of
    this process count too, so tests compare before and after)."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        for sample in metric.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


async def test_a_run_is_counted_from_its_request_to_its_end(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id)
    openai_standin.script(Turn(text="4", usage=Usage(input_tokens=120, output_tokens=7)))
    on_model = {"provider": "openai_compatible", "model": "llama3"}
    before = {
        "requests": total(
            "luna_http_request_duration_seconds_count",
            method="POST",
            route=RUNS_ROUTE,
            status="202",
        ),
        "started": total("luna_runs_started_total", **on_model),
        "succeeded": total("luna_runs_finished_total", status="succeeded", **on_model),
        "tokens_in": total("luna_model_tokens_total", direction="in", model="llama3"),
        "tokens_out": total("luna_model_tokens_total", direction="out", model="llama3"),
        "answers": total("luna_model_request_duration_seconds_count", model="llama3"),
    }

    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    run = await json_of(await client.post(url, json={"input": "2 + 2?"}), 202)
    await wait_for_status(client, account.workspace_id, run["id"], "succeeded")

    assert (
        total(
            "luna_http_request_duration_seconds_count",
            method="POST",
            route=RUNS_ROUTE,
            status="202",
        )
        == before["requests"] + 1
    )
    assert total("luna_runs_started_total", **on_model) == before["started"] + 1
    assert total("luna_runs_finished_total", status="succeeded", **on_model) == (
        before["succeeded"] + 1
    )
    assert total("luna_model_tokens_total", direction="in", model="llama3") == (
        before["tokens_in"] + 120
    )
    assert total("luna_model_tokens_total", direction="out", model="llama3") == (
        before["tokens_out"] + 7
    )
    assert total("luna_model_request_duration_seconds_count", model="llama3") == (
        before["answers"] + 1
    )
    # Paths with ids are never labels: only the route's template is.
    labels = {
        sample.labels.get("route")
        for metric in REGISTRY.collect()
        for sample in metric.samples
        if sample.name == "luna_http_request_duration_seconds_count"
    }
    assert not any(account.workspace_id in (label or "") for label in labels)


async def test_the_sweep_measures_the_queue(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id)
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    for text in ("one", "two"):  # no worker runs here: they stay queued
        await json_of(await client.post(url, json={"input": text}), 202)

    await measure_queue(app.state.resources.session_factory)

    assert total("luna_runs_queued") == 2
    assert total("luna_runs_oldest_queued_age_seconds") >= 0


async def test_steps_are_timed_by_kind(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id, tools=[{"name": "calculator"}])
    openai_standin.script(
        Turn(tool_calls=[ToolCall("calculator", {"expression": "6*7"})]), Turn(text="42")
    )
    before = {
        kind: total("luna_step_duration_seconds_count", kind=kind)
        for kind in ("model_request", "tool_result", "text")
    }

    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    run = await json_of(await client.post(url, json={"input": "6*7?"}), 202)
    await wait_for_status(client, account.workspace_id, run["id"], "succeeded")

    after = {kind: total("luna_step_duration_seconds_count", kind=kind) for kind in before}
    assert after["model_request"] - before["model_request"] == 2
    assert after["tool_result"] - before["tool_result"] == 1
    assert after["text"] == before["text"]  # an instant: nothing to time
