"""Installation-wide state that every replica reads, such as maintenance mode."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, utcnow


class SystemFlag(Base):
    """A named piece of installation-wide state, as JSON (``maintenance``, ...)."""

    __tablename__ = "system_flags"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
