"""api processes: an install without Redis serves its API from one process

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_processes",
        sa.Column("instance_id", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_api_processes")),
        sa.UniqueConstraint("role", name=op.f("uq_api_processes_role")),
    )


def downgrade() -> None:
    op.drop_table("api_processes")
