"""The job engine starts and stops cleanly, and again on the same event loop (DBOS takes
the loop's default thread pool and shuts it down when destroyed), and stopping waits for
a lease round under way instead of cancelling it in the middle of a query."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI

from luna.db.base import utcnow
from luna.jobs import leases
from luna.runs.runtime import RunRuntime
from luna.settings import Settings
from luna.worker import start_durable_engine, stop_durable_engine

pytestmark = pytest.mark.anyio


def _runtime(app: FastAPI) -> RunRuntime:
    return RunRuntime(
        settings=app.state.settings,
        session_factory=app.state.resources.session_factory,
        keyring=app.state.keyring,
        bus=app.state.resources.bus,
    )


async def test_an_engine_starts_again_on_the_same_loop_after_it_stopped(app: FastAPI) -> None:
    runtime = _runtime(app)
    for _ in range(2):
        engine = await start_durable_engine(runtime)
        await stop_durable_engine(runtime, engine)

    assert await asyncio.to_thread(lambda: "the loop's threads still run") is not None


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Lease rounds every third of a second, so that a test can stop the engine in one."""
    return settings.model_copy(update={"worker_lease_seconds": 1})


async def test_stopping_lets_a_lease_round_under_way_finish(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled in the middle of a query, asyncpg closes the connection and raises that
    instead of the cancellation, which made stopping a worker fail now and then."""
    in_round = asyncio.Event()
    rounds: list[str] = []
    renew = leases.renew_lease

    async def slow_renewal(*args: Any, **kwargs: Any) -> bool:
        in_round.set()
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            rounds.append("cancelled")
            raise ConnectionError("connection was closed in the middle of operation") from None
        rounds.append("finished")
        return await renew(*args, **kwargs)

    monkeypatch.setattr(leases, "renew_lease", slow_renewal)
    runtime = _runtime(app)
    engine = await start_durable_engine(runtime)
    await in_round.wait()
    await stop_durable_engine(runtime, engine)

    assert rounds == ["finished"]
    factory = app.state.resources.session_factory
    async with factory() as session:
        assert engine.executor_id not in await leases.live_executors(
            session, {engine.executor_id}, now=utcnow(), lease_seconds=1
        )
