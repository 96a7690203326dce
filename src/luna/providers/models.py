"""A workspace's model providers. API keys are encrypted at rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin
from luna.db.ids import new_id
from luna.security.encrypted_columns import SEALED_BY


class Provider(TimestampMixin, Base):
    """Where a workspace's agents get their models: Anthropic, OpenAI, or any
    OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio, Nexa) by base URL."""

    __tablename__ = "providers"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint("kind IN ('anthropic', 'openai', 'openai_compatible')", name="kind"),
        Index(
            "uq_providers_one_default_per_workspace",
            "workspace_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("prv"))
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str | None] = mapped_column(String(500))
    api_key_encrypted: Mapped[str | None] = mapped_column(Text, info={SEALED_BY: "id"})
    default_model: Mapped[str | None] = mapped_column(String(200))
    # The provider of agents that name none; at most one per workspace.
    is_default: Mapped[bool] = mapped_column(default=False)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_checked_at: Mapped[datetime | None]
    last_check_ok: Mapped[bool | None]
    last_check_latency_ms: Mapped[float | None]
    last_check_error: Mapped[str | None] = mapped_column(String(500))
