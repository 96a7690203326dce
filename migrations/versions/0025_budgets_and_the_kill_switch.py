"""Budgets, their alerts, and the workspace kill switch.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 16:23:34.638480
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=40), server_default="", nullable=False),
        sa.Column("max_tokens", sa.Integer(), nullable=True),
        sa.Column("max_cost_usd", sa.Numeric(precision=18, scale=8), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "scope IN ('run', 'agent_day', 'api_key_day', 'workspace_month')",
            name=op.f("ck_budgets_scope"),
        ),
        sa.CheckConstraint(
            "max_tokens IS NOT NULL OR max_cost_usd IS NOT NULL", name=op.f("ck_budgets_has_limit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_budgets_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_budgets_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint(
            "workspace_id", "scope", "subject", name=op.f("uq_budgets_workspace_id_scope_subject")
        ),
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budgets_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_budgets_workspace_id_created_at_id"),
            ["workspace_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "budget_alerts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("budget_id", sa.String(length=40), nullable=False),
        sa.Column("period_start", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_budget_alerts_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_alerts")),
        sa.UniqueConstraint(
            "budget_id",
            "period_start",
            "level",
            name=op.f("uq_budget_alerts_budget_id_period_start_level"),
        ),
    )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("runs_halted_at", luna.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("runs_halted_by_user_id", sa.String(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("runs_halted_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("runs_halted_reason")
        batch_op.drop_column("runs_halted_by_user_id")
        batch_op.drop_column("runs_halted_at")

    op.drop_table("budget_alerts")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budgets_workspace_id_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_budgets_created_by_user_id"))

    op.drop_table("budgets")
