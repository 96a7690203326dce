"""Server-sent events of a run: live (backlog, then each step as it is stored) and replay.

A ``step`` event's id is the step's sequence, so a client that reconnects with
``Last-Event-ID: N`` gets exactly the steps after N: the database is read for what
follows the last id sent, and the bus only wakes the reader early (it polls anyway,
so a stream served by a replica that hears nothing still advances). ``delta`` events
carry text and thinking fragments while a model streams; they have no id and are not
replayed. Every stream ends with an ``end`` event carrying the run, once the run has
finished or paused for approvals; comments keep idle connections alive.

Live streams read through :class:`RunFeeds`: one reader per watched run in a process,
in short transactions, whatever the number of viewers; a waiting stream holds no
database connection, so viewers cost memory, not connections.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Final, Literal

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.observability.logging import get_logger
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
KEEP_ALIVE: Final = b": keep-alive\n\n"
# Items (a batch of steps, a delta) a viewer may fall behind by before it leaves the
# fan-out and catches up from the database; bounds the memory a slow client holds.
VIEWER_BACKLOG: Final = 256
# Bus messages passed to viewers as they are, never stored nor replayed.
LIVE_ONLY: Final = frozenset({"delta", "budget"})

log = get_logger(__name__)


async def release(session: AsyncSession) -> None:
    """Give the request's database connection back before a long answer (a stream, a
    wait): FastAPI closes the request's session only once the response has been sent,
    and a pool held by open streams stalls every other request."""
    await session.close()


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


async def _read_steps(
    session_factory: async_sessionmaker[AsyncSession], run_id: str, after: int
) -> list[RunStep]:
    async with session_factory() as session:
        return await steps_after(session=session, run_id=run_id, after=after, limit=BATCH)


def live_events(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    bus: RunBus,
    run_id: str,
    last_event_id: int,
    feeds: RunFeeds | None = None,
) -> AsyncIterator[bytes]:
    """The run's steps after ``last_event_id``, then live ones, until it settles: through
    this process's ``feeds``, or a reader of this stream's own when there are none."""
    feeds = feeds or RunFeeds(session_factory=session_factory, bus=bus)
    return feeds.watch(run_id, last_event_id)


@dataclass(frozen=True)
class _Steps:
    events: list[tuple[int, bytes]]  # (sequence, rendered event)


@dataclass(frozen=True)
class _Delta:
    event: bytes


@dataclass(frozen=True)
class _End:
    event: bytes | None  # None: the run is gone, or its reader failed (the client reconnects)


_FeedItem = _Steps | _Delta | _End


class _Viewer:
    """One stream's place in a feed: what the reader handed it and it has not sent yet."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[_FeedItem] = asyncio.Queue(VIEWER_BACKLOG)
        self.dropped = False


@dataclass(eq=False)
class _RunFeed:
    """The one reader of a run in this process, and the viewers it serves."""

    run_id: str
    position: int  # the sequence of the last step read and handed out
    viewers: set[_Viewer] = field(default_factory=set)
    task: asyncio.Task[None] | None = None

    def deliver(self, item: _FeedItem) -> None:
        """Hand an item to every viewer; one too far behind leaves the feed (it catches
        up from the database and joins again), so a slow client holds no memory."""
        for viewer in tuple(self.viewers):
            try:
                viewer.queue.put_nowait(item)
            except asyncio.QueueFull:
                viewer.dropped = True
                self.viewers.discard(viewer)


