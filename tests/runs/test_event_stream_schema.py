"""The OpenAPI document describes the server-sent events of a run (`step`, `delta`,
`end`) rather than a plain string, stays valid OpenAPI 3.1, and the events a real
stream sends match what it describes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from luna.app import create_app
from luna.settings import Settings
from tests.runs.conftest import Worker, json_of, parse_events, runs_url
from tests.runs.test_streaming import REVIEWED, openai_setup
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio

RUNS = "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs"
EVENTS = "/api/v1/workspaces/{workspace_id}/runs/{run_id}/events"
REPLAY = "/api/v1/workspaces/{workspace_id}/runs/{run_id}/replay"
SHARED_REPLAY = "/api/v1/shared/runs/{token}/replay"


def documented_events(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """Each event an operation's stream may send, by name, with the component that
    describes its data (or the inline schema of a delta's)."""
    response = document["paths"][path][method]["responses"]["200"]
    schema = response["content"]["text/event-stream"]["schema"]
    return {
        event["properties"]["event"]["const"]: event["properties"]["data"]["contentSchema"]
        for event in schema["oneOf"]
    }


@pytest.fixture
def document(settings: Settings) -> dict[str, Any]:
    """The application's OpenAPI document (it needs no database)."""
    return create_app(settings).openapi()


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    assert [error.message for error in OPENAPI_31_VALIDATOR.iter_errors(document)] == []


@pytest.mark.parametrize(
    ("path", "method", "events", "end"),
    [
        (RUNS, "post", ["step", "delta", "budget", "end"], "RunOut"),
        (EVENTS, "get", ["step", "delta", "budget", "end"], "RunOut"),
        (REPLAY, "get", ["step", "end"], "RunOut"),
        (SHARED_REPLAY, "get", ["step", "end"], "SharedRunOut"),
    ],
)
def test_each_event_stream_documents_its_events(
    document: dict[str, Any], path: str, method: str, events: list[str], end: str
) -> None:
    described = documented_events(document, path, method)

    assert list(described) == events
    assert described["step"] == {"$ref": "#/components/schemas/StepOut"}
    assert described["end"] == {"$ref": f"#/components/schemas/{end}"}
    assert {"StepOut", end} <= set(document["components"]["schemas"])
    if "delta" in described:
        assert described["delta"]["properties"]["kind"]["enum"] == ["text", "thinking"]


async def test_a_streamed_run_sends_the_events_it_documents(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(
        Turn(tool_calls=[ToolCall("text_stats", {"text": REVIEWED})]),
        Turn(thinking="Two lines.", text="No defects found.", chunk_delay=0.05),
    )
    api = schemathesis.openapi.from_dict(app.openapi())
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"

    streamed = await client.post(
        url,
        json={"input": "Review this.", "mode": "stream"},
        headers={"Accept": "text/event-stream"},
    )
    events = parse_events(streamed.text)
    run_id = events[-1].data["id"]
    replayed = await client.get(runs_url(account.workspace_id, run_id, "replay?speed=64"))

    assert {event.event for event in events} == {"step", "delta", "end"}
    api[RUNS]["POST"].validate_response(streamed)
    assert [event.event for event in parse_events(replayed.text)][-1] == "end"
    api[REPLAY]["GET"].validate_response(replayed)
    run = await json_of(await client.get(runs_url(account.workspace_id, run_id)))
    assert run["status"] == "succeeded"
