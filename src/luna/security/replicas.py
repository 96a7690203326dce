"""One API process per install without Redis.

Without Redis every API process keeps its own caches and counters: a revoked API key or
session keeps working in the other processes until their caches expire, and rate limits
count per process. Such an install therefore serves its API from one process. Each API
process records itself in ``api_processes`` and renews the record every third of a
lease (:attr:`Settings.worker_lease_seconds`); one that finds another live record at
start waits for it to expire, up to one lease (a crashed predecessor, a restart), and
refuses to start if it does not. A record left by a process of this host that no longer
exists is taken for gone at once (a restarted container whose new process has the old
one's pid waits out the lease). With Redis, processes share that state and keep none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.background import run_until_stopped
from luna.db.base import utcnow
from luna.observability.logging import get_logger
from luna.security.models import ApiProcess
from luna.settings import Settings

log = get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]
POLL_SECONDS = 0.5


class AnotherApiProcess(RuntimeError):
    """Another live API process serves this database and there is no Redis to share."""

    def __init__(self, other: ApiProcess) -> None:
        super().__init__(
            f"Another Luna API process (host {other.host}, pid {other.pid}) is serving this "
            "database. Without Redis, API processes do not share revocations, sessions or "
            "rate limits, so an install without LUNA_REDIS_URL runs one API process. Set "
            "LUNA_REDIS_URL to run several, or stop the other one."
        )
        self.other = other


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class SoleApiProcess:
    """This process's claim to be the install's only API process."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.session_factory = session_factory
        self.lease = timedelta(seconds=settings.worker_lease_seconds)
        self.clock = clock
        self.sleep = sleep
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.instance_id = f"{self.host[:60]}-{self.pid}-{secrets.token_hex(4)}"
        self._stop = asyncio.Event()
        self._renewal: asyncio.Task[None] | None = None

    async def claim(self) -> None:
        """Record this process, once no other live one is recorded (waiting up to one
        lease for a record to expire); :class:`AnotherApiProcess` if one stays. The
        record's role is unique, so of two processes starting at once one records and
        the other finds its record."""
        # A record expires one lease after its last renewal; a moment more to see it go.
        deadline = self.clock() + self.lease + timedelta(seconds=POLL_SECONDS)
        while True:
            other = await self._live_other()
            if other is None:
                if await self._record():
                    break
                continue  # another process recorded itself first: look at its record
            if self.clock() > deadline:
                raise AnotherApiProcess(other)
            await self.sleep(POLL_SECONDS)
        self._renewal = asyncio.create_task(
            run_until_stopped(
                self._renew,
                name="api process record",
                interval_seconds=self.lease.total_seconds() / 3,
                stop=self._stop,
            )
        )

    async def release(self) -> None:
        """Stop renewing and remove the record (at shutdown)."""
        if self._renewal is None:
            return  # never recorded (or already released)
        self._stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._renewal
        self._renewal = None
        await self._forget()

    async def _forget(self) -> None:
        async with self.session_factory() as session:
            await session.execute(
                delete(ApiProcess).where(ApiProcess.instance_id == self.instance_id)
            )
            await session.commit()

    async def _live_other(self) -> ApiProcess | None:
        """Another process's live record, after deleting expired and orphaned ones."""
        now = self.clock()
        async with self.session_factory() as session:
            await session.execute(
                delete(ApiProcess).where(ApiProcess.renewed_at < now - self.lease)
            )
            live = []
            for record in await session.scalars(select(ApiProcess)):
                if record.host == self.host and not _pid_alive(record.pid):
                    await session.delete(record)  # its process is gone: a crash, a restart
                else:
                    live.append(record)
            await session.commit()
        return live[0] if live else None

    async def _record(self) -> bool:
        """Record this process; ``False`` when another one's record is there already."""
        now = self.clock()
        async with self.session_factory() as session:
            session.add(
                ApiProcess(
                    instance_id=self.instance_id,
                    host=self.host,
                    pid=self.pid,
                    started_at=now,
                    renewed_at=now,
                )
            )
            try:
                await session.commit()
            except IntegrityError:
                return False
        return True

    async def _renew(self) -> None:
        async with self.session_factory() as session:
            result = await session.execute(
                update(ApiProcess)
                .where(ApiProcess.instance_id == self.instance_id)
                .values(renewed_at=self.clock())
            )
            await session.commit()
        if not result.rowcount:  # type: ignore[attr-defined]
            # Taken for gone during a pause longer than the lease: record it again.
            log.warning("api process record was lost; recording it again")
            if not await self._record():
                log.error(
                    "another API process recorded itself while this one paused; stop one: "
                    "without Redis they do not share revocations or rate limits"
                )
