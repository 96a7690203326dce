"""An install without Redis serves its API from one process: a second API process on the
same database refuses to start, saying why, while a crashed predecessor's record does
not keep the next one out."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.app import create_app
from luna.db.base import utcnow
from luna.db.engine import create_engine, create_session_factory
from luna.security.models import ApiProcess
from luna.security.replicas import AnotherApiProcess, SoleApiProcess
from luna.settings import Settings

pytestmark = pytest.mark.anyio

LEASE = 30.0


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = utcnow()
        self.slept = 0.0
        self.on_sleep: list[object] = []

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.slept += seconds
        for hook in self.on_sleep:
            await hook()  # type: ignore[operator]


@pytest.fixture
def without_redis(settings: Settings) -> Settings:
    return settings.model_copy(update={"redis_url": None, "worker_lease_seconds": LEASE})


@pytest.fixture
async def sessions(without_redis: Settings):
    engine = create_engine(without_redis)
    yield create_session_factory(engine)
    await engine.dispose()


async def records(sessions: async_sessionmaker[AsyncSession]) -> list[ApiProcess]:
    async with sessions() as session:
        return list(await session.scalars(select(ApiProcess)))


async def add_record(
    sessions: async_sessionmaker[AsyncSession], *, host: str, pid: int, at: datetime
) -> None:
    async with sessions() as session:
        session.add(
            ApiProcess(
                instance_id=f"{host}-{pid}", host=host, pid=pid, started_at=at, renewed_at=at
            )
        )
        await session.commit()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


async def test_a_second_api_process_without_redis_refuses_to_start(settings: Settings) -> None:
    quick = settings.model_copy(update={"redis_url": None, "worker_lease_seconds": 1})
    first, second = create_app(quick), create_app(quick)
    async with first.router.lifespan_context(first):
        with pytest.raises(AnotherApiProcess, match="LUNA_REDIS_URL"):
            async with second.router.lifespan_context(second):
                pytest.fail("the second API process started")
    # The first gave its record up when it stopped: the next one starts.
    async with second.router.lifespan_context(second):
        pass


async def test_a_live_process_elsewhere_keeps_a_new_one_out(
    without_redis: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    time = FakeTime()
    await add_record(sessions, host="other-host", pid=1, at=time.now)

    async def other_renews() -> None:
        async with sessions() as session:
            record = await session.get(ApiProcess, "other-host-1")
            assert record is not None
            record.renewed_at = time.now
            await session.commit()

    time.on_sleep.append(other_renews)
    sole = SoleApiProcess(without_redis, sessions, clock=time.clock, sleep=time.sleep)

    with pytest.raises(AnotherApiProcess, match="other-host"):
        await sole.claim()

    assert time.slept >= LEASE  # it waited one lease for the record to expire
    assert [record.host for record in await records(sessions)] == ["other-host"]


async def test_a_record_nobody_renews_expires_and_the_new_process_starts(
    without_redis: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    time = FakeTime()
    await add_record(sessions, host="crashed-pod", pid=1, at=time.now)
    sole = SoleApiProcess(without_redis, sessions, clock=time.clock, sleep=time.sleep)

    await sole.claim()
    await sole.release()

    assert LEASE <= time.slept <= LEASE + 1
    assert await records(sessions) == []


async def test_a_dead_process_of_this_host_is_gone_at_once(
    without_redis: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    time = FakeTime()
    await add_record(sessions, host=socket.gethostname()[:255], pid=dead_pid(), at=time.now)
    sole = SoleApiProcess(without_redis, sessions, clock=time.clock, sleep=time.sleep)

    await sole.claim()

    assert time.slept == 0
    assert [record.instance_id for record in await records(sessions)] == [sole.instance_id]
    await sole.release()


async def test_two_processes_starting_at_once_leave_one(
    without_redis: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    time = FakeTime()
    first, second = (
        SoleApiProcess(without_redis, sessions, clock=time.clock, sleep=time.sleep)
        for _ in range(2)
    )
    second.host = "another-host"  # as on another machine: its pid means nothing here

    async def both_live() -> None:  # a live process renews its record
        async with sessions() as session:
            for record in await session.scalars(select(ApiProcess)):
                record.renewed_at = time.now
            await session.commit()

    time.on_sleep.append(both_live)
    outcomes = await asyncio.gather(first.claim(), second.claim(), return_exceptions=True)

    refused = [outcome for outcome in outcomes if isinstance(outcome, AnotherApiProcess)]
    assert len(refused) == 1, outcomes
    assert len(await records(sessions)) == 1
    for sole in (first, second):
        await sole.release()
