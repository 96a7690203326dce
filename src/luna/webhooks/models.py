"""Webhook endpoints, their deliveries and each delivery's attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id
from luna.observability.tracing import current_traceparent
from luna.security.encrypted_columns import SEALED_BY


class WebhookEndpoint(TimestampMixin, Base):
    """A URL of a workspace told of the event types it subscribes to. Its signing secret
    is encrypted at rest; after a rotation the previous one stays valid (both signatures
    are sent) until ``previous_secret_expires_at``. ``failing_since`` is the first failed
    attempt since its last success; an endpoint failing for the retry window is disabled
    (``disabled_reason``)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        UniqueConstraint("workspace_id", "url"),
        Index(None, "workspace_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("whe"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(Text, default="")
    event_types: Mapped[list[str]] = mapped_column(JSON)
    secret_encrypted: Mapped[str] = mapped_column(Text, info={SEALED_BY: "id"})
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text, info={SEALED_BY: "id"})
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    failing_since: Mapped[datetime | None]
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class DeliveryStatus(StrEnum):
    """Where a delivery is: waiting for (another) attempt, delivered, or given up."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(Base):
    """One event for one endpoint. Its id is the message's ``webhook-id``, the same on
    every attempt and redelivery, so a receiver can tell a message it has seen."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index(None, "endpoint_id", "created_at", "id"),
        Index(None, "status", "enqueued"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("msg"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # The outbox event it carries (None: a test event).
    event_id: Mapped[str | None] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The trace of its event (or of the request that made a test delivery).
    traceparent: Mapped[str | None] = mapped_column(String(64), default=current_traceparent)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    # Whether its job was queued; a delivery stored but not queued is queued by the sweep.
    enqueued: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Each redelivery starts a new job, numbered.
    round: Mapped[int] = mapped_column(default=1, server_default="1")
    attempt_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the current round began: retries stop after the retry window from here.
    round_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: what the endpoint answered, and how fast."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index(None, "delivery_id", "attempted_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("wha"))
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[float | None]
    # The start of the endpoint's answer, or why there was none.
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(String(500))
