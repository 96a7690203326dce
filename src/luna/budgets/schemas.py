"""Request and response shapes of a workspace's budgets and its kill switch."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from luna.budgets.models import Budget, BudgetScope
from luna.db.pagination import Page
from luna.schemas import Money, RequestModel

MaxTokens = Annotated[
    int,
    Field(ge=1, le=10_000_000_000, description="Tokens in and out, at most.", examples=[200_000]),
]


def _to_cents_millionths(amount: Decimal) -> Decimal:
    """Stored (and shown) to eight decimal places, whichever database keeps it; a finer
    amount is refused rather than rounded."""
    exact = amount.quantize(Decimal("0.00000001"))
    if exact != amount:
        raise ValueError("at most 8 decimal places")
    return exact


MaxCost = Annotated[
    Decimal,
    AfterValidator(_to_cents_millionths),
    Field(
        strict=False,
        gt=0,
        le=1_000_000_000,
        decimal_places=8,
        description='US dollars, at most: a decimal string (`"5.00"`) or a number.',
        examples=["5.00"],
    ),
]
Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^([a-z]+_[a-z0-9]+)?$"),
    Field(
        description="The agent (`agt_...`, scopes `run` and `agent_day`) or API key "
        "(`key_...`, scope `api_key_day`) the budget is for; empty, it applies to each "
        "of them. Always empty for `workspace_month`.",
        examples=[""],
    ),
]


ScopeName = Literal["run", "agent_day", "api_key_day", "workspace_month"]


class BudgetCreate(RequestModel):
    """A limit on tokens, cost or both, over one run, an agent's day, an API key's day or
    the workspace's month (days and months in UTC)."""

    model_config = ConfigDict(extra="forbid")

    scope: ScopeName
    subject: Subject = ""
    max_tokens: MaxTokens | None = None
    max_cost_usd: MaxCost | None = None

    @model_validator(mode="after")
    def _has_a_limit(self) -> Self:
        if self.max_tokens is None and self.max_cost_usd is None:
            raise ValueError("a budget needs max_tokens, max_cost_usd or both")
        return self


class BudgetUpdate(RequestModel):
    """New limits of a budget; ``null`` removes one limit (one must remain), an absent
    field stays as it is."""

    model_config = ConfigDict(extra="forbid")

    max_tokens: MaxTokens | None = None
    max_cost_usd: MaxCost | None = None


class BudgetOut(BaseModel):
    """A budget, with what is spent against it in its current period (for a ``run``
    budget: nothing, its period is each run)."""

    id: str = Field(examples=["bud_01jq3v0m6k8x2n4p6r8t0v2x4z"])
    scope: BudgetScope
    subject: str
    max_tokens: int | None
    max_cost_usd: Money | None
    period_start: datetime | None = Field(
        description="When the current period began; null for a `run` budget."
    )
    spent_tokens: int
    spent_cost_usd: Money
    used_percent: int = Field(description="The larger share of its limits already spent.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls,
        budget: Budget,
        *,
        period_start: datetime | None,
        spent_tokens: int,
        spent_cost_usd: Decimal,
        used_percent: int,
    ) -> BudgetOut:
        return cls(
            id=budget.id,
            scope=BudgetScope(budget.scope),
            subject=budget.subject,
            max_tokens=budget.max_tokens,
            max_cost_usd=budget.max_cost_usd,
            period_start=period_start,
            spent_tokens=spent_tokens,
            spent_cost_usd=spent_cost_usd,
            used_percent=used_percent,
            created_at=budget.created_at,
            updated_at=budget.updated_at,
        )


BudgetPage = Page[BudgetOut]


class KillSwitchEngage(RequestModel):
    """Why every run of the workspace is being stopped."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=500),
        Field(examples=["A runaway agent is spending too much."]),
    ] = ""


class KillSwitchOut(BaseModel):
    """The workspace's kill switch: while engaged, no run starts and none goes on."""

    engaged: bool
    engaged_at: datetime | None
    engaged_by_user_id: str | None
    reason: str | None
    runs_cancelled: int = Field(0, description="Runs stopped by this engagement.")
    chain_runs_cancelled: int = Field(0, description="Chain runs stopped by this engagement.")
