"""Request and response shapes of billing: subscriptions, checkout and invoices."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from luna.db.pagination import Page
from luna.plans.schemas import EntitlementUse, PlanOut
from luna.schemas import RequestModel


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


class BillingOverview(BaseModel):
    """A team's plan, subscription and use of its entitlements today."""

    team_id: str
    plan: PlanOut
    subscription: SubscriptionOut | None
    usage: list[EntitlementUse]


class CheckoutCreate(RequestModel):
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


class InvoicePage(Page[InvoiceOut]):
    """The team's invoices, all on one page (`next_cursor` is null)."""
