"""Server-sent events of a run: live (backlog, then each step as it is stored) and replay.

A ``step`` event's id is the step's sequence, so a client that reconnects with
``Last-Event-ID: N`` gets exactly the steps after N: the database is read for what
follows the last id sent, and the bus only wakes the reader early (it polls anyway,
so a stream served by a replica that hears nothing still advances). ``delta`` events
carry text and thinking fragments while a model streams; they have no id and are not
replayed. Every stream ends with an ``end`` event carrying the run, once the run has
finished or paused for approvals; comments keep idle connections alive.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Final

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.runs.bus import RunBus
from luna.runs.models import FINISHED, Run, RunStep
from luna.runs.schemas import RunOut, StepOut
from luna.runs.service import steps_after

ReplaySpeed = Annotated[
    float, Query(ge=0.25, le=64, description="1 is the original pace; 4 is four times faster.")
]
"""How much faster than it happened a replay plays."""
POLL_SECONDS: Final = 1.0
HEARTBEAT_SECONDS: Final = 15.0
BATCH: Final = 500
SETTLED: Final = FINISHED | {"waiting_approval"}
SSE_HEADERS: Final = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def sse(event: str, data: str, event_id: int | None = None) -> bytes:
    """One server-sent event."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines += [f"event: {event}", *(f"data: {line}" for line in data.splitlines() or [""])]
    return ("\n".join(lines) + "\n\n").encode()


StepShape = Callable[[RunStep], BaseModel]
RunShape = Callable[[Run], BaseModel]


def step_event(step: RunStep, shape: StepShape = StepOut.of) -> bytes:
    """The ``step`` event of a stored step, in the members' shape unless told otherwise."""
    return sse("step", shape(step).model_dump_json(), step.sequence)


def end_event(run: Run, shape: RunShape = RunOut.of) -> bytes:
    """The ``end`` event: the run as it ended (or paused)."""
    return sse("end", shape(run).model_dump_json())


async def _read(
    session_factory: async_sessionmaker[AsyncSession], run_id: str, after: int
) -> tuple[Run | None, list[RunStep]]:
    async with session_factory() as session:
        run = await session.get(Run, run_id, populate_existing=True)
        steps = await steps_after(session=session, run_id=run_id, after=after, limit=BATCH)
    return run, steps


async def live_events(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    bus: RunBus,
    run_id: str,
    last_event_id: int,
) -> AsyncIterator[bytes]:
    """The run's steps after ``last_event_id``, then live ones, until it settles."""
    last = last_event_id
    async with bus.subscribe(run_id) as messages:
        idle = 0.0
        while True:
            run, steps = await _read(session_factory, run_id, last)
            for step in steps:
                yield step_event(step)
                last = step.sequence
            if run is None:
                return
            if run.status in SETTLED and len(steps) < BATCH:
                yield end_event(run)
                return
            if steps:
                continue
            wait_started = asyncio.get_running_loop().time()
            async for chunk in _until_woken(messages):
                yield chunk
            idle += asyncio.get_running_loop().time() - wait_started
            if idle >= HEARTBEAT_SECONDS:
                idle = 0.0
                yield b": keep-alive\n\n"


async def _until_woken(messages: asyncio.Queue[dict[str, object]]) -> AsyncIterator[bytes]:
    """Deltas as they come, until a step or status message (or the poll interval)."""
    deadline = asyncio.get_running_loop().time() + POLL_SECONDS
    while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            message = await asyncio.wait_for(messages.get(), remaining)
        except TimeoutError:
            return
        if message.get("type") != "delta":
            return
        yield sse("delta", json.dumps(message))


async def replay_events(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    run_id: str,
    speed: float,
    step_shape: StepShape = StepOut.of,
    run_shape: RunShape = RunOut.of,
) -> AsyncIterator[bytes]:
    """A finished run's steps at their original pace divided by ``speed``, then ``end``.
    ``step_shape`` and ``run_shape`` render the events (a share link's redacted ones)."""
    async with session_factory() as session:
        run = await session.get(Run, run_id)
        steps = await steps_after(session=session, run_id=run_id, after=0, limit=100_000)
    if run is None:
        return
    origin = run.started_at or (steps[0].started_at if steps else run.created_at)
    clock = asyncio.get_running_loop()
    began = clock.time()
    for step in steps:
        due = began + max(0.0, _offset(origin, recorded_at(step))) / speed
        await asyncio.sleep(max(0.0, due - clock.time()))
        yield step_event(step, step_shape)
    yield end_event(run, run_shape)


def recorded_at(step: RunStep) -> datetime:
    """When a step was complete: its end, or its start for steps without one."""
    return step.ended_at or step.started_at


def _offset(origin: datetime, moment: datetime) -> float:
    return (moment - origin).total_seconds()
