"""The run workflow and its queue: how a run reaches a worker.

Every run is a DBOS workflow whose id is the run's id, enqueued on one queue partitioned
by workspace, so that one tenant's slow runs never hold up another's and each workspace
runs at most ``run_concurrency_per_workspace`` at once. The workflow is registered once,
at import; it loads the run's immutable agent version and builds the tenant's agent
inside (:mod:`luna.runs.execution`).

Processes that execute runs hand :func:`run_queue_spec` to the job engine
(:mod:`luna.jobs.engine`); every process, including API-only ones, enqueues through a
:class:`RunQueue` (a DBOS client on the same system database).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Final

from dbos import DBOS, DBOSClient, EnqueueOptions
from dbos._error import DBOSNonExistentWorkflowError

from luna.jobs.engine import APPLICATION_NAME, APPLICATION_VERSION, QueueSpec
from luna.runs.execution import execute_run
from luna.settings import Settings

QUEUE_NAME: Final = "luna-runs"
WORKFLOW_NAME: Final = "luna.runs.execute"
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


def run_queue_spec(settings: Settings) -> QueueSpec:
    """The run queue as a worker with these settings declares it."""
    return QueueSpec(
        name=QUEUE_NAME,
        partition_concurrency=settings.run_concurrency_per_workspace,
        worker_concurrency=settings.run_worker_concurrency,
        polling_interval_seconds=QUEUE_POLLING_SECONDS,
    )


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
