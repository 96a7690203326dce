"""Durable work from any process: enqueue a workflow, cancel it, send it a message.

API processes without a job engine reach the system database through a DBOS client; a
worker does the same for work it hands to any worker. The client connects on first use,
creating the system database's tables when they do not exist yet.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from dbos import DBOS, DBOSClient, EnqueueOptions
from dbos._error import DBOSNonExistentWorkflowError

from luna.jobs.engine import APPLICATION_NAME, APPLICATION_VERSION
from luna.settings import Settings


class WorkflowClient:
    """Enqueues, cancels and messages workflows on the system database of ``settings``."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.run_system_database
        self._client: DBOSClient | None = None
        self._lock = asyncio.Lock()

    async def _connected(self) -> DBOSClient:
        async with self._lock:
            if self._client is None:
                await asyncio.to_thread(DBOS.migrate, self._url)
                self._client = DBOSClient(system_database_url=self._url, lazy=True)
        return self._client

    async def enqueue(
        self,
        *args: Any,
        queue: str,
        workflow: str,
        workflow_id: str,
        partition_key: str | None = None,
    ) -> None:
        """Queue ``workflow(*args)`` as ``workflow_id``; queuing the same id again is a no-op."""
        options = enqueue_options(
            queue=queue, workflow=workflow, workflow_id=workflow_id, partition_key=partition_key
        )
        client = await self._connected()
        await client.enqueue_async(options, *args)

    async def cancel(self, workflow_id: str) -> None:
        """Take a workflow off its queue, or stop it at its next step."""
        client = await self._connected()
        with contextlib.suppress(DBOSNonExistentWorkflowError):
            await client.cancel_workflow_async(workflow_id)

    async def send(self, workflow_id: str, message: Any, *, topic: str) -> None:
        """Deliver ``message`` to what the workflow receives on ``topic``, even while no
        process runs it (it reads the message when it is recovered)."""
        client = await self._connected()
        await client.send_async(workflow_id, message, topic)

    def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            self._client.destroy()
            self._client = None


def enqueue_options(
    *, queue: str, workflow: str, workflow_id: str, partition_key: str | None = None
) -> EnqueueOptions:
    """How ``workflow`` is queued as ``workflow_id``, from a client or a workflow."""
    options: EnqueueOptions = {
        "queue_name": queue,
        "workflow_name": workflow,
        "workflow_id": workflow_id,
        "app_version": APPLICATION_VERSION,
        "application_name": APPLICATION_NAME,
    }
    if partition_key is not None:
        options["queue_partition_key"] = partition_key
    return options


async def enqueue_from_workflow(
    *args: Any, queue: str, workflow: str, workflow_id: str, partition_key: str | None = None
) -> None:
    """Inside a workflow: queue ``workflow(*args)`` as its child. The enqueue is recorded
    with the workflow, so a recovered workflow does not queue it again."""
    options = enqueue_options(
        queue=queue, workflow=workflow, workflow_id=workflow_id, partition_key=partition_key
    )
    await DBOS.enqueue_workflow_with_options_async(options, *args)
