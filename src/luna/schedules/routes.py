"""A workspace's schedules: create, list, read (with the next five fire times and the
latest fires), change, pause and resume, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.db.pagination import PageRequestDep
from luna.deps import ClockDep, SessionDep, require_workspace
from luna.schedules import service
from luna.schedules.models import Schedule
from luna.schedules.schemas import ScheduleCreate, ScheduleOut, SchedulePage, ScheduleUpdate
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/schedules", tags=["schedules"])

ScheduleReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="chains:read"))]
ScheduleWriter = Annotated[
    WorkspaceAccess, Depends(require_workspace("write", scope="chains:write"))
]
ScheduleId = Annotated[str, Path(description="The schedule's id (`sch_...`).")]


async def _out(session: SessionDep, schedule: Schedule) -> ScheduleOut:
    fires = await service.recent_fires(session, schedule.id)
    return ScheduleOut.of(schedule, service.upcoming(schedule), fires)


@router.post("", operation_id="schedules-create", status_code=201, response_model=ScheduleOut)
async def create_schedule(
    body: ScheduleCreate,
    access: ScheduleWriter,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
) -> ScheduleOut:
    """Run an agent or a chain of the workspace on a fixed input, on a cron expression
    in a time zone or once. Refused with 422 for a bad expression or zone, a time in the
    past, or an agent or chain of another workspace; 409 for a name already used."""
    schedule = await service.create_schedule(
        session=session,
        workspace_id=access.workspace_id,
        request=body,
        user_id=access.principal.user_id,
        now=clock(),
    )
    response.headers["Location"] = (
        f"/api/v1/workspaces/{access.workspace_id}/schedules/{schedule.id}"
    )
    return await _out(session, schedule)


@router.get("", operation_id="schedules-list", response_model=SchedulePage)
async def list_schedules(
    access: ScheduleReader,
    session: SessionDep,
    page: PageRequestDep,
    sort: Annotated[
        Literal["created_at", "-created_at", "name", "-name"],
        Query(description="A field, ascending; prefixed with `-`, descending."),
    ] = "-created_at",
) -> SchedulePage:
    """A page of the workspace's schedules; follow `next_cursor` for the next one."""
    found = await service.list_schedules(
        session=session, workspace_id=access.workspace_id, sort=sort, page=page
    )
    items = [await _out(session, schedule) for (schedule,) in found.rows]
    return SchedulePage(items=items, next_cursor=found.next_cursor)


@router.get("/{schedule_id}", operation_id="schedules-get", response_model=ScheduleOut)
async def get_schedule(
    schedule_id: ScheduleId, access: ScheduleReader, session: SessionDep
) -> ScheduleOut:
    """A schedule, its next five fire times and its latest fires."""
    schedule = await service.get_schedule_for_workspace(
        session=session, workspace_id=access.workspace_id, schedule_id=schedule_id
    )
    return await _out(session, schedule)


@router.patch("/{schedule_id}", operation_id="schedules-update", response_model=ScheduleOut)
async def update_schedule(
    schedule_id: ScheduleId,
    body: ScheduleUpdate,
    access: ScheduleWriter,
    session: SessionDep,
    clock: ClockDep,
) -> ScheduleOut:
    """Rename, change the input or timing, or pause (`"paused": true`) and resume. A
    resumed schedule fires next at its next time; the times missed while paused are not
    made up."""
    schedule = await service.update_schedule(
        session=session,
        workspace_id=access.workspace_id,
        schedule_id=schedule_id,
        changes=body,
        now=clock(),
    )
    return await _out(session, schedule)


@router.delete("/{schedule_id}", operation_id="schedules-delete", status_code=204)
async def delete_schedule(
    schedule_id: ScheduleId, access: ScheduleWriter, session: SessionDep
) -> None:
    """Delete a schedule; the runs it started stay."""
    await service.delete_schedule(
        session=session, workspace_id=access.workspace_id, schedule_id=schedule_id
    )
