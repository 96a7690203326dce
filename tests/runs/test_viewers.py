"""Many viewers of one live run, or replays of a finished one, on a small database
pool: every viewer receives every step and the end, and another workspace's requests
are answered meanwhile (an open stream holds no pooled connection while it waits)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel
from sqlalchemy import event

import luna.db.engine
from luna.settings import Settings
from tests.runs.conftest import Event, Worker, json_of, parse_events, runs_url
from tests.runs.test_feeds import start_run
from tests.runs.test_streaming import add_provider

pytestmark = pytest.mark.anyio

POOL_SIZE = 4
# Long enough for a request to wait its turn on a loaded machine, short enough that a
# pool held by open streams fails the test in seconds rather than minutes.
POOL_TIMEOUT_SECONDS = 10
VIEWERS = 100
REPLAYS = 20  # of the members' replay, and as many of a share link's
# Steps stored before the model's second answer, which waits for the viewers: a model
# request, its calculator call and the call's result.
STEPS_BEFORE_GATE = 3
# Nothing in this test should take this long; it stops a broken run from hanging the suite.
GUARD_SECONDS = 120


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A pool of four connections and no overflow, on SQLite as on PostgreSQL (the
    engine applies ``database_pool_size`` to PostgreSQL only)."""
    create_async_engine = luna.db.engine.create_async_engine

    def small_pool(url: Any, **options: Any) -> Any:
        options.update(pool_size=POOL_SIZE, max_overflow=0, pool_timeout=POOL_TIMEOUT_SECONDS)
        return create_async_engine(url, **options)

    monkeypatch.setattr(luna.db.engine, "create_async_engine", small_pool)
    return settings.model_copy(update={"database_pool_size": POOL_SIZE})


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app served over HTTP on a free local port, in this event loop: httpx's ASGI
    transport hands a body over only once it is complete, and a viewer must read its
    stream while the run is live."""
    # IPPROTO_TCP named, or asyncio leaves Nagle's algorithm on for the connections it
    # accepts (some 40 ms of delayed acknowledgement per request on the loopback).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started and not serving.done():  # noqa: ASYNC110  (uvicorn sets a flag)
        await asyncio.sleep(0.01)
    host, port = listener.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await serving
        listener.close()


def gated_model(gate: asyncio.Event) -> FunctionModel:
    """A model that calls the calculator, then answers once ``gate`` opens."""

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[ToolCallPart("calculator", {"expression": "6*7"})])
        return ModelResponse(parts=[TextPart("The answer is 42.")])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        if len(messages) == 1:
            yield {0: DeltaToolCall(name="calculator", json_args='{"expression": "6*7"}')}
            return
        await gate.wait()
        yield "The answer "
        yield "is 42."

    return FunctionModel(answer, stream_function=stream)


async def calculator_agent(client: httpx.AsyncClient, workspace_id: str) -> str:
    await add_provider(
        client,
        workspace_id,
        name="Scripted",
        kind="openai_compatible",
        base_url="http://127.0.0.1:9/v1",  # never called: the test's model answers
        default_model="scripted",
    )
    created = await client.post(
        f"/api/v1/workspaces/{workspace_id}/agents",
        json={
            "name": "Calculator",
            "definition": {"instructions": "Compute.", "tools": [{"name": "calculator"}]},
        },
    )
    return str((await json_of(created, 201))["id"])


@contextlib.contextmanager
def counting_step_reads(app: FastAPI) -> Iterator[list[str]]:
    """The statements that read a run's steps after a sequence, while the block runs."""
    reads: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "run_steps.sequence >" in statement:
            reads.append(statement)

    engine = app.state.resources.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class Viewer:
    """What one viewer of the run's events received."""

    caught_up_at: int = STEPS_BEFORE_GATE
    status: int | None = None
    events: list[Event] = field(default_factory=list)
    broken: str | None = None
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)

    async def watch(self, http: httpx.AsyncClient, url: str) -> None:
        """Read the stream to its end; ``caught_up`` is set once step ``caught_up_at``
        has arrived (or the stream is over)."""
        try:
            async with http.stream("GET", url) as response:
                self.status = response.status_code
                pending = ""
                async for text in response.aiter_text():
                    *blocks, pending = (pending + text).split("\n\n")
                    self.events += parse_events("\n\n".join(blocks) + "\n\n")
                    if any(event.id == self.caught_up_at for event in self.events):
                        self.caught_up.set()
        except httpx.HTTPError as error:
            self.broken = repr(error)
        finally:
            self.caught_up.set()

    @property
    def step_ids(self) -> list[int | None]:
        return [event.id for event in self.events if event.event == "step"]

    @property
    def deltas(self) -> str:
        return "".join(event.data["text"] for event in self.events if event.event == "delta")


