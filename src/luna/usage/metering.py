"""Usage metering: a workspace's runs, tokens and cost per UTC day, agent or model.

Every run of the workspace counts, whatever its status, on the UTC day it was created;
demo runs never count, nor the case runs of an eval run unless the operator bills
evaluations. Runs that data retention deleted count through their usage
rollups (:mod:`luna.usage.retention`), so a report never changes when runs go. The
report is also rendered as CSV for spreadsheets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, Label, Select, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import Agent
from luna.errors import ValidationFailed
from luna.evals.models import EvalRun
from luna.runs.models import Run
from luna.usage.models import UsageRollup

GroupBy = Literal["day", "agent", "model"]
DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366
# The days a report may name: none of Luna's runs predates the Unix epoch, and the day
# after the last one is still a date (a period ends at the midnight after its last day).
EARLIEST_DAY: Final = date(1970, 1, 1)
LATEST_DAY: Final = date.max - timedelta(days=1)
UNKNOWN_MODEL: Final = "unknown"
CSV_HEADER: Final = ("key", "name", "runs", "tokens_in", "tokens_out", "cost_usd")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
_NO_COST: Final = Decimal("0.00000000")


@dataclass(frozen=True)
class UsagePeriod:
    """Whole UTC days, both ends included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        """The first instant counted: the first day at midnight UTC."""
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant no longer counted: midnight UTC after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass(frozen=True)
class UsageFigures:
    """What a set of runs used."""

    runs: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Decimal = _NO_COST

    def __add__(self, other: UsageFigures) -> UsageFigures:
        return UsageFigures(
            runs=self.runs + other.runs,
            tokens_in=self.tokens_in + other.tokens_in,
            tokens_out=self.tokens_out + other.tokens_out,
            cost_usd=self.cost_usd + other.cost_usd,
        )


@dataclass(frozen=True)
class UsageGroup:
    """The usage of one day, agent or model; ``name`` is the agent's, when grouped by agent."""

    key: str
    name: str | None
    figures: UsageFigures


@dataclass(frozen=True)
class Usage:
    """A workspace's usage over a period, one group per key in key order; ``saved`` is
    what the runs answered from the response cache would have cost (``runs``: how many)."""

    period: UsagePeriod
    group_by: GroupBy
    groups: list[UsageGroup]
    saved: UsageFigures = UsageFigures()

    @property
    def totals(self) -> UsageFigures:
        """The whole period: every run falls in exactly one group."""
        return sum((group.figures for group in self.groups), UsageFigures())


