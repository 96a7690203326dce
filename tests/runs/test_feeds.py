"""The live reader of a run shared by its viewers: viewers who join late read the steps
they missed, a viewer who falls behind catches up from the database, and every one of
them ends with every step and the `end` event."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

import luna.runs.streaming
from luna.agents.models import Agent
from luna.runs.models import Run
from luna.runs.steps import StepRecord, StepWriter
from luna.runs.streaming import RunFeeds
from tests.runs.conftest import Event, parse_events
from tests.runs.test_streaming import catalog_agent

pytestmark = pytest.mark.anyio


class LiveRun:
    """A running run whose steps and end the test writes, as a worker would."""

    def __init__(self, app: FastAPI, run: Run) -> None:
        self.app, self.id = app, run.id
        self.writer = StepWriter(
            session_factory=app.state.resources.session_factory,
            bus=app.state.resources.bus,
            run_id=run.id,
            workspace_id=run.workspace_id,
        )

    async def step(self, number: int, at: datetime | None = None) -> None:
        moment = at or datetime.now(UTC)
        record = StepRecord(key=f"text:{number}", kind="text", started_at=moment, ended_at=moment)
        await self.writer.write(record)

    async def succeed(self) -> None:
        async with self.app.state.resources.session_factory() as session:
            finished = {"status": "succeeded", "finished_at": datetime.now(UTC)}
            await session.execute(update(Run).where(Run.id == self.id).values(**finished))
            await session.commit()
        await self.app.state.resources.bus.publish(
            self.id, {"type": "status", "status": "succeeded"}
        )


@pytest.fixture
async def live_run(app: FastAPI, client: httpx.AsyncClient, sign_up) -> LiveRun:
    account = await sign_up()
    return await start_run(app, client, account.workspace_id)


async def start_run(app: FastAPI, client: httpx.AsyncClient, workspace_id: str) -> LiveRun:
    """A run of a catalog agent of the workspace, stored as running, with no steps yet."""
    agent_id = await catalog_agent(client, workspace_id, "code-review")
    async with app.state.resources.session_factory() as session:
        version_id = await session.scalar(
            select(Agent.current_version_id).where(Agent.id == agent_id)
        )
        assert version_id is not None
        run = Run(
            workspace_id=workspace_id,
            agent_id=agent_id,
            agent_version_id=version_id,
            status="running",
            input={"value": "x"},
        )
        session.add(run)
        await session.commit()
    return LiveRun(app, run)


class Reader:
    """A viewer that reads its stream as fast as it comes, in a task of its own."""

    def __init__(self, stream: AsyncIterator[bytes]) -> None:
        self.events: list[Event] = []
        self._arrived = asyncio.Condition()
        self.task = asyncio.create_task(self._read(stream))

    async def _read(self, stream: AsyncIterator[bytes]) -> None:
        async for chunk in stream:
            async with self._arrived:
                self.events += parse_events(chunk.decode())
                self._arrived.notify_all()

    async def has_step(self, sequence: int) -> None:
        async with self._arrived:
            await self._arrived.wait_for(lambda: sequence in self.step_ids)

    @property
    def step_ids(self) -> list[int | None]:
        return [event.id for event in self.events if event.event == "step"]


async def test_viewers_joining_late_or_falling_behind_receive_every_step(
    app: FastAPI, live_run: LiveRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A viewer may fall four items behind before it leaves the fan-out.
    monkeypatch.setattr(luna.runs.streaming, "VIEWER_BACKLOG", 4)
    feeds = RunFeeds(
        session_factory=app.state.resources.session_factory, bus=app.state.resources.bus
    )
    await live_run.step(1)
    fast = Reader(feeds.watch(live_run.id, 0))
    await fast.has_step(1)
    slow = feeds.watch(live_run.id, 0)
    first = parse_events((await anext(slow)).decode())  # then it stops reading a while

    for number in range(2, 11):  # each one read and handed out on its own
        await live_run.step(number)
        await fast.has_step(number)
    late = Reader(feeds.watch(live_run.id, 0))  # joins after the reader's 10th step
    resumed = Reader(feeds.watch(live_run.id, 7))  # reconnects after step 7
    await live_run.step(11)
    await live_run.succeed()
    rest = [
        event for chunk in [chunk async for chunk in slow] for event in parse_events(chunk.decode())
    ]
    await asyncio.gather(fast.task, late.task, resumed.task)

    everything = list(range(1, 12))
    slow_ids = [event.id for event in first + rest if event.event == "step"]
    assert slow_ids == everything  # the slow viewer caught up from the database
    assert fast.step_ids == late.step_ids == everything
    assert resumed.step_ids == [8, 9, 10, 11]
    for events in (first + rest, fast.events, late.events, resumed.events):
        assert events[-1].event == "end"
        assert events[-1].data["status"] == "succeeded"


async def test_viewers_who_hang_up_leave_no_task_behind(
    app: FastAPI, live_run: LiveRun, caplog: pytest.LogCaptureFixture
) -> None:
    """Twenty viewers each read the first step and hang up mid-stream (the server closes
    a stream's generator when its client goes): the run's reader stops with the last of
    them, and no task is left to be destroyed while pending (what SQLite installs logged
    when stream clients went away)."""
    feeds = RunFeeds(
        session_factory=app.state.resources.session_factory, bus=app.state.resources.bus
    )
    await live_run.step(1)
    streams = [feeds.watch(live_run.id, 0) for _ in range(20)]
    for stream in streams:
        assert "event: step" in (await anext(stream)).decode()
    readers = [task for task in asyncio.all_tasks() if task.get_name().startswith("run feed")]
    assert len(readers) == 1  # one reader for the twenty

    for stream in streams:
        await stream.aclose()  # hang up with the run still going
    await asyncio.wait(readers, timeout=30)
    gc.collect()
    await asyncio.sleep(0)

    assert feeds._feeds == {}
    assert all(reader.done() for reader in readers)
    assert not [record for record in caplog.records if "destroyed" in record.getMessage()]
