"""chains: a workspace's chains of agents and their versions

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 10:34:39.417281
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chains",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("preset", sa.String(length=40), nullable=True),
        sa.Column("current_version_id", sa.String(length=40), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_chains_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chains_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chains")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_chains_workspace_id_name")),
    )
    with op.batch_alter_table("chains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chains_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chains_workspace_id_created_at_id"),
            ["workspace_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "chain_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("chain_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
            name=op.f("fk_chain_versions_chain_id_chains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_chain_versions_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_chain_versions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_versions")),
        sa.UniqueConstraint("chain_id", "number", name=op.f("uq_chain_versions_chain_id_number")),
    )
    with op.batch_alter_table("chain_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_versions_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chain_versions_workspace_id"), ["workspace_id"], unique=False
        )

    # chains and chain_versions point at each other; this side is added once both exist.
    with op.batch_alter_table("chains", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_chains_current_version_id_chain_versions"),
            "chain_versions",
            ["current_version_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("chains", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chains_current_version_id_chain_versions"), type_="foreignkey"
        )
    with op.batch_alter_table("chain_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_versions_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_chain_versions_created_by_user_id"))

    op.drop_table("chain_versions")
    with op.batch_alter_table("chains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chains_workspace_id_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_chains_created_by_user_id"))

    op.drop_table("chains")
