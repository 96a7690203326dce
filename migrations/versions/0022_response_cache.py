"""response cache

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 11:41:35.691044
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cached_from_run_id", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("saved_tokens_in", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("saved_tokens_out", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "saved_cost_usd",
                sa.Numeric(precision=18, scale=8),
                server_default="0",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("saved_cost_usd")
        batch_op.drop_column("saved_tokens_out")
        batch_op.drop_column("saved_tokens_in")
        batch_op.drop_column("cached_from_run_id")
