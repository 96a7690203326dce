"""Billing tables: team subscriptions, billing customers, invoices and received webhook
events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id

BILLING_PROVIDERS = "'stripe', 'lemonsqueezy', 'manual'"
SUBSCRIPTION_STATUSES = (
    "'incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'canceled', 'paused'"
)
INVOICE_STATUSES = "'draft', 'open', 'paid', 'uncollectible', 'void', 'failed', 'refunded'"


class Subscription(TimestampMixin, Base):
    """A team's paid subscription, as its billing provider last described it.

    ``provider_updated_at`` is the time of the newest provider event applied: an event
    older than it never moves the subscription backwards."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(f"provider IN ({BILLING_PROVIDERS})", name="provider"),
        CheckConstraint(f"status IN ({SUBSCRIPTION_STATUSES})", name="status"),
        UniqueConstraint("provider", "external_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("sub"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[str] = mapped_column(String(16))
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    provider_updated_at: Mapped[datetime]
    # Dunning: when the first failed payment was seen and when the grace period ends.
    past_due_since: Mapped[datetime | None]
    grace_until: Mapped[datetime | None]
    downgraded_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)


class BillingCustomer(Base):
    """Which customer of a billing provider pays for a team."""

    __tablename__ = "billing_customers"
    __table_args__ = (
        CheckConstraint(f"provider IN ({BILLING_PROVIDERS})", name="provider"),
        UniqueConstraint("provider", "customer_id"),
        UniqueConstraint("team_id", "provider"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("cus"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invoice(TimestampMixin, Base):
    """An invoice as the billing provider reported it."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(f"provider IN ({BILLING_PROVIDERS})", name="provider"),
        CheckConstraint(f"status IN ({INVOICE_STATUSES})", name="status"),
        UniqueConstraint("provider", "external_id"),
        Index(None, "team_id", "issued_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("inv"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_due_cents: Mapped[int] = mapped_column(default=0)
    amount_paid_cents: Mapped[int] = mapped_column(default=0)
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    hosted_url: Mapped[str | None] = mapped_column(String(1000))
    pdf_url: Mapped[str | None] = mapped_column(String(1000))
    issued_at: Mapped[datetime]
    provider_updated_at: Mapped[datetime]


class BillingEvent(Base):
    """A webhook event received from a billing provider. Inserted in the same
    transaction as its effect: a redelivered event finds its id here and changes nothing."""

    __tablename__ = "billing_events"
    __table_args__ = (
        CheckConstraint(f"provider IN ({BILLING_PROVIDERS})", name="provider"),
        UniqueConstraint("provider", "event_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("bev"))
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[str | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
