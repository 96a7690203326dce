"""one demo workspace per team: a partial unique index, so concurrent seeds make one

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 10:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.create_index(
            "uq_workspaces_team_id_demo",
            ["team_id"],
            unique=True,
            sqlite_where=sa.text("demo"),
            postgresql_where=sa.text("demo"),
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_workspaces_team_id_demo",
            sqlite_where=sa.text("demo"),
            postgresql_where=sa.text("demo"),
        )
