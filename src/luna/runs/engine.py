"""The durable run engine: DBOS, its queue, and the one workflow every run executes.

Every run is a DBOS workflow whose id is the run's id, enqueued on one queue
partitioned by workspace, so that one tenant's slow runs never hold up another's and
each workspace runs at most ``run_concurrency_per_workspace`` at once. The workflow is
registered once, at import; it loads the run's immutable agent version and builds the
tenant's agent inside (:mod:`luna.runs.execution`).

Processes that execute runs (``luna worker``, and ``luna serve`` with its in-process
worker) :meth:`RunEngine.start` DBOS; on start DBOS resumes the workflows this executor
left unfinished, from their last completed step. Every process, including API-only
ones, enqueues through a :class:`RunQueue` (a DBOS client on the same system database).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Final

from dbos import DBOS, DBOSClient, DBOSConfig, EnqueueOptions
from dbos._error import DBOSNonExistentWorkflowError

from luna.billing.dunning import schedule_dunning
from luna.billing.retention import schedule_retention
from luna.observability.logging import get_logger
from luna.runs.execution import execute_run
from luna.runs.runtime import RunRuntime, install_runtime, uninstall_runtime
from luna.settings import Settings

log = get_logger(__name__)

APPLICATION_NAME: Final = "luna"
QUEUE_NAME: Final = "luna-runs"
WORKFLOW_NAME: Final = "luna.runs.execute"
# Workflows are dequeued only by executors of this version: bump it when a change to the
# run workflow would make runs started by the previous code recover differently.
APPLICATION_VERSION: Final = "1"
# How often an idle worker looks for queued runs; a run waits at most this long to start.
QUEUE_POLLING_SECONDS: Final = 0.05


@DBOS.workflow(name=WORKFLOW_NAME)
async def execute_run_workflow(run_id: str, segment: int = 0) -> str:
    """Execute one run to its end (or its next pause for approvals); returns its status.

    ``segment`` counts the approval rounds before: a run that paused is resumed by a
    workflow of its own, ``<run id>.resume-<segment>``.
    """
    return await execute_run(run_id, segment)


def workflow_id(run_id: str, segment: int) -> str:
    """The workflow executing a run's ``segment`` (0: from its start)."""
    return run_id if segment == 0 else f"{run_id}.resume-{segment}"


class _QuietDuplicateRegistrations(logging.Filter):
    """Each run builds its agent anew under the same durable name, which registers the
    same model steps again by design; DBOS would warn about it on every run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Duplicate registration of function 'luna_run__" not in record.getMessage()


def executor_id(settings: Settings) -> str:
    """This worker's identity in the system database. A restarted worker with the same
    identity (same host, or the configured one) resumes what its predecessor left."""
    return settings.run_executor_id or socket.gethostname() or f"pid-{os.getpid()}"


def dbos_config(settings: Settings) -> DBOSConfig:
    """The DBOS configuration for these settings."""
    return {
        "name": APPLICATION_NAME,
        "system_database_url": settings.run_system_database,
        "executor_id": executor_id(settings),
        "application_version": APPLICATION_VERSION,
        "log_level": "WARNING",
        "enable_otlp": False,
    }


class RunEngine:
    """DBOS in this process: started by a worker, stopped at its shutdown."""

    def __init__(self, runtime: RunRuntime) -> None:
        self.runtime = runtime

    async def start(self) -> None:
        """Launch DBOS, declare the run queue, and resume unfinished runs."""
        settings = self.runtime.settings
        install_runtime(self.runtime)
        logging.getLogger("dbos").addFilter(_QuietDuplicateRegistrations())
        DBOS(config=dbos_config(settings))
        # Launched from this event loop's own thread, DBOS runs the workflows on this loop,
        # where the database engine and the Redis client live (from another thread it
        # would run them on a loop of its own). Launching blocks briefly, once.
        DBOS.launch()
        await DBOS.register_queue_async(
            QUEUE_NAME,
            partition_concurrency=settings.run_concurrency_per_workspace,
            worker_concurrency=settings.run_worker_concurrency,
            polling_interval_sec=QUEUE_POLLING_SECONDS,
            on_conflict="always_update",
        )
        await schedule_dunning()
        await schedule_retention()
        log.info("run engine started", executor=executor_id(settings))

    async def stop(self) -> None:
        """Stop DBOS; runs still executing are resumed by the next worker."""
        grace = int(self.runtime.settings.shutdown_grace_seconds)
        await asyncio.to_thread(DBOS.destroy, workflow_completion_timeout_sec=grace)
        uninstall_runtime(self.runtime)


class RunQueue:
    """Enqueues and cancels run workflows from any process."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.run_system_database
        self._client: DBOSClient | None = None
        self._lock = asyncio.Lock()

    async def _connected(self) -> DBOSClient:
        """The client, once the system database's tables exist (created on first use)."""
        async with self._lock:
            if self._client is None:
                await asyncio.to_thread(DBOS.migrate, self._url)
                self._client = DBOSClient(system_database_url=self._url, lazy=True)
        return self._client

    async def enqueue(self, *, run_id: str, workspace_id: str, segment: int = 0) -> None:
        """Queue a run (or its resumption after approvals); queuing it again is a no-op,
        as the workflow id is derived from the run id."""
        options: EnqueueOptions = {
            "queue_name": QUEUE_NAME,
            "workflow_name": WORKFLOW_NAME,
            "workflow_id": workflow_id(run_id, segment),
            "queue_partition_key": workspace_id,
            "app_version": APPLICATION_VERSION,
            "application_name": APPLICATION_NAME,
        }
        client = await self._connected()
        await client.enqueue_async(options, run_id, segment)

    async def cancel(self, run_id: str) -> None:
        """Take a run off the queue and stop it from resuming."""
        client = await self._connected()
        with contextlib.suppress(DBOSNonExistentWorkflowError):
            await client.cancel_workflow_async(run_id)

    def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            self._client.destroy()
            self._client = None
