"""The durable engine: DBOS in this process, with the queues and schedules it is handed.

The domains declare what durable work they have: their workflows (registered with DBOS
at import), their queues (:class:`QueueSpec`) and their schedules (:class:`ScheduleSpec`).
The composition root hands those to a :class:`JobEngine`, which launches DBOS under an
identity unique to this process (:func:`executor_identity`), takes the worker's lease
and, while it runs, recovers the unfinished workflows of workers that are gone
(:mod:`luna.jobs.leases`). A second process on the same host, or a worker that comes back
under another name, therefore never executes a workflow twice and never strands one.

Processes that only enqueue (API replicas without a worker) use a DBOS client instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from dbos import DBOS, DBOSClient, DBOSConfig
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.db.base import utcnow
from luna.jobs import leases
from luna.observability.logging import get_logger
from luna.settings import Settings

log = get_logger(__name__)

APPLICATION_NAME: Final = "luna"
# Workflows are dequeued only by executors of this version: bump it when a change to a
# workflow would make work started by the previous code recover differently.
APPLICATION_VERSION: Final = "1"


# How long a stopping engine waits for work that started just as it looked for some.
LAST_LOOK_SECONDS: Final = 1


@dataclass(frozen=True)
class QueueSpec:
    """A DBOS queue a domain's work is enqueued on."""

    name: str
    worker_concurrency: int | None = None
    partition_concurrency: int | None = None
    # How often an idle worker looks for queued work: the longest a job waits to start.
    polling_interval_seconds: float = 1.0


@dataclass(frozen=True)
class ScheduleSpec:
    """A workflow run on a cron schedule (six fields, seconds first), kept by DBOS in
    the system database across restarts."""

    name: str
    workflow: Callable[..., Any]
    cron: str


