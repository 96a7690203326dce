"""run shares: public, revocable, read-only links to a finished run's replay

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 09:43:40.572566
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_shares",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_viewed_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_run_shares_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_shares_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_run_shares_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_shares")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_run_shares_token_hash")),
    )
    with op.batch_alter_table("run_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_shares_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_run_shares_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_run_shares_workspace_id_run_id_id"),
            ["workspace_id", "run_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("run_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_shares_workspace_id_run_id_id"))
        batch_op.drop_index(batch_op.f("ix_run_shares_run_id"))
        batch_op.drop_index(batch_op.f("ix_run_shares_created_by_user_id"))

    op.drop_table("run_shares")
