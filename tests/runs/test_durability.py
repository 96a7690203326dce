"""Runs survive their worker: 20 runs in flight on a ``luna worker`` process killed with
SIGKILL all finish on the next worker (a process of another identity, as a restarted pod
under a new name), from their last completed step, with every step stored exactly once.
A second worker started beside a live one takes none of its runs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.jobs.models import WorkerLease
from luna.runs.models import Run, RunStep
from luna.settings import Settings
from tests.conftest import TEST_SECRET
from tests.runs.conftest import json_of
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio

RUNS = 20
# Long enough that a live worker on a loaded machine always renews in time.
LEASE_SECONDS = 5
EXPECTED = ["model_request", "tool_call", "tool_result", "model_request", "text", "final"]


def start_worker(settings: Settings, cwd: Path) -> subprocess.Popen[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LUNA_")}
    environment.update(
        {
            "LUNA_ENV": "test",
            "LUNA_DATA_DIR": str(settings.data_dir),
            "LUNA_DATABASE_URL": settings.resolved_database_url,
            "LUNA_SECRET_KEY": TEST_SECRET,
            "LUNA_LOG_FORMAT": "json",
            # Each worker process has an identity of its own; a killed one is taken for
            # gone once its lease expires, and its runs are recovered by the next.
            "LUNA_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
            "LUNA_RUN_CONCURRENCY_PER_WORKSPACE": str(RUNS),
            "LUNA_SHUTDOWN_GRACE_SECONDS": "1",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "luna", "worker"],
        env=environment,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(worker: subprocess.Popen[str], signal_number: int) -> None:
    if worker.poll() is None:
        worker.send_signal(signal_number)
    worker.wait(20)
    if worker.stdout:
        worker.stdout.close()


async def eventually(check, within: float, what: str, worker: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        if worker.poll() is not None:
            output = worker.stdout.read() if worker.stdout else ""
            pytest.fail(f"the worker exited while waiting for {what}:\n{output}")
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


async def test_runs_finish_after_their_worker_is_killed(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    openai_standin: OpenAIStandin,
    settings: Settings,
    tmp_path: Path,
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    answers = {"phase": "slow"}

    def respond(body: dict[str, Any]) -> Turn:
        """Each run's first request calls a tool; the second, after the tool result,
        answers: slowly until the worker is killed, at once after."""
        if body["messages"][-1]["role"] != "tool":
            return Turn(tool_calls=[ToolCall("text_stats", {"text": "a b c"})])
        if answers["phase"] == "slow":
            return Turn(text="A slow answer that never completes " * 20, chunk_delay=1)
        return Turn(text="No defects found.")

    openai_standin.respond_with(respond)
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    run_ids = [
        (await json_of(await client.post(url, json={"input": f"Review {n}"}), 202))["id"]
        for n in range(RUNS)
    ]
    first = start_worker(settings, tmp_path)
    second: subprocess.Popen[str] | None = None
    try:

        async def second_requests_in_flight() -> bool:
            return len(openai_standin.model_calls) >= 2 * RUNS

        await eventually(second_requests_in_flight, 90, "the second model requests", first)
        # A second worker starts beside the live one (as `luna worker` beside `luna serve`
        # on one host): it must take none of the runs the first is executing.
        second = start_worker(settings, tmp_path)
        await eventually(lambda: leases_held(app, 2), 90, "the second worker's lease", second)
        await asyncio.sleep(LEASE_SECONDS)  # three of its recovery rounds
        assert len(openai_standin.model_calls) == 2 * RUNS
        assert await statuses(app, run_ids) == {"running"}
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        # The killed worker's lease expires; the live one recovers its runs.
        answers["phase"] = "fast"

        async def all_finished() -> bool:
            return await statuses(app, run_ids) == {"succeeded"}

        await eventually(all_finished, 90, "every run to finish", second)
    finally:
        stop_worker(first, signal.SIGKILL)
        if second is not None:
            stop_worker(second, signal.SIGTERM)

    # The first requests had completed: the recovered runs did not send them again.
    assert len(openai_standin.model_calls) == 3 * RUNS
    async with app.state.resources.session_factory() as session:
        for run_id in run_ids:
            steps = list(
                await session.scalars(
                    select(RunStep).where(RunStep.run_id == run_id).order_by(RunStep.sequence)
                )
            )
            assert [step.kind for step in steps] == EXPECTED, run_id
            assert [step.sequence for step in steps] == list(range(1, len(EXPECTED) + 1))
            run = await session.get(Run, run_id)
            assert run is not None and run.output == {"text": "No defects found."}
            assert run.step_count == len(EXPECTED)


async def statuses(app: FastAPI, run_ids: list[str]) -> set[str]:
    async with app.state.resources.session_factory() as session:
        found = await session.scalars(select(Run.status).where(Run.id.in_(run_ids)))
        return set(found)


async def leases_held(app: FastAPI, count: int) -> bool:
    async with app.state.resources.session_factory() as session:
        held = await session.scalar(select(func.count()).select_from(WorkerLease))
        return held == count
