"""chain runs

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 10:52:01.337828
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("chain_id", sa.String(length=40), nullable=False),
        sa.Column("chain_version_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("cancel_requested_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'paused', 'succeeded', 'partial', 'failed', 'cancelled')",
            name=op.f("ck_chain_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
            name=op.f("fk_chain_runs_chain_id_chains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chain_version_id"],
            ["chain_versions.id"],
            name=op.f("fk_chain_runs_chain_version_id_chain_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_chain_runs_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chain_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_runs")),
        sa.UniqueConstraint(
            "workspace_id",
            "idempotency_key",
            name=op.f("uq_chain_runs_workspace_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_runs_chain_id_created_at"),
            ["chain_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_chain_runs_chain_version_id"), ["chain_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chain_runs_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chain_runs_workspace_id_created_at_id"),
            ["workspace_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "chain_run_nodes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("chain_run_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("node_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("started_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("decided_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("decided_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'awaiting_approval', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')",
            name=op.f("ck_chain_run_nodes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_run_id"],
            ["chain_runs.id"],
            name=op.f("fk_chain_run_nodes_chain_run_id_chain_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_chain_run_nodes_decided_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name=op.f("fk_chain_run_nodes_run_id_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chain_run_nodes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_run_nodes")),
        sa.UniqueConstraint(
            "chain_run_id", "node_id", name=op.f("uq_chain_run_nodes_chain_run_id_node_id")
        ),
    )
    with op.batch_alter_table("chain_run_nodes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_run_nodes_decided_by_user_id"),
            ["decided_by_user_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_chain_run_nodes_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chain_run_nodes_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("chain_run_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_run_nodes_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_chain_run_nodes_run_id"))
        batch_op.drop_index(batch_op.f("ix_chain_run_nodes_decided_by_user_id"))

    op.drop_table("chain_run_nodes")
    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_runs_workspace_id_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_chain_runs_created_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_chain_runs_chain_version_id"))
        batch_op.drop_index(batch_op.f("ix_chain_runs_chain_id_created_at"))

    op.drop_table("chain_runs")
