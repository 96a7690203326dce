"""outbox retry schedule

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:29:11.990270
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_attempt_at", luna.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_index(batch_op.f("ix_outbox_emails_sent_at_created_at"))
        batch_op.create_index(
            batch_op.f("ix_outbox_emails_sent_at_next_attempt_at"),
            ["sent_at", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_emails_sent_at_next_attempt_at"))
        batch_op.create_index(
            batch_op.f("ix_outbox_emails_sent_at_created_at"),
            ["sent_at", "created_at"],
            unique=False,
        )
        batch_op.drop_column("next_attempt_at")