class _QuietDuplicateRegistrations(logging.Filter):
    """Each run builds its agent anew under the same durable name, which registers the
    same model steps again by design; DBOS would warn about it on every run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Duplicate registration of function 'luna_run__" not in record.getMessage()


NOTIFICATION_POLL_SECONDS = 0.1
# Lease rounds run every third of a lease; one in this many also sweeps for work whose
# executor has no lease at all (a listing of every pending workflow).
SWEEP_EVERY_ROUNDS: Final = 6


def executor_identity(settings: Settings) -> str:
    """This process's identity in the system database: the configured worker name (or
    the host name) with the process id and a random suffix, unique per process start."""
    name = settings.run_executor_id or socket.gethostname() or "worker"
    return f"{name[:60]}-{os.getpid()}-{secrets.token_hex(4)}"


def dbos_config(settings: Settings, executor_id: str) -> DBOSConfig:
    """The DBOS configuration for these settings."""
    return {
        "name": APPLICATION_NAME,
        "system_database_url": settings.run_system_database,
        "executor_id": executor_id,
        "application_version": APPLICATION_VERSION,
        "log_level": "WARNING",
        "enable_otlp": False,
        # On SQLite (no LISTEN/NOTIFY) DBOS polls for the messages and events a workflow
        # waits on; it queries only while something waits. The default second is also how
        # long stopping takes, as the poller finishes its sleep.
        "notification_listener_polling_interval_sec": NOTIFICATION_POLL_SECONDS,
    }


class JobEngine:
    """DBOS in this process: started by a worker, stopped at its shutdown."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        queues: Sequence[QueueSpec] = (),
        schedules: Sequence[ScheduleSpec] = (),
        clock: Callable[[], Any] = utcnow,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.queues = tuple(queues)
        self.schedules = tuple(schedules)
        self.clock = clock
        self.executor_id = executor_identity(settings)
        self._leases: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Take this worker's lease, launch DBOS, declare the queues and schedules, and
        recover the work of workers that are gone."""
        await leases.take_lease(
            self.session_factory,
            executor_id=self.executor_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            now=self.clock(),
        )
        logging.getLogger("dbos").addFilter(_QuietDuplicateRegistrations())
        await asyncio.to_thread(self._declare_queues)
        DBOS(config=dbos_config(self.settings, self.executor_id))
        # Launched from this event loop's own thread, DBOS runs the workflows on this loop,
        # where the database engine and the Redis client live (from another thread it
        # would run them on a loop of its own). Launching blocks briefly, once.
        DBOS.launch()
        await DBOS.apply_schedules_async(
            [
                {"schedule_name": spec.name, "workflow_fn": spec.workflow, "schedule": spec.cron}
                for spec in self.schedules
            ]
        )
        await self.recover_gone_workers()
        self._stopping = asyncio.Event()
        self._leases = asyncio.create_task(self._keep_lease())
        log.info("job engine started", executor=self.executor_id)

    async def stop(self) -> None:
        """Stop DBOS and give the lease up: what is still unfinished after the grace
        period is recovered by another worker at once."""
        await self._stop_lease_rounds()
        # With nothing under way, a second still lets a workflow that a queue or a schedule
        # started after the look finish, instead of being cut off in the middle of a query.
        executing = await self._executing()
        grace = int(self.settings.shutdown_grace_seconds) if executing else LAST_LOOK_SECONDS
        await asyncio.to_thread(DBOS.destroy, workflow_completion_timeout_sec=grace)
        # DBOS made its thread pool this loop's default executor, and destroying it shut
        # that pool down: give the loop a pool of its own again, or every later
        # ``asyncio.to_thread`` on it (a next engine start, say) would fail.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor())
        await leases.release_lease(self.session_factory, self.executor_id)

    def _declare_queues(self) -> None:
        """Store the queues' settings before launch, so that DBOS's queue manager listens
        to them from its first look (declared after, a new queue waits for its next look,
        a second later)."""
        url = self.settings.run_system_database
        DBOS.migrate(url)
        client = DBOSClient(system_database_url=url)
        try:
            for queue in self.queues:
                client.register_queue(
                    queue.name,
                    worker_concurrency=queue.worker_concurrency,
                    partition_concurrency=queue.partition_concurrency,
                    polling_interval_sec=queue.polling_interval_seconds,
                    on_conflict="always_update",
                    application_name=APPLICATION_NAME,
                )
        finally:
            client.destroy()

    async def _executing(self) -> bool:
        """Whether this worker has unfinished workflows (the grace period waits for them;
        with nothing under way the engine waits one last second only).
        Work dequeued after this look is recovered by another worker, as after a crash."""
        pending = await DBOS.list_workflows_async(
            status="PENDING",
            executor_id=self.executor_id,
            limit=1,
            load_input=False,
            load_output=False,
        )
        return bool(pending)

    async def _stop_lease_rounds(self) -> None:
        """End the lease rounds, letting a round that is under way finish: cancelled in
        the middle of a query, a database driver may close its connection and fail with
        that error instead of the cancellation. Only a round stuck past the grace period
        is cancelled."""
        task, self._leases = self._leases, None
        if task is None:
            return
        self._stopping.set()
        done, _ = await asyncio.wait([task], timeout=self.settings.shutdown_grace_seconds)
        if not done:
            task.cancel()
            await asyncio.wait([task])
        if not task.cancelled() and task.exception() is not None:
            log.error("worker lease rounds failed", error=repr(task.exception()))

    async def _keep_lease(self) -> None:
        interval = self.settings.worker_lease_seconds / 3
        rounds = 0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)
                return
            rounds += 1
            try:
                await self._renew_and_recover(sweep=rounds % SWEEP_EVERY_ROUNDS == 0)
            except Exception:
                log.exception("worker lease round failed", executor=self.executor_id)

    async def _renew_and_recover(self, *, sweep: bool = True) -> None:
        renewed = await leases.renew_lease(
            self.session_factory, executor_id=self.executor_id, now=self.clock()
        )
        if not renewed:
            # Declared gone while alive (a pause longer than the lease): its work has been
            # handed to others. Take a lease again so that new work is not orphaned.
            log.error("worker lease was lost; taking a new one", executor=self.executor_id)
            await leases.take_lease(
                self.session_factory,
                executor_id=self.executor_id,
                host=socket.gethostname(),
                pid=os.getpid(),
                now=self.clock(),
            )
        await self.recover_gone_workers(sweep=sweep)

    async def recover_gone_workers(self, *, sweep: bool = True) -> list[str]:
        """Re-enqueue the unfinished workflows of every executor that is gone: those whose
        lease this worker claimed and, when ``sweep`` is set, those holding work with no
        lease at all (a worker of an earlier version, one stopped before its lease was
        written, one whose claimant failed to recover it). A sweep lists every pending
        workflow, so the lease rounds make one only every ``SWEEP_EVERY_ROUNDS``."""
        now = self.clock()
        lease_seconds = self.settings.worker_lease_seconds
        # Expired leases are deleted by their first claimant; their holders are gone either way.
        claimed = await leases.claim_expired_leases(
            self.session_factory, now=now, lease_seconds=lease_seconds
        )
        gone_set = set(claimed)
        if sweep:
            gone_set |= await self._executors_without_lease(now, lease_seconds)
        gone_set.discard(self.executor_id)
        gone = sorted(gone_set)
        if gone:
            # The recovery call of DBOS's own admin endpoint: re-enqueued workflows start
            # again through the queue's atomic dequeue, so each is taken by one worker.
            await asyncio.to_thread(DBOS._recover_pending_workflows, gone)
            log.warning("recovered the work of gone workers", executors=gone)
        return gone

    async def _executors_without_lease(self, now: Any, lease_seconds: float) -> set[str]:
        """The executors holding pending work with no live lease."""
        pending = await DBOS.list_workflows_async(
            status="PENDING", app_version=APPLICATION_VERSION, load_input=False, load_output=False
        )
        holders = {status.executor_id for status in pending if status.executor_id}
        holders.discard(self.executor_id)
        async with self.session_factory() as session:
            alive = await leases.live_executors(
                session, holders, now=now, lease_seconds=lease_seconds
            )
        return holders - alive
