"""Live fan-out: the run bus in one process and across processes through Redis, and a
live stream that delivers steps and deltas while the run is still going."""

from __future__ import annotations

import asyncio
import os
import secrets
import time

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from luna.runs.bus import RunBus
from luna.runs.streaming import live_events
from tests.runs.conftest import Worker, json_of, parse_events
from tests.runs.test_routes import create_url
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("LUNA_TEST_REDIS_URL")
    if not url:
        pytest.skip("LUNA_TEST_REDIS_URL is not set (CI sets it)")
    return url


async def test_a_message_reaches_this_process_subscribers_only_for_its_run() -> None:
    bus = RunBus()
    async with bus.subscribe("run_a") as watching_a, bus.subscribe("run_b") as watching_b:
        await bus.publish("run_a", {"type": "step", "sequence": 1})
        assert await asyncio.wait_for(watching_a.get(), 1) == {"type": "step", "sequence": 1}
        assert watching_b.empty()
    await bus.publish("run_a", {"type": "step", "sequence": 2})  # nobody left: dropped
    await bus.close()


async def test_two_processes_on_one_redis_see_each_others_runs(redis_url: str) -> None:
    """An API replica streams a run whose worker runs in another process."""
    namespace = f"t{secrets.token_hex(6)}"
    worker_redis, api_redis = Redis.from_url(redis_url), Redis.from_url(redis_url)
    worker_bus = RunBus(worker_redis, namespace=namespace)
    api_bus = RunBus(api_redis, namespace=namespace)
    other_tenant = RunBus(Redis.from_url(redis_url), namespace=f"t{secrets.token_hex(6)}")
    try:
        async with api_bus.subscribe("run_x") as watching, other_tenant.subscribe("run_x") as other:
            await asyncio.sleep(0.2)  # the pattern subscription is established
            await worker_bus.publish("run_x", {"type": "step", "sequence": 7})
            assert await asyncio.wait_for(watching.get(), 2) == {"type": "step", "sequence": 7}
            await asyncio.sleep(0.1)
            assert other.empty()  # another namespace never hears it
    finally:
        for bus in (worker_bus, api_bus, other_tenant):
            await bus.close()
        await worker_redis.aclose()
        await api_redis.aclose()


async def test_a_live_stream_delivers_steps_and_deltas_before_the_run_ends(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(
        Turn(text="First."),
        Turn(text="one two three four five six", chunk_delay=0.15),
    )
    url = create_url(account.workspace_id, agent_id)
    first = await json_of(await client.post(url, json={"input": "x", "mode": "wait"}))
    run = await json_of(await client.post(url, json={"input": "y", "thread_id": first["id"]}), 202)

    arrivals: list[tuple[float, str, object]] = []
    events = live_events(
        session_factory=app.state.resources.session_factory,
        bus=app.state.resources.bus,
        run_id=run["id"],
        last_event_id=0,
    )
    async for chunk in events:
        for event in parse_events(chunk.decode()):
            arrivals.append((time.monotonic(), event.event, event.data))

    kinds = [name for _, name, _ in arrivals]
    assert kinds[-1] == "end"
    deltas = [data for _, name, data in arrivals if name == "delta"]
    assert "".join(delta["text"] for delta in deltas) == "one two three four five six"  # type: ignore[index]
    assert kinds.index("delta") < kinds.index("step")  # fragments arrive while the model streams
    ended = arrivals[-1][0]
    first_delta = next(at for at, name, _ in arrivals if name == "delta")
    assert ended - first_delta > 0.5  # the stream was live, not a replay of a finished run
