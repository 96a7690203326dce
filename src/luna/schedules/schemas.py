"""Request and response shapes of a workspace's schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from luna.agents.schemas import AgentName
from luna.db.pagination import Page
from luna.schedules.models import Schedule, ScheduleFire
from luna.schemas import RequestModel

TargetType = Literal["agent", "chain"]
Cron = Annotated[str, StringConstraints(strip_whitespace=True, min_length=9, max_length=120)]
Zone = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Input = Annotated[str, StringConstraints(min_length=1, max_length=100_000)]


class ScheduleCreate(RequestModel):
    """An agent or chain to run on a fixed input: on ``cron`` (five fields, read in
    ``timezone``) or once at ``once_at`` (exactly one of them)."""

    model_config = ConfigDict(extra="forbid")

    name: AgentName
    target_type: TargetType
    target_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    input: Input
    cron: Cron | None = Field(None, description="Such as `0 9 * * 1-5`: 9:00 on weekdays.")
    timezone: Zone = Field("UTC", description="An IANA time zone, such as `Europe/Paris`.")
    once_at: datetime | None = Field(None, description="Fire once at this time instead.")

    @model_validator(mode="after")
    def _cron_or_once(self) -> Self:
        if (self.cron is None) == (self.once_at is None):
            raise ValueError("give a cron expression or a once_at time, not both or neither")
        if self.once_at is not None and self.once_at.tzinfo is None:
            raise ValueError("once_at needs a time zone offset, such as 2027-01-04T09:00:00Z")
        return self


class ScheduleUpdate(RequestModel):
    """Changes to a schedule; absent fields stay. ``paused`` pauses or resumes it."""

    model_config = ConfigDict(extra="forbid")

    name: AgentName | None = None
    input: Input | None = None
    cron: Cron | None = None
    timezone: Zone | None = None
    paused: bool | None = None


class ScheduleFireOut(BaseModel):
    """One time the schedule fired, and what it started."""

    model_config = ConfigDict(from_attributes=True)

    due_at: datetime
    fired_at: datetime
    covered: int = Field(description="Due times it stood for: more than one after an outage.")
    run_id: str | None
    chain_run_id: str | None
    error: str | None


class ScheduleOut(BaseModel):
    """A schedule with its next five fire times and its latest fires."""

    id: str
    name: str
    target_type: TargetType
    target_id: str
    input: str
    cron: str | None
    timezone: str
    once_at: datetime | None
    paused: bool
    next_fire_at: datetime | None
    next_fires: list[datetime] = Field(description="The next five times it fires (none paused).")
    last_fired_at: datetime | None
    recent_fires: list[ScheduleFireOut]
    created_by_user_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls, schedule: Schedule, next_fires: list[datetime], fires: list[ScheduleFire]
    ) -> ScheduleOut:
        return cls(
            id=schedule.id,
            name=schedule.name,
            target_type=schedule.target_type,
            target_id=schedule.target_id,
            input=schedule.input,
            cron=schedule.cron,
            timezone=schedule.timezone,
            once_at=schedule.once_at,
            paused=schedule.paused,
            next_fire_at=schedule.next_fire_at,
            next_fires=next_fires,
            last_fired_at=schedule.last_fired_at,
            recent_fires=[ScheduleFireOut.model_validate(fire) for fire in fires],
            created_by_user_id=schedule.created_by_user_id,
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
        )


class SchedulePage(Page[ScheduleOut]):
    """A page of schedules."""
