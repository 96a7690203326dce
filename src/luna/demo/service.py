"""Seed and remove a team's demo workspace.

A demo workspace is flagged ``demo``: its agents and workspace are left out of the
plan's counts, and its runs are flagged ``demo`` too, so they never reach the team's
usage or billing. It is written in one transaction: a failed seed leaves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.catalog import Catalog
from luna.agents.models import Agent, AgentVersion
from luna.agents.service import add_sample_agent
from luna.db.ids import new_id
from luna.demo.scenarios import RecordedRun, history, recorded
from luna.runs.models import Run
from luna.runs.steps import recorded_steps
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin
from luna.tenancy.models import Workspace

DEMO_WORKSPACE_NAME: Final = "Demo: Acme Payments"
DEMO_AGENTS: Final = ("code-review", "testing-validation", "documentation", "requirements-analyzer")


@dataclass(frozen=True)
class DemoSeed:
    """The team's demo workspace, and whether this call created it."""

    workspace: Workspace
    created: bool


async def find_demo_workspace(*, session: AsyncSession, team_id: str) -> Workspace | None:
    """The team's demo workspace, if it has one."""
    return await session.scalar(
        select(Workspace).where(Workspace.team_id == team_id, Workspace.demo.is_(True))
    )


async def seed_demo(
    *,
    session: AsyncSession,
    catalog: Catalog,
    team_id: str,
    user_id: str,
    now: datetime,
    origin: RequestOrigin | None = None,
) -> DemoSeed:
    """Give the team a demo workspace: sample agents, four weeks of runs and four recorded
    multi-step runs. A team that has one keeps it (``created`` is false)."""
    existing = await find_demo_workspace(session=session, team_id=team_id)
    if existing is not None:
        return DemoSeed(workspace=existing, created=False)
    workspace = Workspace(team_id=team_id, name=DEMO_WORKSPACE_NAME, demo=True, created_at=now)
    session.add(workspace)
    try:
        await session.flush()
    except IntegrityError:  # another request seeded it a moment ago: that one is the demo
        await session.rollback()
        existing = await find_demo_workspace(session=session, team_id=team_id)
        if existing is None:
            raise
        return DemoSeed(workspace=existing, created=False)
    agents: dict[str, tuple[Agent, AgentVersion]] = {}
    for slug in DEMO_AGENTS:
        agents[slug] = await add_sample_agent(
            session=session,
            workspace_id=workspace.id,
            persona=catalog.get(slug),
            user_id=user_id,
            now=now - timedelta(days=30),
        )
    past = history(now.date())
    for scenario in past:
        _store_run(session, workspace.id, agents, scenario, user_id, parent=None)
    story: list[Run] = []
    for scenario in recorded(now):
        parent = story[scenario.retry_of] if scenario.retry_of is not None else None
        story.append(_store_run(session, workspace.id, agents, scenario, user_id, parent))
    await session.flush()
    origin = origin or RequestOrigin()
    audit.record(
        session,
        team_id=team_id,
        action="demo.seeded",
        actor_user_id=user_id,
        target_type="workspace",
        target_id=workspace.id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        data={"runs": len(past) + len(story), "agents": len(agents)},
    )
    await session.commit()
    return DemoSeed(workspace=workspace, created=True)


def _store_run(
    session: AsyncSession,
    workspace_id: str,
    agents: dict[str, tuple[Agent, AgentVersion]],
    scenario: RecordedRun,
    user_id: str,
    parent: Run | None,
) -> Run:
    agent, version = agents[scenario.agent_slug]
    steps = scenario.steps
    run = Run(
        id=new_id("run"),
        workspace_id=workspace_id,
        agent_id=agent.id,
        agent_version_id=version.id,
        parent_run_id=parent.id if parent else None,
        status=scenario.status,
        input={"value": scenario.input},
        output=scenario.output,
        error=scenario.error,
        created_by_user_id=user_id,
        created_at=scenario.started_at - timedelta(milliseconds=180),
        started_at=scenario.started_at,
        finished_at=scenario.finished_at,
        tokens_in=sum(step.tokens_in for step in steps),
        tokens_out=sum(step.tokens_out for step in steps),
        cost_usd=sum((step.cost_usd for step in steps), Decimal(0)),
        step_count=len(steps),
        demo=True,
        model=scenario.model,
    )
    session.add(run)
    session.add_all(recorded_steps(steps, run_id=run.id, workspace_id=workspace_id))
    return run


async def remove_demo(
    *,
    session: AsyncSession,
    team_id: str,
    user_id: str | None,
    origin: RequestOrigin | None = None,
) -> bool:
    """Delete the team's demo workspace with everything in it; false if it had none."""
    workspace = await find_demo_workspace(session=session, team_id=team_id)
    if workspace is None:
        return False
    await session.execute(delete(Workspace).where(Workspace.id == workspace.id))
    origin = origin or RequestOrigin()
    audit.record(
        session,
        team_id=team_id,
        action="demo.removed",
        actor_user_id=user_id,
        target_type="workspace",
        target_id=workspace.id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
    )
    await session.commit()
    return True
