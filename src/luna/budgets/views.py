"""A budget as the API shows it: its limits with what is spent against it in its current
period, counted by the runs domain (:mod:`luna.runs.spend`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from luna.budgets.limits import Limit, period_start
from luna.budgets.models import Budget, BudgetScope
from luna.budgets.schemas import BudgetOut
from luna.runs.spend import standing_in_period


async def budget_out(session: AsyncSession, budget: Budget, *, now: datetime) -> BudgetOut:
    limit = Limit(
        budget_id=budget.id,
        scope=BudgetScope(budget.scope),
        subject=budget.subject,
        max_tokens=budget.max_tokens,
        max_cost_usd=budget.max_cost_usd,
    )
    standing = await standing_in_period(session, limit, workspace_id=budget.workspace_id, now=now)
    return BudgetOut.of(
        budget,
        period_start=period_start(limit.scope, now),
        spent_tokens=standing.spent.tokens,
        spent_cost_usd=standing.spent.cost_usd,
        used_percent=standing.used_percent(),
    )