def usage_period(*, first_day: date | None, last_day: date | None, today: date) -> UsagePeriod:
    """The period asked for: by default the last 30 days ending today (or ending
    ``last_day``). Refused with ValidationFailed when it ends before it starts, spans
    more than 366 days, or names a day outside :data:`EARLIEST_DAY`..:data:`LATEST_DAY`."""
    for name, day in (("from", first_day), ("to", last_day)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise _invalid_period(
                f"`{name}` is outside the days a report covers.",
                f"Send a day from {EARLIEST_DAY} to {LATEST_DAY}.",
                name=name,
            )
    last = last_day or today
    first = first_day or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise _invalid_period("`to` is before `from`.", "Send a `from` on or before `to`.")
    if (last - first).days + 1 > MAX_DAYS:
        raise _invalid_period(
            f"The range spans more than {MAX_DAYS} days.",
            f"Ask for at most {MAX_DAYS} days at a time.",
        )
    return UsagePeriod(first_day=first, last_day=last)


def _invalid_period(detail: str, message: str, name: str = "from") -> ValidationFailed:
    return ValidationFailed(detail, errors=[{"in": "query", "name": name, "message": message}])


async def get_usage(
    *,
    session: AsyncSession,
    workspace_id: str,
    group_by: GroupBy,
    include_demo: bool = False,
    first_day: date | None,
    last_day: date | None,
    today: date,
) -> Usage:
    """The workspace's usage per day, agent or model over a period of UTC days (see
    :func:`usage_period` for the defaults and limits). Demo runs count only when
    ``include_demo`` (a demo workspace's own report)."""
    period = usage_period(first_day=first_day, last_day=last_day, today=today)
    key, name = _grouping(group_by, session.get_bind().dialect.name)
    rows = await session.execute(_usage_statement(workspace_id, period, key, name, include_demo))
    groups = {group.key: group for group in map(_group_of, rows.mappings())}
    for rolled in await _rolled_up(session, workspace_id, period, group_by):
        known = groups.get(rolled.key)
        groups[rolled.key] = (
            rolled
            if known is None
            else UsageGroup(rolled.key, known.name or rolled.name, known.figures + rolled.figures)
        )
    saved = await _saved_by_cache(session, workspace_id, period, include_demo)
    ordered = [groups[k] for k in sorted(groups)]
    return Usage(period=period, group_by=group_by, groups=ordered, saved=saved)


async def _saved_by_cache(
    session: AsyncSession, workspace_id: str, period: UsagePeriod, include_demo: bool
) -> UsageFigures:
    statement = select(
        func.count(),
        func.coalesce(func.sum(Run.saved_tokens_in), 0),
        func.coalesce(func.sum(Run.saved_tokens_out), 0),
        func.coalesce(func.sum(Run.saved_cost_usd), 0),
    ).where(
        Run.workspace_id == workspace_id,
        Run.cached_from_run_id.is_not(None),
        counted_in_usage(),
        Run.created_at >= period.start,
        Run.created_at < period.end,
    )
    if not include_demo:
        statement = statement.where(Run.demo.is_(False))
    runs, tokens_in, tokens_out, cost = (await session.execute(statement)).one()
    return UsageFigures(
        runs=int(runs),
        tokens_in=int(tokens_in),
        tokens_out=int(tokens_out),
        cost_usd=Decimal(cost).quantize(_NO_COST),
    )


async def _rolled_up(
    session: AsyncSession, workspace_id: str, period: UsagePeriod, group_by: GroupBy
) -> list[UsageGroup]:
    """The usage of the period's deleted runs, from the rollups, grouped as asked."""
    rollups = await session.scalars(
        select(UsageRollup).where(
            UsageRollup.workspace_id == workspace_id,
            UsageRollup.day >= period.first_day,
            UsageRollup.day <= period.last_day,
        )
    )
    groups: dict[str, UsageGroup] = {}
    for rollup in rollups:
        key = {"day": rollup.day.isoformat(), "agent": rollup.agent_id, "model": rollup.model}[
            group_by
        ]
        figures = UsageFigures(
            runs=rollup.runs,
            tokens_in=rollup.tokens_in,
            tokens_out=rollup.tokens_out,
            cost_usd=Decimal(rollup.cost_usd).quantize(_NO_COST),
        )
        name = rollup.agent_name if group_by == "agent" else None
        known = groups.get(key)
        groups[key] = UsageGroup(key, name, figures if known is None else known.figures + figures)
    return list(groups.values())


def counted_in_usage() -> ColumnElement[bool]:
    """Runs the usage report counts: all but the case runs of eval runs that were not
    billable when they started (``LUNA_BILL_EVALUATION_RUNS``)."""
    billed = select(EvalRun.id).where(EvalRun.billable.is_(True))
    return or_(Run.eval_run_id.is_(None), Run.eval_run_id.in_(billed))


async def billable_eval_runs(session: AsyncSession, eval_run_ids: set[str | None]) -> set[str]:
    """Those of ``eval_run_ids`` whose case runs count in usage."""
    wanted = [eval_run_id for eval_run_id in eval_run_ids if eval_run_id is not None]
    if not wanted:
        return set()
    return set(
        await session.scalars(
            select(EvalRun.id).where(EvalRun.id.in_(wanted), EvalRun.billable.is_(True))
        )
    )


def _grouping(group_by: GroupBy, dialect_name: str) -> tuple[Label[str], Label[str] | None]:
    """The key runs are grouped by, and the name to show beside it (if any)."""
    if group_by == "agent":
        return Run.agent_id.label("key"), Agent.name.label("name")
    if group_by == "model":
        return func.coalesce(Run.model, UNKNOWN_MODEL).label("key"), None
    return _utc_day(dialect_name).label("key"), None


def _utc_day(dialect_name: str) -> ColumnElement[str]:
    """The UTC day a run was created, as ``YYYY-MM-DD``, in the database's own dialect."""
    if dialect_name == "postgresql":
        return func.to_char(func.timezone("UTC", Run.created_at), "YYYY-MM-DD")
    # SQLite keeps timestamps as UTC text ('YYYY-MM-DD HH:MM:SS.ffffff').
    return func.strftime("%Y-%m-%d", Run.created_at)


def _usage_statement(
    workspace_id: str,
    period: UsagePeriod,
    key: Label[str],
    name: Label[str] | None,
    include_demo: bool,
) -> Select[*tuple[Any, ...]]:
    """Per group: runs, tokens and cost of the workspace's runs in the period (its real
    runs only, unless ``include_demo``)."""
    grouped = [key] if name is None else [key, name]
    statement = (
        select(
            *grouped,
            func.count(Run.id).label("runs"),
            func.sum(Run.tokens_in).label("tokens_in"),
            func.sum(Run.tokens_out).label("tokens_out"),
            func.sum(Run.cost_usd).label("cost_usd"),
        )
        .select_from(Run)
        .where(
            Run.workspace_id == workspace_id,
            true() if include_demo else Run.demo.is_(False),
            counted_in_usage(),
            Run.created_at >= period.start,
            Run.created_at < period.end,
        )
        .group_by(*grouped)
    )
    return statement if name is None else statement.join(Agent, Agent.id == Run.agent_id)


def _group_of(row: Any) -> UsageGroup:
    figures = UsageFigures(
        runs=int(row["runs"]),
        tokens_in=int(row["tokens_in"] or 0),
        tokens_out=int(row["tokens_out"] or 0),
        cost_usd=Decimal(row["cost_usd"] or 0).quantize(_NO_COST),
    )
    return UsageGroup(key=str(row["key"]), name=row.get("name"), figures=figures)


def render_csv(groups: Iterable[UsageGroup]) -> str:
    """The groups as CSV: a header row, then one row per group. Text cells a spreadsheet
    would run as a formula are prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(group) for group in groups)
    return buffer.getvalue()


def _csv_row(group: UsageGroup) -> Sequence[str | int]:
    figures = group.figures
    return (
        _inert_cell(group.key),
        _inert_cell(group.name or ""),
        figures.runs,
        figures.tokens_in,
        figures.tokens_out,
        format(figures.cost_usd, "f"),
    )


def _inert_cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def csv_filename(workspace_id: str, period: UsagePeriod) -> str:
    """The name a downloaded usage report is saved under."""
    return f"usage-{workspace_id}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
