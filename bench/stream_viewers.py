"""What open run streams cost everyone else: another tenant's list latency while nobody,
then 100 viewers, watch one live run.

One process serves the API over HTTP on a local port (the embedded SQLite, its default
connection pool), as `luna serve` does. A run of tenant A is held half-way (its model
waits for the measurement to end) while tenant B lists its agents one request after the
other: first with nobody watching the run, then with 100 open
`GET .../runs/{id}/events` streams that have received the run's first steps. Then the
run finishes, and each viewer must have received every step and the `end` event.

    uv run python bench/stream_viewers.py [--viewers 100] [--requests 50] [--patience 60]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel

from luna.app import create_app
from luna.db import migrations
from luna.db.engine import create_engine
from luna.observability.logging import configure_logging
from luna.runs.runtime import RunRuntime
from luna.settings import Settings
from luna.worker import executing_durable_work

PASSWORD = "correct horse battery staple"
STEPS_BEFORE_GATE = 3  # the first model request, its calculator call and the result
TOTAL_STEPS = 6  # then the second request, its text and the final answer


def gated_model(gate: asyncio.Event) -> FunctionModel:
    """Calls the calculator, then answers once ``gate`` opens."""

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[ToolCallPart("calculator", {"expression": "6*7"})])
        return ModelResponse(parts=[TextPart("42")])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[Any]:
        if len(messages) == 1:
            yield {0: DeltaToolCall(name="calculator", json_args='{"expression": "6*7"}')}
            return
        await gate.wait()
        yield "42"

    return FunctionModel(answer, stream_function=stream)


@contextlib.asynccontextmanager
async def served(settings: Settings, gate: asyncio.Event) -> AsyncIterator[str]:
    """The app with a run engine, served on a free local port in this event loop."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime = RunRuntime(
            settings=settings,
            session_factory=app.state.session_factory,
            keyring=app.state.keyring,
            bus=app.state.run_bus,
            model_factory=lambda resolved: gated_model(gate),
        )
        async with executing_durable_work(runtime), serving(app) as base_url:
            yield base_url


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` over HTTP on a free local port, in this event loop."""
    # IPPROTO_TCP named, or asyncio leaves Nagle's algorithm on for the connections it
    # accepts (some 40 ms of delayed acknowledgement per request on the loopback).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    served_until_exit = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:  # noqa: ASYNC110  (uvicorn reports it with a flag only)
        await asyncio.sleep(0.01)
    try:
        yield "http://{}:{}".format(*listener.getsockname()[:2])
    finally:
        server.should_exit = True
        await served_until_exit


async def signed_up(base_url: str, origin: str, email: str) -> tuple[httpx.AsyncClient, str]:
    """A client signed in as a new user, and the id of the user's workspace."""
    client = httpx.AsyncClient(
        base_url=base_url,
        headers={"Origin": origin},
        limits=httpx.Limits(max_connections=None),
        timeout=httpx.Timeout(120),
    )
    response = await client.post(
        "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "display_name": "B"}
    )
    response.raise_for_status()
    return client, response.json()["teams"][0]["workspaces"][0]["id"]


async def held_run(client: httpx.AsyncClient, workspace_id: str) -> str:
    """Tenant A's run, started; it stops half-way until the gate opens."""
    base = f"/api/v1/workspaces/{workspace_id}"
    provider = {"name": "Scripted", "kind": "openai_compatible", "default_model": "scripted"}
    provider["base_url"] = "http://127.0.0.1:9/v1"  # never called: the scripted model answers
    (await client.post(f"{base}/providers", json=provider)).raise_for_status()
    definition = {"instructions": "Compute.", "tools": [{"name": "calculator"}]}
    agent = await client.post(f"{base}/agents", json={"name": "C", "definition": definition})
    agent.raise_for_status()
    run = await client.post(f"{base}/agents/{agent.json()['id']}/runs", json={"input": "6*7?"})
    run.raise_for_status()
    return str(run.json()["id"])


async def watch(client: httpx.AsyncClient, url: str, caught_up: asyncio.Event) -> list[str]:
    """The events of one viewer's stream; ``caught_up`` once the held run's steps came."""
    received: list[str] = []
    try:
        async with client.stream("GET", url) as response:
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    received.append(line.removeprefix("event: "))
                if received.count("step") >= STEPS_BEFORE_GATE:
                    caught_up.set()
    except httpx.HTTPError:
        received.append("broken")
    finally:
        caught_up.set()
    return received


async def list_latencies(
    client: httpx.AsyncClient, url: str, requests: int, meanwhile: Awaitable[Any] | None = None
) -> tuple[list[float], int]:
    """Milliseconds of each list, one after the other, and how many failed: ``requests``
    of them, and as many more as it takes for ``meanwhile`` to end."""
    pending = asyncio.ensure_future(meanwhile if meanwhile is not None else asyncio.sleep(0))
    latencies, failures = [], 0
    while len(latencies) < requests or not pending.done():
        started = time.perf_counter()
        response = await client.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        failures += response.status_code != 200
    await pending
    return latencies, failures


async def measure(settings: Settings, viewers: int, requests: int, patience: float) -> list[str]:
    """One row of the table per viewer count (0, then ``viewers``)."""
    gate = asyncio.Event()
    origin = str(settings.public_url).rstrip("/")
    async with served(settings, gate) as base_url:
        watched, watched_workspace = await signed_up(base_url, origin, "a@example.com")
        other, other_workspace = await signed_up(base_url, origin, "b@example.com")
        run_id = await held_run(watched, watched_workspace)
        agents_url = f"/api/v1/workspaces/{other_workspace}/agents"
        events_url = f"/api/v1/workspaces/{watched_workspace}/runs/{run_id}/events"
        await list_latencies(other, agents_url, 5)  # warm up
        rows = [row(0, *await list_latencies(other, agents_url, requests), "-")]
        streams, joined = [], []
        for _ in range(viewers):
            joined.append(asyncio.Event())
            streams.append(asyncio.create_task(watch(watched, events_url, joined[-1])))
        # Listed while the viewers connect and catch up, then while they wait for the run.
        all_joined = within(patience, *(each.wait() for each in joined))
        latencies, failures = await list_latencies(other, agents_url, requests, all_joined)
        gate.set()
        await within(patience, *streams)
        complete = sum(stream.done() and complete_stream(stream.result()) for stream in streams)
        rows.append(row(viewers, latencies, failures, f"{complete}/{viewers}"))
        await watched.aclose()
        await other.aclose()
    return rows


async def within(patience: float, *waits: Awaitable[Any]) -> None:
    """Wait for all of ``waits``, but no longer than ``patience`` seconds: what is not
    done by then is cancelled (a stream that never caught up, or never ended)."""
    tasks = [asyncio.ensure_future(each) for each in waits]
    _, late = await asyncio.wait(tasks, timeout=patience)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)


def complete_stream(events: list[str]) -> bool:
    """Whether a viewer received every step of the run and then its end."""
    return events.count("step") == TOTAL_STEPS and events[-1:] == ["end"]


def row(viewers: int, latencies: list[float], failures: int, complete: str) -> str:
    p95 = statistics.quantiles(latencies, n=100, method="inclusive")[94]
    return (
        f"| {viewers} | {len(latencies)} | {statistics.median(latencies):.1f} ms | {p95:.1f} ms "
        f"| {max(latencies):.1f} ms | {failures} | {complete} |"
    )


async def main(viewers: int, requests: int, patience: float) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(  # type: ignore[call-arg]
            env="test",
            data_dir=Path(directory),
            secret_key=secrets.token_urlsafe(32),
            log_level="WARNING",
            log_format="json",
            in_process_worker=False,
            # No plan limits (as on a self-hosted install): the pool, not a request
            # quota, is under test.
            default_plan="enterprise",
            api_rate_limit="100000/minute",
            _env_file=None,
        )
        configure_logging(settings)  # as `luna serve` does: warnings and errors, as JSON
        engine = create_engine(settings)
        await migrations.upgrade(engine, settings)
        await engine.dispose()
        rows = await measure(settings, viewers, requests, patience)
    print("| viewers | list requests | p50 | p95 | max | not 200 | viewers with every event |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--patience",
        type=float,
        default=60,
        help="seconds to wait for the viewers to catch up, and again for them to finish",
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.viewers, arguments.requests, arguments.patience))