class RunFeeds:
    """This process's readers of watched runs: one per run, whatever its viewer count.

    A stream holds no database connection while it waits: the run's reader polls in
    short transactions (woken early by the bus) and hands each step, rendered once, to
    every viewer of the run, so a hundred viewers cost one query per poll, not a hundred.
    A viewer reads on its own only the steps stored before it joined. The first viewer
    of a run starts its reader; the last one to leave stops it.
    """

    def __init__(self, *, session_factory: async_sessionmaker[AsyncSession], bus: RunBus) -> None:
        self._session_factory = session_factory
        self._bus = bus
        self._feeds: dict[str, _RunFeed] = {}

    async def watch(self, run_id: str, after: int) -> AsyncIterator[bytes]:
        """The run's step events after sequence ``after``, its deltas while it runs, then
        ``end`` once it settles (no ``end`` if the run is gone)."""
        last = after
        while True:
            feed, viewer = self._join(run_id, last)
            try:
                async for sequence, chunk in self._catch_up(run_id, last, feed.position):
                    yield chunk
                    last = sequence
                async for followed, chunk in _follow(viewer, last):
                    yield chunk
                    if followed is not None:
                        last = followed
            finally:
                self._leave(feed, viewer)
            if not viewer.dropped:
                return

    def _join(self, run_id: str, after: int) -> tuple[_RunFeed, _Viewer]:
        feed = self._feeds.get(run_id)
        if feed is None:
            feed = self._feeds[run_id] = _RunFeed(run_id=run_id, position=after)
            feed.task = asyncio.create_task(self._read_for(feed), name=f"run feed {run_id}")
        viewer = _Viewer()
        feed.viewers.add(viewer)
        return feed, viewer

    def _leave(self, feed: _RunFeed, viewer: _Viewer) -> None:
        feed.viewers.discard(viewer)
        if not feed.viewers and self._feeds.get(feed.run_id) is feed:
            del self._feeds[feed.run_id]
            if feed.task is not None:
                feed.task.cancel()

    def _finish(self, feed: _RunFeed, end: _End) -> None:
        if self._feeds.get(feed.run_id) is feed:
            del self._feeds[feed.run_id]
        feed.deliver(end)
        feed.viewers.clear()

    async def _catch_up(
        self, run_id: str, after: int, until: int
    ) -> AsyncIterator[tuple[int, bytes]]:
        """The steps the feed had read before this viewer joined (up to ``until``)."""
        while after < until:
            steps = await _read_steps(self._session_factory, run_id, after)
            for step in steps:
                yield step.sequence, step_event(step)
            if len(steps) < BATCH:
                return
            after = steps[-1].sequence

    async def _read_for(self, feed: _RunFeed) -> None:
        try:
            async with self._bus.subscribe(feed.run_id) as messages:
                while (outcome := await self._read_once(feed)) != "ended":
                    if outcome == "caught-up":
                        await _until_woken(feed, messages)
        except Exception as error:  # noqa: BLE001  (the task's outermost handler)
            log.error(
                "run feed failed; its viewers reconnect", run_id=feed.run_id, error=repr(error)
            )
            self._finish(feed, _End(None))

    async def _read_once(self, feed: _RunFeed) -> Literal["more", "caught-up", "ended"]:
        run, steps = await _read(self._session_factory, feed.run_id, feed.position)
        if steps:
            feed.position = steps[-1].sequence
            feed.deliver(_Steps([(step.sequence, step_event(step)) for step in steps]))
        if run is None:
            self._finish(feed, _End(None))
            return "ended"
        if len(steps) == BATCH:
            return "more"
        if run.status in SETTLED:
            self._finish(feed, _End(end_event(run)))
            return "ended"
        return "caught-up"


async def _follow(viewer: _Viewer, last: int) -> AsyncIterator[tuple[int | None, bytes]]:
    """What the feed hands the viewer, steps it has sent already skipped, until ``end``
    or until it is dropped for falling behind (and has sent all it was handed)."""
    while not (viewer.dropped and viewer.queue.empty()):
        try:
            item = await asyncio.wait_for(viewer.queue.get(), HEARTBEAT_SECONDS)
        except TimeoutError:
            yield None, KEEP_ALIVE
            continue
        if isinstance(item, _End):
            if item.event is not None:
                yield None, item.event
            return
        if isinstance(item, _Delta):
            yield None, item.event
            continue
        for sequence, event in item.events:
            if sequence > last:
                last = sequence
                yield sequence, event


async def _until_woken(feed: _RunFeed, messages: asyncio.Queue[dict[str, object]]) -> None:
    """Hand deltas and budget news out as they come, until a step or status message (or
    the poll interval)."""
    deadline = asyncio.get_running_loop().time() + POLL_SECONDS
    while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            message = await asyncio.wait_for(messages.get(), remaining)
        except TimeoutError:
            return
        kind = message.get("type")
        if kind not in LIVE_ONLY:
            return
        feed.deliver(_Delta(sse(str(kind), json.dumps(message))))


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
