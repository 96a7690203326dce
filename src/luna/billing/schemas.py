"""Request and response shapes of plans, billing and invoices."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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


class SubscriptionOut(BaseModel):
    """The team's subscription as its billing provider last described it."""

    model_config = ConfigDict(from_attributes=True)

    provider: str
    plan_id: str
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    past_due_since: datetime | None = Field(description="Set while a payment is overdue.")
    grace_until: datetime | None = Field(
        description="When an overdue team moves to Starter's limits."
    )


class EntitlementUse(BaseModel):
    """How much of one entitlement the team uses, against its plan's limit."""

    entitlement: str
    used: int
    limit: int | None = Field(description="null: unlimited.")


class BillingOverview(BaseModel):
    """A team's plan, subscription and use of its entitlements today."""

    team_id: str
    plan: PlanOut
    subscription: SubscriptionOut | None
    usage: list[EntitlementUse]


class CheckoutCreate(BaseModel):
    """An upgrade to start: the plan and who takes the payment."""

    model_config = ConfigDict(extra="forbid")

    plan: str = Field(min_length=1, max_length=32, examples=["growth"])
    provider: Literal["stripe", "lemonsqueezy"] = "stripe"


class RedirectOut(BaseModel):
    """Where to send the browser next."""

    url: str


class InvoiceOut(BaseModel):
    """An invoice of the team, with links to view and download it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    provider: str
    number: str | None
    status: str
    currency: str
    amount_due_cents: int
    amount_paid_cents: int
    period_start: datetime | None
    period_end: datetime | None
    hosted_url: str | None
    pdf_url: str | None
    issued_at: datetime


class WebhookAck(BaseModel):
    """The receipt of a webhook: what it did (``duplicate`` for a redelivery)."""

    received: bool = True
    outcome: Literal["applied", "stale", "unmatched", "ignored", "duplicate"]
