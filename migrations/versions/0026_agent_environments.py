"""Agent environments: named pointers at versions.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 16:50:12.800410
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_environments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version_id", sa.String(length=40), nullable=False),
        sa.Column("previous_version_id", sa.String(length=40), nullable=True),
        sa.Column("updated_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_environments_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_version_id"],
            ["agent_versions.id"],
            name=op.f("fk_agent_environments_previous_version_id_agent_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["users.id"],
            name=op.f("fk_agent_environments_updated_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agent_versions.id"],
            name=op.f("fk_agent_environments_version_id_agent_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_agent_environments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_environments")),
        sa.UniqueConstraint("agent_id", "name", name=op.f("uq_agent_environments_agent_id_name")),
    )
    with op.batch_alter_table("agent_environments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_environments_updated_by_user_id"),
            ["updated_by_user_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_agent_environments_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agent_environments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_environments_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_agent_environments_updated_by_user_id"))

    op.drop_table("agent_environments")
