"""What runs have spent against a budget: counted here, where the runs' rows live, and
handed to :mod:`luna.budgets.limits` to judge.

A run's tokens and cost grow with every step stored, so a run under way counts with
what it has spent so far; a period counts the runs created in it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.budgets.limits import Limit, Spend, Standing, period_start
from luna.budgets.models import BudgetScope
from luna.runs.models import Run

_TOKENS = func.coalesce(func.sum(Run.tokens_in + Run.tokens_out), 0)
_COST = func.coalesce(func.sum(Run.cost_usd), 0)


async def standing_for_run(
    session: AsyncSession, limit: Limit, *, run: Run, now: datetime
) -> Standing:
    """How ``limit`` stands for ``run``: the run's own spend for a run budget (a chain
    node's: the spend of every node of its chain run, which the budget holds as a
    whole); for a period budget, the spend of the runs of its agent, its API key or its
    workspace."""
    start = period_start(limit.scope, now)
    if start is None and run.chain_run_id is not None:
        return Standing(limit, await _spend(session, [Run.chain_run_id == run.chain_run_id]))
    if start is None:  # a run's budget: its period is the run
        row = (
            await session.execute(
                select(Run.tokens_in + Run.tokens_out, Run.cost_usd).where(Run.id == run.id)
            )
        ).one()
        return Standing(limit, Spend(int(row[0] or 0), Decimal(row[1] or 0)))
    criteria = [Run.workspace_id == run.workspace_id, Run.created_at >= start]
    if limit.scope == BudgetScope.AGENT_DAY:
        criteria.append(Run.agent_id == run.agent_id)
    elif limit.scope == BudgetScope.API_KEY_DAY:
        criteria.append(Run.api_key_id == run.api_key_id)
    return Standing(limit, await _spend(session, criteria))


async def standing_in_period(
    session: AsyncSession, limit: Limit, *, workspace_id: str, now: datetime
) -> Standing:
    """How a budget stands in its current period, as its list shows it: the spend of its
    agent or API key, or, for a budget that applies to each of them, of the one that
    has spent the most. A run budget's period is each run: nothing is counted."""
    start = period_start(limit.scope, now)
    if start is None:
        return Standing(limit, Spend())
    criteria = [Run.workspace_id == workspace_id, Run.created_at >= start]
    column = {BudgetScope.AGENT_DAY: Run.agent_id, BudgetScope.API_KEY_DAY: Run.api_key_id}.get(
        limit.scope
    )
    if column is None:
        return Standing(limit, await _spend(session, criteria))
    if limit.subject:
        return Standing(limit, await _spend(session, [*criteria, column == limit.subject]))
    rows = await session.execute(
        select(_TOKENS, _COST).where(*criteria, column.is_not(None)).group_by(column)
    )
    spends = [Spend(int(tokens), Decimal(cost)) for tokens, cost in rows]
    top = max(spends, key=lambda spend: Standing(limit, spend).used_percent(), default=Spend())
    return Standing(limit, top)


async def _spend(session: AsyncSession, criteria: list[ColumnElement[bool]]) -> Spend:
    row = (await session.execute(select(_TOKENS, _COST).where(*criteria))).one()
    return Spend(int(row[0]), Decimal(row[1]))
