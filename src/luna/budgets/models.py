"""A workspace's budgets: a limit on tokens and/or cost over one run, an agent's day, an
API key's day or the workspace's month."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id


class BudgetScope(StrEnum):
    """What a budget counts: one run, an agent's (UTC) day, an API key's day, or the
    workspace's calendar month."""

    RUN = "run"
    AGENT_DAY = "agent_day"
    API_KEY_DAY = "api_key_day"
    WORKSPACE_MONTH = "workspace_month"


SCOPE_CHECK = "scope IN ({})".format(", ".join(f"'{scope}'" for scope in BudgetScope))


class Budget(TimestampMixin, Base):
    """A limit of a workspace. ``subject`` narrows it to one agent (scopes ``run`` and
    ``agent_day``) or one API key (``api_key_day``); empty, it applies to each of them.
    A budget has a token limit, a cost limit, or both."""

    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("workspace_id", "scope", "subject"),
        CheckConstraint(SCOPE_CHECK, name="scope"),
        CheckConstraint("max_tokens IS NOT NULL OR max_cost_usd IS NOT NULL", name="has_limit"),
        Index(None, "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("bud"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(40), default="", server_default="")
    max_tokens: Mapped[int | None]
    max_cost_usd: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class BudgetAlert(Base):
    """An alert sent for a budget in one of its periods, at 80 % or 100 % of it: one of
    each per period, whichever run crosses the mark first."""

    __tablename__ = "budget_alerts"
    __table_args__ = (UniqueConstraint("budget_id", "period_start", "level"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("bal"))
    budget_id: Mapped[str] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"))
    period_start: Mapped[datetime]
    level: Mapped[int]
    run_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
