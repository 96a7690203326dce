"""Where each person stands in a workspace's onboarding, so the wizard resumes there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin
from luna.db.ids import new_id


class OnboardingProgress(TimestampMixin, Base):
    """One person's onboarding in one workspace: the agent they picked, the provider they
    connected and their first run. A deleted agent, provider or run clears its step."""

    __tablename__ = "onboarding_progress"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("onb"))
    # The unique constraint's index serves the lookups by workspace.
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    provider_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    dismissed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
