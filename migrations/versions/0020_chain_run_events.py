"""chain run events

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:55:45.361913
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_run_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("chain_run_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("node_id", sa.String(length=40), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type IN ('chain.started', 'chain.paused', 'chain.completed', 'node.started', 'node.completed', 'node.failed', 'node.skipped')",
            name=op.f("ck_chain_run_events_type"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_run_id"],
            ["chain_runs.id"],
            name=op.f("fk_chain_run_events_chain_run_id_chain_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chain_run_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_run_events")),
        sa.UniqueConstraint(
            "chain_run_id", "key", name=op.f("uq_chain_run_events_chain_run_id_key")
        ),
        sa.UniqueConstraint(
            "chain_run_id", "sequence", name=op.f("uq_chain_run_events_chain_run_id_sequence")
        ),
    )
    with op.batch_alter_table("chain_run_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_run_events_workspace_id"), ["workspace_id"], unique=False
        )

    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_count", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.drop_column("event_count")

    with op.batch_alter_table("chain_run_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_run_events_workspace_id"))

    op.drop_table("chain_run_events")
