"""onboarding progress: each person's agent, provider and first run per workspace

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 05:24:02.872931
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "onboarding_progress",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=True),
        sa.Column("provider_id", sa.String(length=40), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("dismissed_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_onboarding_progress_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_onboarding_progress_provider_id_providers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_onboarding_progress_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_onboarding_progress_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_onboarding_progress_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_progress")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name=op.f("uq_onboarding_progress_workspace_id_user_id")
        ),
    )
    with op.batch_alter_table("onboarding_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onboarding_progress_agent_id"), ["agent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_onboarding_progress_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_onboarding_progress_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_onboarding_progress_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("onboarding_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onboarding_progress_user_id"))
        batch_op.drop_index(batch_op.f("ix_onboarding_progress_run_id"))
        batch_op.drop_index(batch_op.f("ix_onboarding_progress_provider_id"))
        batch_op.drop_index(batch_op.f("ix_onboarding_progress_agent_id"))

    op.drop_table("onboarding_progress")
