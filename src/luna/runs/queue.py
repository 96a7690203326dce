"""The run workflow and its queue: how a run reaches a worker.

Every run is a DBOS workflow whose id is the run's id, enqueued on one queue partitioned
by workspace, so that one tenant's slow runs never hold up another's and each workspace
runs at most ``run_concurrency_per_workspace`` at once. The workflow is registered once,
at import; it loads the run's immutable agent version and builds the tenant's agent
inside (:mod:`luna.runs.execution`).

Processes that execute runs hand :func:`run_queue_spec` to the job engine
(:mod:`luna.jobs.engine`); every process, including API-only ones, enqueues through a
:class:`RunQueue` (a :class:`~luna.jobs.client.WorkflowClient`).
"""

from __future__ import annotations

from typing import Final

from dbos import DBOS

from luna.jobs.client import WorkflowClient, enqueue_from_workflow
from luna.jobs.engine import QueueSpec
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

    def __init__(self, workflows: WorkflowClient) -> None:
        self.workflows = workflows

    async def enqueue(self, *, run_id: str, workspace_id: str, segment: int = 0) -> None:
        """Queue a run (or its resumption after approvals); queuing it again is a no-op,
        as the workflow id is derived from the run id."""
        await self.workflows.enqueue(
            run_id,
            segment,
            queue=QUEUE_NAME,
            workflow=WORKFLOW_NAME,
            workflow_id=workflow_id(run_id, segment),
            partition_key=workspace_id,
        )

    async def cancel(self, run_id: str) -> None:
        """Take a run off the queue and stop it from resuming."""
        await self.workflows.cancel(run_id)


async def enqueue_run_from_workflow(*, run_id: str, workspace_id: str) -> None:
    """Inside another workflow (an eval run's): queue a run as its child, on the run
    queue like any other run, so the workspace's concurrency holds."""
    await enqueue_from_workflow(
        run_id,
        0,
        queue=QUEUE_NAME,
        workflow=WORKFLOW_NAME,
        workflow_id=workflow_id(run_id, 0),
        partition_key=workspace_id,
    )
