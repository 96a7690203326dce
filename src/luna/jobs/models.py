"""The leases of the worker processes executing durable work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base


class WorkerLease(Base):
    """A live worker process, renewed every few seconds. A lease left to expire means
    its worker is gone: another worker claims it and recovers its unfinished work."""

    __tablename__ = "worker_leases"

    executor_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    renewed_at: Mapped[datetime] = mapped_column(index=True)
