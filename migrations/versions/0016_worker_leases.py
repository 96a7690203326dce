"""worker leases: live workers recover the work of gone ones; runs record their executor

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 21:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_leases",
        sa.Column("executor_id", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("executor_id", name=op.f("pk_worker_leases")),
    )
    with op.batch_alter_table("worker_leases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_leases_renewed_at"), ["renewed_at"])
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("executor_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("executor_id")
    with op.batch_alter_table("worker_leases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_leases_renewed_at"))
    op.drop_table("worker_leases")
