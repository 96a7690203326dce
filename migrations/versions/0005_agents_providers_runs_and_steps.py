"""agents providers runs and steps

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 05:39:17.989624
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("template_slug", sa.String(length=40), nullable=True),
        sa.Column("current_version_id", sa.String(length=40), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'archived')", name=op.f("ck_agents_status")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_agents_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_agents_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_agents_workspace_id_name")),
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agents_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agents_workspace_id_status_id"),
            ["workspace_id", "status", "id"],
            unique=False,
        )

    op.create_table(
        "providers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("api_key_encrypted", sa.Text(), nullable=True),
        sa.Column("default_model", sa.String(length=200), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("last_checked_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_check_ok", sa.Boolean(), nullable=True),
        sa.Column("last_check_latency_ms", sa.Double(), nullable=True),
        sa.Column("last_check_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('anthropic', 'openai', 'openai_compatible')", name=op.f("ck_providers_kind")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_providers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_providers_workspace_id_name")),
    )
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_providers_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "agent_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_versions_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_agent_versions_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_agent_versions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_versions")),
        sa.UniqueConstraint("agent_id", "number", name=op.f("uq_agent_versions_agent_id_number")),
    )
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_versions_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agent_versions_workspace_id"), ["workspace_id"], unique=False
        )

    # agents and agent_versions point at each other; this side is added once both exist.
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_agents_current_version_id_agent_versions"),
            "agent_versions",
            ["current_version_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("agent_version_id", sa.String(length=40), nullable=False),
        sa.Column("parent_run_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
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
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_runs_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agent_version_id"],
            ["agent_versions.id"],
            name=op.f("fk_runs_agent_version_id_agent_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_runs_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_run_id"],
            ["runs.id"],
            name=op.f("fk_runs_parent_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.UniqueConstraint(
            "workspace_id", "idempotency_key", name=op.f("uq_runs_workspace_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_runs_agent_version_id"), ["agent_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_runs_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_runs_parent_run_id"), ["parent_run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_runs_status_id"), ["status", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_runs_workspace_id_agent_id_id"),
            ["workspace_id", "agent_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_runs_workspace_id_id"), ["workspace_id", "id"], unique=False
        )

    op.create_table(
        "run_steps",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("parent_step_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("started_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('model_request', 'thinking', 'text', 'tool_call', 'tool_result', 'approval', 'final', 'error')",
            name=op.f("ck_run_steps_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_steps_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_run_steps_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_steps")),
        sa.UniqueConstraint("run_id", "sequence", name=op.f("uq_run_steps_run_id_sequence")),
    )
    with op.batch_alter_table("run_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_steps_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("run_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_steps_workspace_id"))

    op.drop_table("run_steps")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_workspace_id_id"))
        batch_op.drop_index(batch_op.f("ix_runs_workspace_id_agent_id_id"))
        batch_op.drop_index(batch_op.f("ix_runs_status_id"))
        batch_op.drop_index(batch_op.f("ix_runs_parent_run_id"))
        batch_op.drop_index(batch_op.f("ix_runs_created_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_runs_agent_version_id"))

    op.drop_table("runs")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agents_current_version_id_agent_versions"), type_="foreignkey"
        )
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_versions_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_agent_versions_created_by_user_id"))

    op.drop_table("agent_versions")
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_providers_workspace_id"))

    op.drop_table("providers")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agents_workspace_id_status_id"))
        batch_op.drop_index(batch_op.f("ix_agents_created_by_user_id"))

    op.drop_table("agents")
