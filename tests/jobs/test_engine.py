"""The job engine starts and stops cleanly, and again on the same event loop (DBOS takes
the loop's default thread pool and shuts it down when destroyed)."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from luna.runs.runtime import RunRuntime
from luna.worker import start_durable_engine, stop_durable_engine

pytestmark = pytest.mark.anyio


async def test_an_engine_starts_again_on_the_same_loop_after_it_stopped(app: FastAPI) -> None:
    runtime = RunRuntime(
        settings=app.state.settings,
        session_factory=app.state.resources.session_factory,
        keyring=app.state.keyring,
        bus=app.state.resources.bus,
    )
    for _ in range(2):
        engine = await start_durable_engine(runtime)
        await stop_durable_engine(runtime, engine)

    assert await asyncio.to_thread(lambda: "the loop's threads still run") is not None
