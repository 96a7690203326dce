"""What durability costs a run: plain Pydantic AI against a Luna run, same scripted model.

Both execute the same agent (one tool call, then an answer) against the same in-process
model, so the difference is Luna's: the HTTP request, the run row, the DBOS workflow and
its checkpoints, the steps written as they happen. Measured sequentially (concurrency 1)
on the embedded SQLite; CPU is this process's time (DBOS's threads included).

    uv run python bench/run_overhead.py [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel

from luna.app import create_app
from luna.db import migrations
from luna.db.engine import create_engine
from luna.runs.runtime import RunRuntime
from luna.settings import Settings
from luna.tools.builtin import calculator
from luna.worker import executing_durable_work

PASSWORD = "correct horse battery staple"


def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    if len(messages) == 1:
        return ModelResponse(parts=[ToolCallPart("calculator", {"expression": "6*7"})])
    return ModelResponse(parts=[TextPart("42")])


async def stream_answer(messages: list[ModelMessage], info: AgentInfo) -> Any:
    if len(messages) == 1:
        yield {0: DeltaToolCall(name="calculator", json_args='{"expression": "6*7"}')}
    else:
        yield "42"


def scripted_model() -> FunctionModel:
    return FunctionModel(answer, stream_function=stream_answer)


async def plain(runs: int) -> tuple[float, list[float]]:
    agent = Agent(scripted_model(), instructions="Compute.", tools=[calculator])
    latencies = []
    cpu = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        await agent.run("6 times 7?")
        latencies.append((time.perf_counter() - started) * 1000)
    return (time.process_time() - cpu) * 1000 / runs, latencies


async def durable(runs: int, data_dir: Path) -> tuple[float, list[float]]:
    settings = Settings(  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        secret_key=secrets.token_urlsafe(32),
        log_level="WARNING",
        in_process_worker=False,
        _env_file=None,
    )
    engine = create_engine(settings)
    await migrations.upgrade(engine, settings)
    await engine.dispose()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime = RunRuntime(
            settings=settings,
            session_factory=app.state.session_factory,
            keyring=app.state.keyring,
            bus=app.state.run_bus,
            model_factory=lambda resolved: scripted_model(),
        )
        async with (
            executing_durable_work(runtime),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=str(settings.public_url)
            ) as client,
        ):
            url = await _prepare(client, str(settings.public_url).rstrip("/"))
            latencies = []
            cpu = time.process_time()
            for _ in range(runs):
                started = time.perf_counter()
                response = await client.post(url, json={"input": "6 times 7?", "mode": "wait"})
                assert response.json()["status"] == "succeeded", response.text
                latencies.append((time.perf_counter() - started) * 1000)
            return (time.process_time() - cpu) * 1000 / runs, latencies


async def _prepare(client: httpx.AsyncClient, origin: str) -> str:
    client.headers["Origin"] = origin
    signed = await client.post(
        "/api/v1/auth/signup",
        json={"email": "bench@example.com", "password": PASSWORD, "display_name": "Bench"},
    )
    workspace = signed.json()["teams"][0]["workspaces"][0]["id"]
    base = f"/api/v1/workspaces/{workspace}"
    await client.post(
        f"{base}/providers",
        json={
            "name": "Scripted",
            "kind": "openai_compatible",
            "base_url": "http://127.0.0.1:9/v1",
            "default_model": "scripted",
        },
    )
    agent = await client.post(
        f"{base}/agents",
        json={
            "name": "Bench",
            "definition": {"instructions": "Compute.", "tools": [{"name": "calculator"}]},
        },
    )
    return f"{base}/agents/{agent.json()['id']}/runs"


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def main(runs: int) -> None:
    await plain(5)  # warm up imports and caches
    plain_cpu, plain_latency = await plain(runs)
    with tempfile.TemporaryDirectory() as directory:
        luna_cpu, luna_latency = await durable(runs, Path(directory))
    added = statistics.median(luna_latency) - statistics.median(plain_latency)
    print(
        "| runs | plain CPU/run | Luna CPU/run | ratio | plain p50 | Luna p50 | Luna p95 |", end=""
    )
    print(" added p50 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {runs} | {plain_cpu:.1f} ms | {luna_cpu:.1f} ms | {luna_cpu / plain_cpu:.1f}x "
        f"| {statistics.median(plain_latency):.1f} ms | {statistics.median(luna_latency):.1f} ms "
        f"| {p(luna_latency, 95):.1f} ms | {added:.1f} ms |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
