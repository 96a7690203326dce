"""evaluation suites, eval runs, release gates and traffic splits; a run's chain run and trace

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 18:54:34.964683
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luna.db.base

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "eval_suites",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_eval_suites_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_eval_suites_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_eval_suites_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_suites")),
        sa.UniqueConstraint("agent_id", "name", name=op.f("uq_eval_suites_agent_id_name")),
    )
    with op.batch_alter_table("eval_suites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_suites_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_eval_suites_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_eval_suites_workspace_id_created_at_id"),
            ["workspace_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "eval_cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("suite_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("source_run_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["suite_id"],
            ["eval_suites.id"],
            name=op.f("fk_eval_cases_suite_id_eval_suites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_eval_cases_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_cases")),
    )
    with op.batch_alter_table("eval_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eval_cases_suite_id_position_id"),
            ["suite_id", "position", "id"],
            unique=False,
        )

    op.create_table(
        "eval_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.String(length=40), nullable=False),
        sa.Column("suite_id", sa.String(length=40), nullable=False),
        sa.Column("suite_revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("judge", sa.JSON(), nullable=True),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("created_by_user_id", sa.String(length=40), nullable=True),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", luna.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", luna.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_eval_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_eval_runs_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_eval_runs_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suite_id"],
            ["eval_suites.id"],
            name=op.f("fk_eval_runs_suite_id_eval_suites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_eval_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_runs")),
        sa.UniqueConstraint(
            "workspace_id",
            "idempotency_key",
            name=op.f("uq_eval_runs_workspace_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("eval_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eval_runs_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_eval_runs_suite_id_created_at"), ["suite_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_eval_runs_workspace_id_created_at_id"),
            ["workspace_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "eval_results",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("eval_run_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'passed', 'failed', 'errored')",
            name=op.f("ck_eval_results_status"),
        ),
        sa.ForeignKeyConstraint(
            ["eval_run_id"],
            ["eval_runs.id"],
            name=op.f("fk_eval_results_eval_run_id_eval_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_eval_results_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eval_results")),
        sa.UniqueConstraint(
            "eval_run_id",
            "target",
            "case_id",
            name=op.f("uq_eval_results_eval_run_id_target_case_id"),
        ),
    )
    with op.batch_alter_table("eval_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eval_results_run_id"), ["run_id"], unique=False)

    op.create_table(
        "eval_run_targets",
        sa.Column("eval_run_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("agent_version_id", sa.String(length=40), nullable=True),
        sa.Column("draft_definition", sa.JSON(), nullable=True),
        sa.Column("cases_done", sa.Integer(), nullable=False),
        sa.Column("cases_passed", sa.Integer(), nullable=False),
        sa.Column("pass_rate", sa.Double(), nullable=True),
        sa.Column("mean_score", sa.Double(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("mean_latency_ms", sa.Double(), nullable=True),
        sa.Column("mean_confidence", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_version_id"],
            ["agent_versions.id"],
            name=op.f("fk_eval_run_targets_agent_version_id_agent_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["eval_run_id"],
            ["eval_runs.id"],
            name=op.f("fk_eval_run_targets_eval_run_id_eval_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_eval_run_targets_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("eval_run_id", "position", name=op.f("pk_eval_run_targets")),
    )
    with op.batch_alter_table("eval_run_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eval_run_targets_agent_version_id"), ["agent_version_id"], unique=False
        )

    with op.batch_alter_table("agent_environments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gate_suite_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("gate_min_pass_rate", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("split_version_id", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("split_percent", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("split_started_at", luna.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agent_environments_split_version_id_agent_versions"),
            "agent_versions",
            ["split_version_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agent_environments_gate_suite_id_eval_suites"),
            "eval_suites",
            ["gate_suite_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("traceparent", sa.String(length=64), nullable=True))

    for table in ("domain_events", "webhook_deliveries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("traceparent", sa.String(length=64), nullable=True))

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eval_run_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_runs_eval_run_id"), ["eval_run_id"], unique=False)
        batch_op.add_column(sa.Column("chain_run_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("environment", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("traceparent", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_runs_chain_run_id"), ["chain_run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.drop_column("traceparent")
    for table in ("domain_events", "webhook_deliveries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("traceparent")

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("traceparent")
        batch_op.drop_column("environment")
        batch_op.drop_index(batch_op.f("ix_runs_chain_run_id"))
        batch_op.drop_column("chain_run_id")
        batch_op.drop_index(batch_op.f("ix_runs_eval_run_id"))
        batch_op.drop_column("eval_run_id")

    with op.batch_alter_table("agent_environments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agent_environments_gate_suite_id_eval_suites"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_agent_environments_split_version_id_agent_versions"), type_="foreignkey"
        )
        batch_op.drop_column("split_started_at")
        batch_op.drop_column("split_percent")
        batch_op.drop_column("split_version_id")
        batch_op.drop_column("gate_min_pass_rate")
        batch_op.drop_column("gate_suite_id")

    with op.batch_alter_table("eval_run_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_run_targets_agent_version_id"))

    op.drop_table("eval_run_targets")
    with op.batch_alter_table("eval_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_results_run_id"))

    op.drop_table("eval_results")
    with op.batch_alter_table("eval_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_runs_workspace_id_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_eval_runs_suite_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_eval_runs_created_by_user_id"))

    op.drop_table("eval_runs")
    with op.batch_alter_table("eval_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_cases_suite_id_position_id"))

    op.drop_table("eval_cases")
    with op.batch_alter_table("eval_suites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eval_suites_workspace_id_created_at_id"))
        batch_op.drop_index(batch_op.f("ix_eval_suites_created_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_eval_suites_agent_id"))

    op.drop_table("eval_suites")
