"""How the runs that asked for an agent environment did, by the version each ran: the
arms of a traffic split, side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.runs.models import FINISHED, Run, RunStatus


@dataclass(frozen=True)
class Arm:
    """The runs of one version: how many, how many finished and succeeded, and their
    means over the finished ones."""

    version_id: str
    runs: int
    finished: int
    succeeded: int
    mean_latency_ms: float | None
    mean_cost_usd: Decimal | None
    tokens_in: int
    tokens_out: int


def _seconds(dialect: str) -> ColumnElement[float]:
    """A finished run's duration in seconds, in the database's own dialect."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", Run.finished_at - Run.started_at), Float)
    return (func.julianday(Run.finished_at) - func.julianday(Run.started_at)) * 86400.0


async def environment_arms(
    session: AsyncSession, *, agent_id: str, environment: str, since: datetime
) -> dict[str, Arm]:
    """Each version's arm among the agent's runs that asked for ``environment`` since
    ``since``, by version id."""
    finished = Run.status.in_(FINISHED)
    timed = finished & Run.started_at.is_not(None) & Run.finished_at.is_not(None)
    dialect = session.get_bind().dialect.name
    rows = await session.execute(
        select(
            Run.agent_version_id,
            func.count(),
            func.count(case((finished, 1))),
            func.count(case((Run.status == RunStatus.SUCCEEDED, 1))),
            func.avg(case((timed, _seconds(dialect)))),
            func.avg(case((finished, Run.cost_usd))),
            func.coalesce(func.sum(Run.tokens_in), 0),
            func.coalesce(func.sum(Run.tokens_out), 0),
        )
        .where(
            Run.agent_id == agent_id,
            Run.environment == environment,
            Run.created_at >= since,
        )
        .group_by(Run.agent_version_id)
    )
    return {
        version_id: Arm(
            version_id=version_id,
            runs=int(runs),
            finished=int(done),
            succeeded=int(succeeded),
            mean_latency_ms=None if seconds is None else round(float(seconds) * 1000, 1),
            mean_cost_usd=None if cost is None else Decimal(cost).quantize(Decimal("0.00000001")),
            tokens_in=int(tokens_in),
            tokens_out=int(tokens_out),
        )
        for version_id, runs, done, succeeded, seconds, cost, tokens_in, tokens_out in rows.all()
    }
