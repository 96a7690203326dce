"""Data retention: finished runs older than the team plan's ``data_retention_days`` are
deleted with their steps and approvals, after what they used is added to the workspace's
usage rollups, so the usage report and its totals never change when runs go.

:func:`purge_expired_runs` works in batches, each one transaction (roll up, then delete),
so a pass interrupted half-way loses nothing and the next pass carries on. Runs still
queued, running or waiting for an approval are never deleted; plans without a retention
limit (Enterprise) keep everything. Workers run it from a DBOS schedule, daily.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final, Protocol

from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.agents.models import Agent
from luna.jobs.engine import ScheduleSpec
from luna.jobs.runtime import current_resources
from luna.observability.logging import get_logger
from luna.plans.models import Plan
from luna.plans.service import FREE_PLAN
from luna.runs.service import delete_finished_runs
from luna.tenancy.models import Team
from luna.usage.metering import billable_eval_runs
from luna.usage.models import UsageRollup

log = get_logger(__name__)

BATCH_SIZE: Final = 500
UNKNOWN_MODEL: Final = "unknown"
SCHEDULE_NAME: Final = "luna-data-retention"
# Daily at 03:17 UTC (six fields: the first is the second).
CRON: Final = "0 17 3 * * *"
# Durable names stay as first registered, so that work recorded under them still recovers.
WORKFLOW_NAME: Final = "luna.billing.retention"


@dataclass(frozen=True)
class RetentionReport:
    """What one pass deleted."""

    runs_deleted: int = 0
    teams: int = 0


@dataclass
class _Rollup:
    agent_name: str
    runs: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Decimal = Decimal(0)


async def purge_expired_runs(
    *, session_factory: async_sessionmaker[AsyncSession], now: datetime
) -> RetentionReport:
    """Delete every team's finished runs older than its plan keeps them."""
    async with session_factory() as session:
        teams = (
            await session.execute(
                select(Team.id, Plan.id, Plan.data_retention_days)
                .join(Plan, Plan.id == Team.plan, isouter=True)
                .order_by(Team.id)
            )
        ).all()
        free_days = await session.scalar(
            select(Plan.data_retention_days).where(Plan.id == FREE_PLAN)
        )
    deleted = purged_teams = 0
    for team_id, plan_id, days in teams:
        # A plan id the operator removed: the free plan's limits apply, as everywhere.
        retention = days if plan_id is not None else free_days
        if retention is None:
            continue
        cutoff = now - timedelta(days=retention)
        count = await _purge_team(session_factory, team_id, cutoff)
        deleted += count
        purged_teams += 1 if count else 0
    if deleted:
        log.info("data retention", runs_deleted=deleted, teams=purged_teams)
    return RetentionReport(runs_deleted=deleted, teams=purged_teams)


async def _purge_team(
    session_factory: async_sessionmaker[AsyncSession], team_id: str, cutoff: datetime
) -> int:
    deleted = 0
    while True:
        async with session_factory() as session:
            batch = await delete_finished_runs(
                session=session,
                team_id=team_id,
                created_before=cutoff,
                limit=BATCH_SIZE,
                before_deleting=_roll_up,
            )
            await session.commit()
        if not batch:
            return deleted
        deleted += batch


class RunUsage(Protocol):
    """What a run used, as far as its usage rollup needs to know."""

    workspace_id: str
    agent_id: str
    model: str | None
    created_at: datetime
    tokens_in: int
    tokens_out: int
    cost_usd: Decimal
    demo: bool
    eval_run_id: str | None


async def _roll_up(session: AsyncSession, runs: Sequence[RunUsage]) -> None:
    """Add what the runs used to their workspace's rollups (demo runs never count, nor
    the case runs of an eval run the operator did not bill)."""
    names = dict(
        (
            await session.execute(
                select(Agent.id, Agent.name).where(Agent.id.in_({run.agent_id for run in runs}))
            )
        ).all()
    )
    billed = await billable_eval_runs(session, {run.eval_run_id for run in runs})
    rollups: dict[tuple[str, date, str, str], _Rollup] = defaultdict(lambda: _Rollup(""))
    for run in runs:
        if run.demo or (run.eval_run_id is not None and run.eval_run_id not in billed):
            continue
        key = (run.workspace_id, run.created_at.date(), run.agent_id, run.model or UNKNOWN_MODEL)
        rollup = rollups[key]
        rollup.agent_name = names.get(run.agent_id, run.agent_id)
        rollup.runs += 1
        rollup.tokens_in += run.tokens_in
        rollup.tokens_out += run.tokens_out
        rollup.cost_usd += run.cost_usd
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for (workspace_id, day, agent_id, model), rollup in rollups.items():
        statement = insert(UsageRollup).values(
            workspace_id=workspace_id,
            day=day,
            agent_id=agent_id,
            model=model,
            agent_name=rollup.agent_name,
            runs=rollup.runs,
            tokens_in=rollup.tokens_in,
            tokens_out=rollup.tokens_out,
            cost_usd=rollup.cost_usd,
        )
        table = UsageRollup.__table__.c
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.workspace_id, table.day, table.agent_id, table.model],
                set_={
                    "agent_name": statement.excluded.agent_name,
                    "runs": table.runs + statement.excluded.runs,
                    "tokens_in": table.tokens_in + statement.excluded.tokens_in,
                    "tokens_out": table.tokens_out + statement.excluded.tokens_out,
                    "cost_usd": table.cost_usd + statement.excluded.cost_usd,
                },
            )
        )


@DBOS.workflow(name=WORKFLOW_NAME)
async def retention_workflow(scheduled_at: datetime, _context: object) -> None:
    """One scheduled pass of :func:`purge_expired_runs`, as a durable step."""
    await _retention_step()


@DBOS.step(name="luna.billing.retention.pass")
async def _retention_step() -> None:
    runtime = current_resources()
    await purge_expired_runs(session_factory=runtime.session_factory, now=runtime.clock())


# The durable engine registers it in every worker (see luna.worker).
SCHEDULE: Final = ScheduleSpec(name=SCHEDULE_NAME, workflow=retention_workflow, cron=CRON)
