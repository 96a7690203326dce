"""Installation-wide state that every replica reads, such as maintenance mode."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, utcnow


class SystemFlag(Base):
    """A named piece of installation-wide state, as JSON (``maintenance``, ...)."""

    __tablename__ = "system_flags"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApiProcess(Base):
    """A live API process of an install without Redis, renewed every few seconds.

    Without Redis each process caches sessions, API keys and rate-limit counters of its
    own, so such an install serves its API from one process (:mod:`luna.security.replicas`).
    """

    __tablename__ = "api_processes"

    instance_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    renewed_at: Mapped[datetime]
    # Unique: the database itself lets one process hold the API at a time.
    role: Mapped[str] = mapped_column(String(16), unique=True, default="api")
