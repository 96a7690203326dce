"""Usage that outlives the runs it was counted from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base


class UsageRollup(Base):
    """What a workspace's runs used on a UTC day, per agent and model, for the runs that
    data retention deleted: the usage report adds these to the runs still stored, so
    usage outlives the runs themselves. Demo runs are never rolled up."""

    __tablename__ = "usage_rollups"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    agent_name: Mapped[str] = mapped_column(String(200))
    runs: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_in: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_out: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(18, 8), default=Decimal(0))
