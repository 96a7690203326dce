"""The worker process host: ``luna worker``, and the in-process worker of ``luna serve``.

A worker connects to the shared database, refuses to start on a schema that is not at
the code's revision, then runs the background loops (email delivery, the sweep that
queues runs an API process could not) and the durable run engine until SIGTERM or
SIGINT, finishing in-flight work within the shutdown grace period. Runs still executing
then are recovered by another live worker: this one gives its lease up as it stops, and
a worker that dies without doing so is taken for gone once its lease expires.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.background import run_until_stopped
from luna.billing import dunning
from luna.chains import execution as chain_execution
from luna.chains.runs import chain_queue_spec, enqueue_stranded_chain_runs
from luna.db.base import utcnow
from luna.evals import execution as eval_execution
from luna.evals.runs import enqueue_stranded_eval_runs, eval_queue_spec
from luna.health.service import check_readiness
from luna.jobs.engine import JobEngine
from luna.jobs.runtime import install_resources, uninstall_resources
from luna.notifications.delivery import run_delivery_loop, sender_for
from luna.observability.logging import get_logger
from luna.resources import open_resources
from luna.runs.queue import RunQueue, run_queue_spec
from luna.runs.runtime import RunRuntime
from luna.runs.sweep import SWEEP_BACKOFF, SWEEP_INTERVAL_SECONDS, run_queue_sweep
from luna.schedules import firing as schedule_firing
from luna.settings import Settings
from luna.usage import retention
from luna.webhooks import delivery as webhook_delivery
from luna.webhooks.dispatch import EventPublisher, webhook_queue_spec

log = get_logger(__name__)

# How often the events of the outbox are turned into webhook deliveries: the longest an
# event waits before its first attempt.
WEBHOOK_EVENTS_INTERVAL_SECONDS = 1.0

# The workflows a worker executes register with DBOS as their modules are imported.
DURABLE_WORKFLOWS = (
    chain_execution.execute_chain_workflow,
    eval_execution.execute_eval_workflow,
    webhook_delivery.deliver_workflow,
)


def worker_identity() -> str:
    """A name for this worker process that is unique across machines."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def start_durable_engine(runtime: RunRuntime) -> JobEngine:
    """Start the job engine of a worker, with every domain's queues and schedules, its
    workflows finding this process's resources in ``runtime``."""
    engine = JobEngine(
        runtime.settings,
        runtime.session_factory,
        queues=[
            run_queue_spec(runtime.settings),
            chain_queue_spec(),
            eval_queue_spec(),
            webhook_queue_spec(),
        ],
        schedules=[dunning.SCHEDULE, retention.SCHEDULE, schedule_firing.SCHEDULE],
    )
    runtime.executor_id = engine.executor_id
    install_resources(runtime)
    await engine.start()
    return engine


async def stop_durable_engine(runtime: RunRuntime, engine: JobEngine) -> None:
    """Stop the job engine; what it leaves unfinished is recovered by another worker."""
    await engine.stop()
    uninstall_resources(runtime)


@asynccontextmanager
async def executing_durable_work(runtime: RunRuntime) -> AsyncIterator[JobEngine]:
    """The job engine running for the length of the block (tests, benchmarks)."""
    engine = await start_durable_engine(runtime)
    try:
        yield engine
    finally:
        await stop_durable_engine(runtime, engine)


async def _sweep_chain_runs(
    session_factory: async_sessionmaker[AsyncSession], queue: RunQueue | None
) -> None:
    if queue is None:
        return
    count = await enqueue_stranded_chain_runs(
        session_factory=session_factory, workflows=queue.workflows
    )
    if count:
        log.info("stranded chain runs enqueued", count=count)
    count = await enqueue_stranded_eval_runs(
        session_factory=session_factory, workflows=queue.workflows
    )
    if count:
        log.info("stranded eval runs enqueued", count=count)


class BackgroundWork:
    """The background loops of one process, started and stopped together."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        runtime: RunRuntime | None = None,
        queue: RunQueue | None = None,
    ):
        self.settings = settings
        self.session_factory = session_factory
        self.runtime = runtime
        self.engine: JobEngine | None = None
        # Where the sweep queues the runs an API process could not (None: no sweep).
        self.queue = queue
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    def loops(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        """Each loop this worker runs, as a coroutine factory."""
        sender = sender_for(self.settings)

        async def deliver_email() -> None:
            await run_delivery_loop(
                session_factory=self.session_factory, sender=sender, clock=utcnow, stop=self.stop
            )

        async def sweep_runs() -> None:
            if self.queue is not None:
                await run_queue_sweep(
                    session_factory=self.session_factory, queue=self.queue, stop=self.stop
                )

        async def sweep_chain_runs() -> None:
            if self.queue is not None:
                await run_until_stopped(
                    lambda: _sweep_chain_runs(self.session_factory, self.queue),
                    name="chain-queue-sweep",
                    interval_seconds=SWEEP_INTERVAL_SECONDS,
                    stop=self.stop,
                    backoff=SWEEP_BACKOFF,
                )

        async def publish_webhook_events() -> None:
            if self.queue is not None:
                publisher = EventPublisher(self.session_factory, self.queue.workflows)
                await run_until_stopped(
                    lambda: publisher.iteration(utcnow()),
                    name="webhook-events",
                    interval_seconds=WEBHOOK_EVENTS_INTERVAL_SECONDS,
                    stop=self.stop,
                    backoff=SWEEP_BACKOFF,
                )

        return [deliver_email, sweep_runs, sweep_chain_runs, publish_webhook_events]

    def start(self) -> None:
        """Start every loop as a task of the running event loop."""
        self.tasks = [asyncio.create_task(loop()) for loop in self.loops()]

    async def start_with_runs(self) -> None:
        """Start the run engine (when this work has a runtime), then every loop."""
        if self.runtime is not None:
            self.engine = await start_durable_engine(self.runtime)
        self.start()

    async def shutdown(self) -> None:
        """Ask every loop to finish, waiting up to the grace period before cancelling."""
        self.stop.set()
        done, pending = (
            await asyncio.wait(self.tasks, timeout=self.settings.shutdown_grace_seconds)
            if self.tasks
            else (set(), set())
        )
        for task in pending:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("background loop failed", error=repr(task.exception()))
        if self.engine is not None and self.runtime is not None:
            await stop_durable_engine(self.runtime, self.engine)


async def serve_background_work(settings: Settings, stop: asyncio.Event) -> None:
    """Check readiness, then run the background loops until ``stop`` is set."""
    # A worker only writes through its caches: it never needs their invalidations.
    async with open_resources(settings) as shared:
        checks = await check_readiness(engine=shared.engine, settings=settings)
        work = BackgroundWork(
            settings, shared.session_factory, shared.run_runtime(), queue=shared.run_queue
        )
        await work.start_with_runs()
        log.info("worker ready", worker=worker_identity(), **checks)
        await stop.wait()
        log.info("worker stopping", worker=worker_identity())
        await work.shutdown()


def run_worker(settings: Settings) -> None:
    """Run a worker in this process until it is signalled to stop."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        await serve_background_work(settings, stop)

    asyncio.run(main())
