"""Response shapes of a workspace's usage report."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from luna.schemas import Money
from luna.usage.metering import GroupBy, Usage, UsageFigures, UsageGroup


class UsageTotals(BaseModel):
    """Runs, tokens and cost of the workspace's runs (demo runs never count)."""

    runs: int = Field(description="How many runs were created.")
    tokens_in: int = Field(description="Tokens sent to the models.")
    tokens_out: int = Field(description="Tokens the models answered with.")
    cost_usd: Money = Field(description="What the runs cost, in US dollars.")

    @classmethod
    def of_figures(cls, figures: UsageFigures) -> UsageTotals:
        return cls(
            runs=figures.runs,
            tokens_in=figures.tokens_in,
            tokens_out=figures.tokens_out,
            cost_usd=figures.cost_usd,
        )


class UsageRow(UsageTotals):
    """The usage of one group: a day, an agent or a model."""

    key: str = Field(
        description="The day (`YYYY-MM-DD`, UTC), the agent's id, or the model's name "
        "(`unknown` for runs that recorded none)."
    )
    name: str | None = Field(description="The agent's name when grouped by agent, else null.")

    @classmethod
    def of(cls, group: UsageGroup) -> UsageRow:
        return cls(
            key=group.key,
            name=group.name,
            runs=group.figures.runs,
            tokens_in=group.figures.tokens_in,
            tokens_out=group.figures.tokens_out,
            cost_usd=group.figures.cost_usd,
        )


class UsageReport(BaseModel):
    """A workspace's usage over a range of UTC days, one row per group sorted by key,
    with the totals of the whole range."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    first_day: date = Field(alias="from", description="The first day counted (UTC).")
    last_day: date = Field(alias="to", description="The last day counted (UTC), included.")
    group_by: GroupBy
    rows: list[UsageRow]
    totals: UsageTotals
    saved: UsageTotals = Field(
        description="Runs answered from an agent's response cache in the range (`runs`), "
        "and the tokens and cost their answers took when first given: what the cache saved."
    )

    @classmethod
    def of(cls, usage: Usage) -> UsageReport:
        return cls(
            first_day=usage.period.first_day,
            last_day=usage.period.last_day,
            group_by=usage.group_by,
            rows=[UsageRow.of(group) for group in usage.groups],
            totals=UsageTotals.of_figures(usage.totals),
            saved=UsageTotals.of_figures(usage.saved),
        )
