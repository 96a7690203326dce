"""swarm events: a chain run records how a swarm was settled (swarm.decided)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 13:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = (
    "chain.started",
    "chain.paused",
    "chain.completed",
    "node.started",
    "node.completed",
    "node.failed",
    "node.skipped",
)
AFTER = (*BEFORE, "swarm.decided")


def _replace_check(types: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{kind}'" for kind in types)
    with op.batch_alter_table("chain_run_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_chain_run_events_type"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_chain_run_events_type"), f"type IN ({listed})"
        )


def upgrade() -> None:
    _replace_check(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM chain_run_events WHERE type = 'swarm.decided'")
    _replace_check(BEFORE)
