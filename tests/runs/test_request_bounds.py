"""Out-of-range values a signed-in client may send to the run routes are refused with
422 problem details, never a 500 or a broken stream: event ids beyond what a step's
sequence can be, digits `int()` takes but a number is not made of, version numbers
beyond the database's column, run inputs nested absurdly deep."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from luna.runs.schemas import MAX_SEQUENCE
from tests.runs.conftest import Worker, json_of, parse_events, runs_url
from tests.runs.test_routes import create_url
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio


def refused(response: httpx.Response, where: str) -> dict[str, Any]:
    """The problem of a 422, which names the field at fault."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == "urn:luna:problem:validation-failed"
    named = [error.get("name") or error.get("pointer", "") for error in problem["errors"]]
    assert any(name == where or name.startswith(f"{where}/") for name in named), named
    return problem


def nested(depth: int) -> dict[str, Any]:
    document: dict[str, Any] = {"leaf": True}
    for _ in range(depth - 1):
        document = {"inner": document}
    return document


@pytest.fixture
async def finished_run(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> tuple[str, str, str]:
    """A workspace, an agent and a run of it that has finished (two steps)."""
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="Fine."))
    url = create_url(account.workspace_id, agent_id)
    run = await json_of(await client.post(url, json={"input": "x", "mode": "wait"}))
    assert run["status"] == "succeeded"
    return account.workspace_id, agent_id, run["id"]


@pytest.mark.parametrize(
    "event_id",
    [
        b"\xb2",  # "²" in Latin-1, as a header carries it: isdigit() says yes, int() no
        b"\xb9",  # "¹"
        b"1" * 20,  # fits the header's length, not a 64-bit integer
        str(MAX_SEQUENCE + 1).encode(),  # beyond any step's sequence
        b"-1",
        b"1e3",
    ],
)
async def test_an_event_id_no_stream_can_have_sent_is_refused(
    client: httpx.AsyncClient, finished_run: tuple[str, str, str], event_id: bytes
) -> None:
    workspace_id, _, run_id = finished_run
    response = await client.get(
        runs_url(workspace_id, run_id, "events"), headers={"Last-Event-ID": event_id}
    )
    refused(response, "Last-Event-ID")


async def test_the_largest_event_id_resumes_after_every_step(
    client: httpx.AsyncClient, finished_run: tuple[str, str, str]
) -> None:
    workspace_id, _, run_id = finished_run
    events_url = runs_url(workspace_id, run_id, "events")

    resumed = await client.get(events_url, headers={"Last-Event-ID": str(MAX_SEQUENCE)})
    by_query = await client.get(events_url, params={"after": MAX_SEQUENCE})

    for response in (resumed, by_query):
        assert response.status_code == 200, response.text
        assert [event.event for event in parse_events(response.text)] == ["end"]
    refused(await client.get(events_url, params={"after": MAX_SEQUENCE + 1}), "after")


@pytest.mark.parametrize("version", [2**31, 2**63, 2**64])
async def test_a_version_beyond_the_version_column_is_refused(
    client: httpx.AsyncClient, finished_run: tuple[str, str, str], version: int
) -> None:
    workspace_id, agent_id, _ = finished_run
    response = await client.post(
        create_url(workspace_id, agent_id), json={"input": "x", "version": version}
    )
    refused(response, "#/version")


async def test_the_largest_version_number_is_looked_up(
    client: httpx.AsyncClient, finished_run: tuple[str, str, str]
) -> None:
    workspace_id, agent_id, _ = finished_run
    response = await client.post(
        create_url(workspace_id, agent_id), json={"input": "x", "version": 2**31 - 1}
    )
    problem = refused(response, "#/version")
    assert problem["detail"] == f"Agent {agent_id} has no version {2**31 - 1}."


async def test_a_run_input_nested_too_deep_is_refused(
    client: httpx.AsyncClient, finished_run: tuple[str, str, str]
) -> None:
    workspace_id, agent_id, _ = finished_run
    url = create_url(workspace_id, agent_id)

    response = await client.post(url, json={"input": nested(300)})

    problem = refused(response, "#/input")
    assert len(response.content) < 10_000  # the problem names the field, not the input
    assert "64 levels" in str(problem["errors"])