async def runs_reader_key(client: httpx.AsyncClient, workspace_id: str) -> str:
    created = await client.post(
        f"/api/v1/workspaces/{workspace_id}/api-keys",
        json={"name": "viewers", "scopes": ["runs:read"]},
    )
    return str((await json_of(created, 201))["key"])


def with_key(base_url: str, key: str) -> httpx.AsyncClient:
    """A client of the served app (a signed-in session is bound to the address it
    signed in from, so the viewers use an API key)."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {key}"},
        limits=httpx.Limits(max_connections=None),
        timeout=httpx.Timeout(GUARD_SECONDS),
    )


async def test_a_hundred_viewers_of_one_run_leave_the_pool_to_everyone_else(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker, served: str
) -> None:
    watched = await sign_up("ada@example.com")
    agent_id = await calculator_agent(client, watched.workspace_id)
    key = await runs_reader_key(client, watched.workspace_id)
    gate = asyncio.Event()
    worker.runtime.model_factory = lambda resolved: gated_model(gate)
    url = f"/api/v1/workspaces/{watched.workspace_id}/agents/{agent_id}/runs"
    run = await json_of(await client.post(url, json={"input": "6 times 7?"}), 202)
    other = await sign_up("grace@example.com")  # the client is now Grace's

    viewers = [Viewer() for _ in range(VIEWERS)]
    async with with_key(served, key) as http, asyncio.timeout(GUARD_SECONDS):
        events_url = runs_url(watched.workspace_id, run["id"], "events")
        watching = [asyncio.create_task(viewer.watch(http, events_url)) for viewer in viewers]
        try:
            for viewer in viewers:
                await viewer.caught_up.wait()
            listed = await client.get(f"/api/v1/workspaces/{other.workspace_id}/agents")
        finally:
            with counting_step_reads(app) as reads:
                gate.set()
                await asyncio.gather(*watching)
        steps_url = runs_url(watched.workspace_id, run["id"], "steps")
        stored = await json_of(await http.get(steps_url))

    assert listed.status_code == 200, listed.text  # another tenant is served meanwhile
    # The last three steps reached every viewer, yet were read a few times, not per viewer.
    assert 0 < len(reads) < VIEWERS // 4
    sequences = [step["sequence"] for step in stored["items"]]
    assert len(sequences) == 6  # request, call, result, request, text, final
    for viewer in viewers:
        assert (viewer.status, viewer.broken) == (200, None)
        assert viewer.step_ids == sequences
        assert viewer.events[-1].event == "end"
        assert viewer.events[-1].data["status"] == "succeeded"
        assert viewer.deltas == "The answer is 42."  # streamed to every viewer live


async def test_replays_waiting_for_their_next_step_leave_the_pool_to_everyone_else(
    app: FastAPI, client: httpx.AsyncClient, sign_up, served: str
) -> None:
    watched = await sign_up("ada@example.com")
    run = await start_run(app, client, watched.workspace_id)
    began = datetime.now(UTC)
    await run.step(1, at=began)
    await run.step(2, at=began + timedelta(hours=1))  # 56 s later at 64 times the pace
    await run.succeed()
    key = await runs_reader_key(client, watched.workspace_id)
    shares_url = runs_url(watched.workspace_id, run.id, "shares")
    token = (await json_of(await client.post(shares_url, json={}), 201))["token"]
    other = await sign_up("grace@example.com")  # the client is now Grace's
    replays = [runs_url(watched.workspace_id, run.id, "replay?speed=64")] * REPLAYS
    replays += [f"/api/v1/shared/runs/{token}/replay?speed=64"] * REPLAYS

    viewers = [Viewer(caught_up_at=1) for _ in replays]
    async with with_key(served, key) as http, asyncio.timeout(GUARD_SECONDS):
        watching = [
            asyncio.create_task(viewer.watch(http, url))
            for viewer, url in zip(viewers, replays, strict=True)
        ]
        try:
            for viewer in viewers:
                await viewer.caught_up.wait()
            listed = await client.get(f"/api/v1/workspaces/{other.workspace_id}/agents")
        finally:
            for task in watching:
                task.cancel()
            await asyncio.gather(*watching, return_exceptions=True)

    assert listed.status_code == 200, listed.text  # another tenant is served meanwhile
    for viewer in viewers:  # every replay sent its first step and waits for the second
        assert (viewer.status, viewer.broken, viewer.step_ids) == (200, None, [1])
