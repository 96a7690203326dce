"""Plans and the daily counters their entitlements are checked against."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin


class Plan(TimestampMixin, Base):
    """A plan and its entitlements. ``None`` in a limit means unlimited. Seeded by a
    migration; the operator edits them with ``luna plans set``."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    public: Mapped[bool] = mapped_column(default=True)
    # Monthly price in the smallest unit of the currency; None: priced on request.
    price_cents: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    runs_per_day: Mapped[int | None]
    active_agents: Mapped[int | None]
    workspaces: Mapped[int | None]
    seats: Mapped[int | None]
    concurrent_runs: Mapped[int | None]
    api_requests_per_minute: Mapped[int]
    sso: Mapped[bool] = mapped_column(default=False)
    all_catalog_agents: Mapped[bool] = mapped_column(default=False)
    support_level: Mapped[str] = mapped_column(String(32))
    data_retention_days: Mapped[int | None]
    stripe_price_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    lemonsqueezy_variant_id: Mapped[str | None] = mapped_column(String(64), unique=True)


class UsageCounter(Base):
    """How much of a daily entitlement a team used on a day (UTC). Incremented with one
    conditional upsert, so concurrent requests never exceed the limit together."""

    __tablename__ = "usage_counters"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
