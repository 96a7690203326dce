"""When a schedule fires: five-field cron expressions in a time zone, or one moment.

A cron expression is read by ``croniter`` in the schedule's IANA time zone, so "9:00 on
weekdays" stays 9:00 across daylight saving changes; the times it yields are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

CRON_FIELDS: Final = 5


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a five-field cron expression Luna runs; None when it is."""
    if len(expression.split()) != CRON_FIELDS:
        return (
            "A cron expression has five fields: minute, hour, day of month, month and day "
            "of week, such as `0 9 * * 1-5`."
        )
    if not croniter.is_valid(expression):
        return f"`{expression}` is not a valid cron expression."
    return None


def zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone; None when it is."""
    if name not in _zones():
        return f"`{name}` is not a time zone name such as `Europe/Paris` or `UTC`."
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"`{name}` is not a time zone this server knows."
    return None


def next_fires(expression: str, zone: str, after: datetime, count: int) -> list[datetime]:
    """The ``count`` times after ``after`` the expression names, in UTC."""
    local = after.astimezone(ZoneInfo(zone))
    times = croniter(expression, local)
    return [times.get_next(datetime).astimezone(UTC) for _ in range(count)]


def next_fire(expression: str, zone: str, after: datetime) -> datetime:
    """The first time after ``after`` the expression names, in UTC."""
    return next_fires(expression, zone, after, 1)[0]


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones() | {"UTC"})
    return _ZONES
