"""Firing the schedules that are due: once per due time, whatever happens.

A tick (a DBOS scheduled workflow, every minute) looks for the schedules whose next time
has come. Each is claimed with a compare-and-set of its ``next_fire_at`` (from the due
time it read to the next time after now), so two workers reading the same schedule fire
it once; and the fire is stored under a unique (schedule, due time), so a tick retried
after a crash does not fire it again. A schedule whose times passed while every process
was down fires once for all of them (``covered`` counts them) and moves on to its next
time after now. The run it starts carries an idempotency key made of the schedule and the
due time, so a retried fire reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from dbos import DBOS
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.chains.runs import start_chain_run
from luna.chains.schemas import ChainRunCreate
from luna.errors import LunaError
from luna.events import outbox
from luna.jobs.client import WorkflowClient
from luna.jobs.engine import ScheduleSpec
from luna.jobs.runtime import current_resources
from luna.observability.logging import get_logger
from luna.runs.queue import RunQueue
from luna.runs.schemas import RunCreate
from luna.runs.service import create_run
from luna.schedules.models import Schedule, ScheduleFire
from luna.schedules.timing import next_fire
from luna.security.crypto import Keyring

log = get_logger(__name__)

SCHEDULE_NAME: Final = "luna-schedules-tick"
WORKFLOW_NAME: Final = "luna.schedules.tick"
# Every minute, at its start (six fields: the first is the second).
CRON: Final = "0 * * * * *"
BATCH: Final = 200
# A fire with no run this long after it was recorded was interrupted: its run is started
# again (the same idempotency key: never twice).
INTERRUPTED_AFTER: Final = timedelta(minutes=1)


@dataclass(frozen=True)
class Firing:
    """What firing needs from the process: the database, the keyring (to check a run's
    provider) and where work is queued."""

    session_factory: async_sessionmaker[AsyncSession]
    keyring: Keyring
    workflows: WorkflowClient


async def fire_due_schedules(firing: Firing, now: datetime) -> int:
    """Fire every schedule due at ``now``; how many this call fired. Fires that were
    recorded but did not get to start their run (the process died in between) start it
    first."""
    await _finish_interrupted_fires(firing, now)
    async with firing.session_factory() as session:
        due = list(
            await session.execute(
                select(Schedule.id, Schedule.next_fire_at)
                .where(Schedule.paused.is_(False), Schedule.next_fire_at <= now)
                .order_by(Schedule.next_fire_at)
                .limit(BATCH)
            )
        )
    fired = 0
    for schedule_id, due_at in due:
        if due_at is not None and await fire(firing, schedule_id, due_at, now):
            fired += 1
    return fired


async def fire(firing: Firing, schedule_id: str, due_at: datetime, now: datetime) -> bool:
    """Fire one schedule for the due time it was read with; False when another worker
    (or an earlier try) fired it already."""
    async with firing.session_factory() as session:
        schedule = await session.get(Schedule, schedule_id)
        if schedule is None:
            return False
        following, covered = _after(schedule, due_at, now)
        claimed = await session.execute(
            update(Schedule)
            .where(Schedule.id == schedule_id, Schedule.next_fire_at == due_at)
            .values(next_fire_at=following, last_fired_at=now)
        )
        if not getattr(claimed, "rowcount", 0):
            await session.rollback()
            return False
        record = ScheduleFire(
            schedule_id=schedule.id,
            workspace_id=schedule.workspace_id,
            due_at=due_at,
            fired_at=now,
            covered=covered,
        )
        session.add(record)
        try:
            await session.commit()
        except IntegrityError:  # fired for this due time already
            await session.rollback()
            return False
        fire_id, workspace_id = record.id, schedule.workspace_id
        started = await _start(firing, session, schedule, due_at, now)
        await _record_started(session, workspace_id, schedule_id, fire_id, due_at, started, now)
    return True


async def _finish_interrupted_fires(firing: Firing, now: datetime) -> None:
    async with firing.session_factory() as session:
        interrupted = list(
            await session.execute(
                select(ScheduleFire, Schedule)
                .join(Schedule, Schedule.id == ScheduleFire.schedule_id)
                .where(
                    ScheduleFire.run_id.is_(None),
                    ScheduleFire.chain_run_id.is_(None),
                    ScheduleFire.error.is_(None),
                    ScheduleFire.fired_at < now - INTERRUPTED_AFTER,
                )
                .limit(BATCH)
            )
        )
        pending = [
            (record.id, record.due_at, schedule.id, schedule.workspace_id, schedule)
            for record, schedule in interrupted
        ]
        for fire_id, due_at, schedule_id, workspace_id, schedule in pending:
            started = await _start(firing, session, schedule, due_at, now)
            await _record_started(session, workspace_id, schedule_id, fire_id, due_at, started, now)


async def _record_started(
    session: AsyncSession,
    workspace_id: str,
    schedule_id: str,
    fire_id: str,
    due_at: datetime,
    started: dict[str, Any],
    now: datetime,
) -> None:
    """Store what a fire started (or why nothing did) with its event, and commit."""
    await session.execute(update(ScheduleFire).where(ScheduleFire.id == fire_id).values(**started))
    outbox.record_event(
        session,
        workspace_id=workspace_id,
        type="schedule.failed" if "error" in started else "schedule.fired",
        subject_id=schedule_id,
        data={
            "schedule_id": schedule_id,
            "due_at": due_at.isoformat(),
            "run_id": started.get("run_id"),
            "chain_run_id": started.get("chain_run_id"),
            "error": started.get("error"),
            "occurred_at": now.isoformat(),
        },
        now=now,
    )
    await session.commit()


def _after(schedule: Schedule, due_at: datetime, now: datetime) -> tuple[datetime | None, int]:
    """The schedule's next due time after ``now``, and how many due times this fire
    stands for (those from ``due_at`` up to ``now``)."""
    if schedule.cron is None:
        return None, 1
    covered, following = 1, next_fire(schedule.cron, schedule.timezone, due_at)
    while following <= now:
        covered += 1
        following = next_fire(schedule.cron, schedule.timezone, following)
    return following, covered


async def _start(
    firing: Firing, session: AsyncSession, schedule: Schedule, due_at: datetime, now: datetime
) -> dict[str, Any]:
    """Start the schedule's run; what the fire records: the run's id, or why none ran."""
    schedule_id = schedule.id  # read before a rollback expires the loaded rows
    key = f"schedule:{schedule_id}:{due_at.isoformat()}"
    try:
        if schedule.target_type == "chain":
            chain_run, _ = await start_chain_run(
                session=session,
                workflows=firing.workflows,
                workspace_id=schedule.workspace_id,
                chain_id=schedule.target_id,
                request=ChainRunCreate(input=schedule.input),
                idempotency_key=key,
                user_id=schedule.created_by_user_id,
                api_key_id=None,
                now=now,
            )
            return {"chain_run_id": chain_run.id}
        run, created = await create_run(
            session=session,
            keyring=firing.keyring,
            workspace_id=schedule.workspace_id,
            agent_id=schedule.target_id,
            request=RunCreate(input=schedule.input),
            idempotency_key=key,
            user_id=schedule.created_by_user_id,
            api_key_id=None,
            now=now,
        )
        if created:
            await RunQueue(firing.workflows).enqueue(run_id=run.id, workspace_id=run.workspace_id)
        return {"run_id": run.id}
    except LunaError as error:
        await session.rollback()
        log.info("schedule fired without a run", schedule_id=schedule_id, error=error.detail)
        return {"error": error.detail}


@DBOS.workflow(name=WORKFLOW_NAME)
async def tick_workflow(scheduled_at: datetime, _context: Any) -> None:
    """One minute's look for due schedules, as a durable step."""
    await _tick_step()


_WORKFLOWS: dict[str, WorkflowClient] = {}


@DBOS.step(name="luna.schedules.fire_due")
async def _tick_step() -> None:
    resources = current_resources()
    url = resources.settings.run_system_database
    workflows = _WORKFLOWS.setdefault(url, WorkflowClient(resources.settings))
    firing = Firing(
        session_factory=resources.session_factory,
        keyring=resources.keyring,
        workflows=workflows,
    )
    count = await fire_due_schedules(firing, resources.clock())
    if count:
        log.info("schedules fired", count=count)


SCHEDULE: Final = ScheduleSpec(name=SCHEDULE_NAME, workflow=tick_workflow, cron=CRON)
