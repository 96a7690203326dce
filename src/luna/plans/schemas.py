"""Response shapes of plans and their use, and the operator's change to a plan."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from luna.db.pagination import Page


class PlanOut(BaseModel):
    """A plan and its entitlements, as the pricing page shows it. ``null`` in a limit
    means unlimited; a ``null`` price means priced on request."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(examples=["growth"])
    name: str
    description: str
    price_cents: int | None = Field(description="Monthly price in cents; null: contact sales.")
    currency: str
    runs_per_day: int | None
    active_agents: int | None
    workspaces: int | None
    seats: int | None = Field(description="Members plus pending invitations.")
    concurrent_runs: int | None
    api_requests_per_minute: int
    sso: bool
    all_catalog_agents: bool = Field(description="False: the six core catalog agents only.")
    support_level: str
    data_retention_days: int | None
    public: bool = Field(True, description="Whether the plan is on the price list.")


class EntitlementUse(BaseModel):
    """How much of one entitlement the team uses, against its plan's limit."""

    entitlement: str
    used: int
    limit: int | None = Field(description="null: unlimited.")


Limit = Annotated[int | None, Field(ge=1, description="null: unlimited")]


class PlanUpdate(BaseModel):
    """An operator's change to a plan: only the fields given change. ``None`` in a limit
    means unlimited; in the price, priced on request."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    public: bool | None = None
    price_cents: Annotated[int, Field(ge=0)] | None = None
    runs_per_day: Limit = None
    active_agents: Limit = None
    workspaces: Limit = None
    seats: Limit = None
    concurrent_runs: Limit = None
    api_requests_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    sso: bool | None = None
    all_catalog_agents: bool | None = None
    support_level: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    data_retention_days: Limit = None
    stripe_price_id: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    lemonsqueezy_variant_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        """Fields a plan cannot be without may change but not be cleared."""
        for name in _REQUIRED_PLAN_FIELDS:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self


_REQUIRED_PLAN_FIELDS = (
    "name",
    "description",
    "public",
    "api_requests_per_minute",
    "sso",
    "all_catalog_agents",
    "support_level",
)


class PlanPage(Page[PlanOut]):
    """The plans on the price list, all on one page (`next_cursor` is null)."""
