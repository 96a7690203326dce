"""A workspace's schedules: create, list, read, change (pause and resume), delete.

Every schedule is loaded through :func:`get_schedule_for_workspace`, which answers
NotFound alike for a schedule that does not exist and for one of another workspace. The
agent or chain a schedule runs must be the workspace's own, checked when it is saved
(and again when it fires: it may have been deleted since).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import Agent
from luna.chains.models import Chain
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.db.writes import conflicts_as, touch
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.schedules.models import Schedule, ScheduleFire
from luna.schedules.schemas import ScheduleCreate, ScheduleUpdate
from luna.schedules.timing import cron_problem, next_fire, next_fires, zone_problem

SCHEDULE_KEYSET: Final = Keyset(
    {"created_at": Schedule.created_at, "name": Schedule.name}, id_column=Schedule.id
)
SHOWN_FIRES: Final = 5
RECENT_FIRES: Final = 10


async def get_schedule_for_workspace(
    *, session: AsyncSession, workspace_id: str, schedule_id: str, for_update: bool = False
) -> Schedule:
    """The workspace's schedule with this id; NotFound if missing or another workspace's."""
    missing = NotFound(f"No schedule {schedule_id} in this workspace.")
    return await get_in_workspace(
        session,
        Schedule,
        workspace_id=workspace_id,
        object_id=schedule_id,
        missing=missing,
        for_update=for_update,
    )


async def create_schedule(
    *,
    session: AsyncSession,
    workspace_id: str,
    request: ScheduleCreate,
    user_id: str | None,
    now: datetime,
) -> Schedule:
    """Store a schedule, due at its first time after ``now``."""
    _check_timing(request.cron, request.timezone)
    await _check_target(session, workspace_id, request.target_type, request.target_id)
    if request.once_at is not None and request.once_at <= now:
        raise ValidationFailed(
            "The time to fire must be in the future.",
            errors=[{"in": "body", "pointer": "#/once_at", "message": "In the past."}],
        )
    schedule = Schedule(
        workspace_id=workspace_id,
        name=request.name,
        target_type=request.target_type,
        target_id=request.target_id,
        input=request.input,
        cron=request.cron,
        timezone=request.timezone,
        once_at=request.once_at,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    schedule.next_fire_at = _first_due(schedule, now)
    async with conflicts_as(session, _name_taken(request.name)):
        session.add(schedule)
        await session.commit()
    return schedule


async def update_schedule(
    *,
    session: AsyncSession,
    workspace_id: str,
    schedule_id: str,
    changes: ScheduleUpdate,
    now: datetime,
) -> Schedule:
    """Rename, change the input or timing, pause or resume. A change of timing, and a
    resumption, make the schedule due at its next time after ``now`` (missed times while
    paused are not made up)."""
    schedule = await get_schedule_for_workspace(
        session=session, workspace_id=workspace_id, schedule_id=schedule_id, for_update=True
    )
    retime = False
    if changes.cron is not None or changes.timezone is not None:
        if schedule.cron is None:
            raise ValidationFailed(
                "This schedule fires once; create a new one to fire on a cron expression."
            )
        cron = changes.cron or schedule.cron
        zone = changes.timezone or schedule.timezone
        _check_timing(cron, zone)
        schedule.cron, schedule.timezone, retime = cron, zone, True
    for field in ("name", "input"):
        value = getattr(changes, field)
        if value is not None:
            setattr(schedule, field, value)
    if changes.paused is not None and changes.paused != schedule.paused:
        schedule.paused, retime = changes.paused, True
    if retime:
        schedule.next_fire_at = None if schedule.paused else _first_due(schedule, now)
    touch(schedule, now)
    async with conflicts_as(session, _name_taken(schedule.name)):
        await session.commit()
    return schedule


async def delete_schedule(*, session: AsyncSession, workspace_id: str, schedule_id: str) -> None:
    schedule = await get_schedule_for_workspace(
        session=session, workspace_id=workspace_id, schedule_id=schedule_id
    )
    await session.delete(schedule)
    await session.commit()


async def list_schedules(
    *, session: AsyncSession, workspace_id: str, sort: str, page: PageRequest
) -> Slice[Schedule]:
    statement = select(Schedule).where(Schedule.workspace_id == workspace_id)
    return await paginate(session, statement, keyset=SCHEDULE_KEYSET, sort=sort, page=page)


async def recent_fires(session: AsyncSession, schedule_id: str) -> list[ScheduleFire]:
    """The schedule's latest fires, newest first."""
    rows = await session.scalars(
        select(ScheduleFire)
        .where(ScheduleFire.schedule_id == schedule_id)
        .order_by(ScheduleFire.fired_at.desc(), ScheduleFire.id.desc())
        .limit(RECENT_FIRES)
    )
    return list(rows)


def upcoming(schedule: Schedule) -> list[datetime]:
    """The next five times the schedule fires: none when paused or spent."""
    if schedule.next_fire_at is None:
        return []
    if schedule.cron is None:
        return [schedule.next_fire_at]
    later = next_fires(schedule.cron, schedule.timezone, schedule.next_fire_at, SHOWN_FIRES - 1)
    return [schedule.next_fire_at, *later]


def _first_due(schedule: Schedule, now: datetime) -> datetime | None:
    if schedule.cron is not None:
        return next_fire(schedule.cron, schedule.timezone, now)
    once = schedule.once_at
    return once if once is not None and once > now else None


def _check_timing(cron: str | None, zone: str) -> None:
    errors = []
    if cron is not None and (problem := cron_problem(cron)):
        errors.append({"in": "body", "pointer": "#/cron", "message": problem})
    if problem := zone_problem(zone):
        errors.append({"in": "body", "pointer": "#/timezone", "message": problem})
    if errors:
        raise ValidationFailed(str(errors[0]["message"]), errors=errors)


async def _check_target(
    session: AsyncSession, workspace_id: str, target_type: str, target_id: str
) -> None:
    model = Agent if target_type == "agent" else Chain
    found = await session.scalar(
        select(exists().where(model.id == target_id, model.workspace_id == workspace_id))
    )
    if not found:
        message = f"No {target_type} {target_id} in this workspace."
        raise ValidationFailed(
            message, errors=[{"in": "body", "pointer": "#/target_id", "message": message}]
        )


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"A schedule named '{name}' already exists in this workspace.",
        errors=[{"in": "body", "pointer": "#/name", "message": "This name is taken."}],
    )
