"""Background loops: a failing pass is logged and retried with backoff; the loop lives on."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from luna.background import Backoff, run_until_stopped

pytestmark = pytest.mark.anyio


class FakeWait:
    """Records each wait instead of sleeping; sets ``stop`` after ``limit`` waits."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waits: list[float] = []

    async def __call__(self, stop: asyncio.Event, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) >= self.limit:
            stop.set()
        await asyncio.sleep(0)


class Outage:
    """An iteration that fails while ``down`` lists True for its pass."""

    def __init__(self, *down: bool) -> None:
        self.down = list(down)
        self.passes = 0

    async def __call__(self) -> None:
        failing = self.down[self.passes] if self.passes < len(self.down) else False
        self.passes += 1
        if failing:
            raise ConnectionError("database restarting")


async def test_failing_passes_back_off_exponentially_and_a_success_resets_the_delay() -> None:
    outage = Outage(True, True, True, False, True, False)
    wait = FakeWait(limit=7)
    stop = asyncio.Event()

    with capture_logs() as logs:
        await run_until_stopped(
            outage,
            name="mail",
            interval_seconds=2.0,
            stop=stop,
            backoff=Backoff(initial_seconds=1.0, factor=2.0, maximum_seconds=60.0),
            wait=wait,
        )

    assert outage.passes == 7
    assert wait.waits == [1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 2.0]
    failures = [entry for entry in logs if entry["event"] == "background loop iteration failed"]
    assert [entry["failures"] for entry in failures] == [1, 2, 3, 1]
    assert all(entry["log_level"] == "error" and entry["exc_info"] for entry in failures)
    assert failures[0]["loop"] == "mail"
    assert failures[0]["retry_in_seconds"] == 1.0


async def test_a_long_outage_waits_no_longer_than_the_maximum() -> None:
    outage = Outage(*([True] * 200))
    wait = FakeWait(limit=200)

    with capture_logs():
        await run_until_stopped(
            outage,
            name="sweep",
            interval_seconds=30.0,
            stop=asyncio.Event(),
            backoff=Backoff(initial_seconds=5.0, maximum_seconds=600.0),
            wait=wait,
        )

    assert wait.waits[:4] == [5.0, 10.0, 20.0, 40.0]
    assert max(wait.waits) == 600.0
    assert wait.waits[-1] == 600.0


async def test_the_loop_ends_when_stopped_while_backing_off() -> None:
    stop = asyncio.Event()
    calls = 0

    async def failing() -> None:
        nonlocal calls
        calls += 1
        stop.set()  # the process is asked to stop while this pass fails
        raise ConnectionError("down")

    with capture_logs():
        await asyncio.wait_for(
            run_until_stopped(failing, name="mail", interval_seconds=1.0, stop=stop), timeout=5
        )

    assert calls == 1


async def test_cancellation_is_not_swallowed() -> None:
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(
        run_until_stopped(slow, name="mail", interval_seconds=1.0, stop=asyncio.Event())
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
