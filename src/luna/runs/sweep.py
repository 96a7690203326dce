"""The sweep that makes sure every queued run is on the run queue.

An API process stores a run, commits, then enqueues it. If it dies or loses the
system database between the two, the run would wait forever; the sweep, run by every
worker, enqueues runs that have been queued for a while. Enqueuing is idempotent (the
workflow id is the run id), so a run already on the queue is left as it is.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.background import Backoff, Wait, run_until_stopped, wait_unless_stopped
from luna.db.base import utcnow
from luna.observability.logging import get_logger
from luna.observability.metrics import OLDEST_QUEUED_RUN_SECONDS, QUEUED_RUNS
from luna.runs.lifecycle import resume_segment
from luna.runs.models import Run
from luna.runs.queue import RunQueue

log = get_logger(__name__)

SWEEP_INTERVAL_SECONDS: Final = 30.0
QUEUED_FOR: Final = timedelta(seconds=20)
BATCH: Final = 500
# A failed sweep is tried again no sooner than a normal one, and at least every 10 minutes.
SWEEP_BACKOFF: Final = Backoff(initial_seconds=SWEEP_INTERVAL_SECONDS, maximum_seconds=600.0)


async def enqueue_stranded_runs(
    *, session_factory: async_sessionmaker[AsyncSession], queue: RunQueue
) -> int:
    """Enqueue the runs queued for longer than :data:`QUEUED_FOR`; how many there were."""
    async with session_factory() as session:
        rows = (
            await session.execute(
                select(Run.id, Run.workspace_id)
                .where(Run.status == "queued", Run.created_at < utcnow() - QUEUED_FOR)
                .order_by(Run.created_at)
                .limit(BATCH)
            )
        ).all()
        segments = [await resume_segment(session, run_id) for run_id, _ in rows]
    for (run_id, workspace_id), segment in zip(rows, segments, strict=True):
        await queue.enqueue(run_id=run_id, workspace_id=workspace_id, segment=segment)
    return len(rows)


async def measure_queue(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Set the queue's gauges: how many runs wait to start, and for how long the oldest
    has waited."""
    async with session_factory() as session:
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(Run.created_at)).where(Run.status == "queued")
            )
        ).one()
    QUEUED_RUNS.set(count or 0)
    waited = 0.0 if oldest is None else max((utcnow() - oldest).total_seconds(), 0.0)
    OLDEST_QUEUED_RUN_SECONDS.set(waited)


async def run_queue_sweep(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    queue: RunQueue,
    stop: asyncio.Event,
    wait: Wait = wait_unless_stopped,
) -> None:
    """Sweep at start and then every :data:`SWEEP_INTERVAL_SECONDS` until ``stop``; a
    failed sweep is logged and retried with backoff."""

    async def sweep() -> None:
        count = await enqueue_stranded_runs(session_factory=session_factory, queue=queue)
        if count:
            log.info("stranded runs enqueued", count=count)
        await measure_queue(session_factory)

    await run_until_stopped(
        sweep,
        name="run-queue-sweep",
        interval_seconds=SWEEP_INTERVAL_SECONDS,
        stop=stop,
        backoff=SWEEP_BACKOFF,
        wait=wait,
    )
