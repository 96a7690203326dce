"""How a budget stands: what was spent against it, whether a model request would cross
it, what is left. Pure functions of figures the runs domain counts and passes in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from luna.budgets.models import BudgetScope
from luna.errors import LunaError

# The shares of a period budget at which its team's owners and admins are told.
ALERT_LEVELS: Final = (80, 100)


@dataclass(frozen=True)
class Spend:
    """Tokens (in and out) and cost, spent or about to be."""

    tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    def __add__(self, other: Spend) -> Spend:
        return Spend(self.tokens + other.tokens, self.cost_usd + other.cost_usd)


@dataclass(frozen=True)
class Limit:
    """A budget as a run meets it."""

    budget_id: str
    scope: BudgetScope
    subject: str
    max_tokens: int | None
    max_cost_usd: Decimal | None


def period_start(scope: BudgetScope, now: datetime) -> datetime | None:
    """When the budget's current period began (UTC midnight, or the first of the month);
    None for a run's budget, whose period is the run."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if scope in (BudgetScope.AGENT_DAY, BudgetScope.API_KEY_DAY):
        return midnight
    if scope == BudgetScope.WORKSPACE_MONTH:
        return midnight.replace(day=1)
    return None


@dataclass(frozen=True)
class Standing:
    """A limit and what has been spent against it in its current period."""

    limit: Limit
    spent: Spend

    def crossed_by(self, estimate: Spend) -> bool:
        """Whether spending ``estimate`` more would go over the limit."""
        after = self.spent + estimate
        over_tokens = self.limit.max_tokens is not None and after.tokens > self.limit.max_tokens
        over_cost = self.limit.max_cost_usd is not None and after.cost_usd > self.limit.max_cost_usd
        return over_tokens or over_cost

    def used_percent(self) -> int:
        """The larger share of the token and cost limits already spent, in whole percent."""
        shares = [0.0]
        if self.limit.max_tokens is not None:
            shares.append(self.spent.tokens / max(self.limit.max_tokens, 1))
        if self.limit.max_cost_usd is not None and self.limit.max_cost_usd > 0:
            shares.append(float(self.spent.cost_usd / self.limit.max_cost_usd))
        elif self.limit.max_cost_usd is not None and self.spent.cost_usd > 0:
            shares.append(1.0)
        return int(max(shares) * 100)

    def summary(self) -> dict[str, Any]:
        """The budget, what is spent and what is left, as a run's stream shows it."""
        tokens_left = (
            None
            if self.limit.max_tokens is None
            else max(self.limit.max_tokens - self.spent.tokens, 0)
        )
        cost_left = (
            None
            if self.limit.max_cost_usd is None
            else str(max(self.limit.max_cost_usd - self.spent.cost_usd, Decimal(0)))
        )
        return {
            "budget_id": self.limit.budget_id,
            "scope": str(self.limit.scope),
            "max_tokens": self.limit.max_tokens,
            "max_cost_usd": None
            if self.limit.max_cost_usd is None
            else str(self.limit.max_cost_usd),
            "spent_tokens": self.spent.tokens,
            "spent_cost_usd": str(self.spent.cost_usd),
            "tokens_left": tokens_left,
            "cost_usd_left": cost_left,
        }


SCOPE_NAMES: Final = {
    BudgetScope.RUN: "this run's budget",
    BudgetScope.AGENT_DAY: "the agent's daily budget",
    BudgetScope.API_KEY_DAY: "the API key's daily budget",
    BudgetScope.WORKSPACE_MONTH: "the workspace's monthly budget",
}


class BudgetExceeded(LunaError):
    """A run stopped before a model request that would have crossed one of its budgets."""

    code = "budget-exceeded"
    status = 402
    title = "Budget Exceeded"


def exceeded(standing: Standing, estimate: Spend) -> BudgetExceeded:
    """The error a run stops with when ``estimate`` would cross ``standing``."""
    name = SCOPE_NAMES[standing.limit.scope]
    limits = []
    if standing.limit.max_tokens is not None:
        limits.append(f"{standing.limit.max_tokens:,} tokens")
    if standing.limit.max_cost_usd is not None:
        limits.append(f"${standing.limit.max_cost_usd:.4f}")
    detail = (
        f"The next model request would cross {name} ({' / '.join(limits)}): "
        f"{standing.spent.tokens:,} tokens and ${standing.spent.cost_usd:.4f} spent, "
        f"about {estimate.tokens:,} tokens and ${estimate.cost_usd:.4f} more needed."
    )
    return BudgetExceeded(
        detail,
        budget=standing.summary(),
        estimate={"tokens": estimate.tokens, "cost_usd": str(estimate.cost_usd)},
    )
