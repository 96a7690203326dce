"""Worker leases: how live workers tell the work of a worker that is gone.

Every process that executes durable work takes a lease under an identity of its own
(:func:`luna.jobs.engine.executor_identity`, unique per process start) before it
dequeues anything, and renews it every third of :attr:`Settings.worker_lease_seconds`.
A lease not renewed for that long belongs to a worker that crashed, was killed or lost
its network. Any live worker may then claim it: the claim is a conditional delete, so
exactly one claimant wins and recovers the gone worker's unfinished workflows. Nothing
depends on a host name staying the same across restarts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.jobs.models import WorkerLease


async def take_lease(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    executor_id: str,
    host: str,
    pid: int,
    now: datetime,
) -> None:
    """Record this worker as live, before it executes anything."""
    async with session_factory() as session:
        session.add(
            WorkerLease(executor_id=executor_id, host=host, pid=pid, started_at=now, renewed_at=now)
        )
        await session.commit()


async def renew_lease(
    session_factory: async_sessionmaker[AsyncSession], *, executor_id: str, now: datetime
) -> bool:
    """Extend the lease; ``False`` when it is gone (another worker declared this one dead)."""
    async with session_factory() as session:
        result = await session.execute(
            update(WorkerLease).where(WorkerLease.executor_id == executor_id).values(renewed_at=now)
        )
        await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release_lease(
    session_factory: async_sessionmaker[AsyncSession], executor_id: str
) -> None:
    """Give the lease up at shutdown: what is left unfinished is recovered at once."""
    async with session_factory() as session:
        await session.execute(delete(WorkerLease).where(WorkerLease.executor_id == executor_id))
        await session.commit()


async def claim_expired_leases(
    session_factory: async_sessionmaker[AsyncSession], *, now: datetime, lease_seconds: float
) -> list[str]:
    """The executors whose leases expired and that this caller claimed (deleted) first."""
    cutoff = now - timedelta(seconds=lease_seconds)
    async with session_factory() as session:
        expired = list(
            await session.scalars(
                select(WorkerLease.executor_id).where(WorkerLease.renewed_at < cutoff)
            )
        )
        claimed = []
        for executor_id in expired:
            result = await session.execute(
                delete(WorkerLease).where(
                    WorkerLease.executor_id == executor_id, WorkerLease.renewed_at < cutoff
                )
            )
            if result.rowcount:  # type: ignore[attr-defined]
                claimed.append(executor_id)
        await session.commit()
    return claimed


async def live_executors(
    session: AsyncSession, executor_ids: Iterable[str], *, now: datetime, lease_seconds: float
) -> set[str]:
    """Which of ``executor_ids`` hold a lease that has not expired."""
    wanted = set(executor_ids)
    if not wanted:
        return set()
    cutoff = now - timedelta(seconds=lease_seconds)
    rows = await session.scalars(
        select(WorkerLease.executor_id).where(
            WorkerLease.executor_id.in_(wanted), WorkerLease.renewed_at >= cutoff
        )
    )
    return set(rows)
