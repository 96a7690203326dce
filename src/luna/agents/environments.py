"""An agent's environments: named pointers at its versions that runs may ask for
(``agt_...@production``), set, promoted from one another and rolled back, each change
audited in the team's log.

An environment keeps the version it pointed at before its last change, so a roll back
is one step and needs no history to be searched; rolling back twice goes back and forth.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from luna.agents.models import Agent, AgentEnvironment, AgentVersion
from luna.agents.schemas import (
    EnvironmentGate,
    EnvironmentOut,
    EnvironmentSplit,
    SplitArm,
    SplitResults,
)
from luna.agents.service import get_agent_for_workspace, version_of_agent
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.evals.gate import check_gate
from luna.evals.models import EvalSuite
from luna.identity.api_keys import Actor
from luna.runs.ab import Arm, environment_arms
from luna.tenancy.audit import AuditAction

MAX_ENVIRONMENTS: Final = 20
# Which runs of a split environment try its other version: a share, drawn per run.
_SPLIT: Final = random.SystemRandom()


def _missing(agent_id: str, name: str) -> NotFound:
    return NotFound(f"Agent {agent_id} has no environment {name!r}.")


async def list_environments(
    *, session: AsyncSession, workspace_id: str, agent_id: str
) -> list[EnvironmentOut]:
    """The agent's environments, by name, each with its version's number."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    return await _shown(session, agent.id)


async def _shown(
    session: AsyncSession, agent_id: str, name: str | None = None
) -> list[EnvironmentOut]:
    current, previous = aliased(AgentVersion), aliased(AgentVersion)
    split = aliased(AgentVersion)
    statement = (
        select(AgentEnvironment, current.number, previous.number, split.number)
        .join(current, current.id == AgentEnvironment.version_id)
        .outerjoin(previous, previous.id == AgentEnvironment.previous_version_id)
        .outerjoin(split, split.id == AgentEnvironment.split_version_id)
        .where(AgentEnvironment.agent_id == agent_id)
        .order_by(AgentEnvironment.name)
    )
    if name is not None:
        statement = statement.where(AgentEnvironment.name == name)
    rows = await session.execute(statement)
    return [
        EnvironmentOut(
            name=environment.name,
            version=number,
            version_id=environment.version_id,
            previous_version=previous_number,
            updated_at=environment.updated_at,
            updated_by_user_id=environment.updated_by_user_id,
            gate_suite_id=environment.gate_suite_id,
            gate_min_pass_rate=environment.gate_min_pass_rate,
            split_version=split_number,
            split_percent=environment.split_percent if split_number is not None else 0,
            split_since=environment.split_started_at if split_number is not None else None,
        )
        for environment, number, previous_number, split_number in rows
    ]


async def _environment(
    session: AsyncSession, agent: Agent, name: str, *, for_update: bool = False
) -> AgentEnvironment | None:
    statement = select(AgentEnvironment).where(
        AgentEnvironment.agent_id == agent.id, AgentEnvironment.name == name
    )
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def set_environment(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    name: str,
    number: int,
    actor: Actor,
    now: datetime,
) -> EnvironmentOut:
    """Point ``name`` at version ``number`` (422 when the agent has no such version),
    making the environment when it is new."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    version = await version_of_agent(
        session, agent, number, at={"in": "body", "pointer": "#/version"}
    )
    return await _point(session, agent, name, version, actor, now, action="agent.environment_set")


async def promote(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    name: str,
    source: str,
    actor: Actor,
    now: datetime,
) -> EnvironmentOut:
    """Point ``name`` at the version ``source`` runs (422 when ``source`` is missing or
    is ``name`` itself)."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    found = None if source == name else await _environment(session, agent, source)
    if found is None:
        message = (
            "An environment cannot be promoted to itself."
            if source == name
            else f"Agent {agent.id} has no environment {source!r} to promote from."
        )
        raise ValidationFailed(
            message, errors=[{"in": "body", "pointer": "#/source", "message": message}]
        )
    version = await session.get(AgentVersion, found.version_id)
    if version is None:  # the foreign key makes this impossible
        raise _missing(agent.id, source)
    return await _point(
        session, agent, name, version, actor, now, action="agent.promoted", source=source
    )


async def _point(
    session: AsyncSession,
    agent: Agent,
    name: str,
    version: AgentVersion,
    actor: Actor,
    now: datetime,
    *,
    action: AuditAction,
    source: str | None = None,
) -> EnvironmentOut:
    environment = await _environment(session, agent, name, for_update=True)
    previous = None if environment is None else environment.version_id
    gate = await check_gate(session, environment, version)
    if environment is None:
        await _check_room(session, agent)
        environment = AgentEnvironment(
            agent_id=agent.id,
            workspace_id=agent.workspace_id,
            name=name,
            version_id=version.id,
            created_at=now,
        )
        session.add(environment)
    elif environment.version_id != version.id:
        environment.previous_version_id = environment.version_id
        environment.version_id = version.id
    environment.updated_at = now
    environment.updated_by_user_id = actor.user_id
    if previous != version.id:
        actor.record(
            session,
            action=action,
            target_type="agent",
            target_id=agent.id,
            data={
                "environment": name,
                "version": version.number,
                **({"from_environment": source} if source else {}),
                **(gate or {}),
            },
        )
    try:
        await session.commit()
    except IntegrityError:  # made by a concurrent request: set it again, as an update
        await session.rollback()
        raise Conflict(
            f"The environment {name!r} was just made by another request; try again.",
            reason="environment-changed",
        ) from None
    return (await _shown(session, agent.id, name))[0]


async def _check_room(session: AsyncSession, agent: Agent) -> None:
    count = await session.scalar(
        select(func.count())
        .select_from(AgentEnvironment)
        .where(AgentEnvironment.agent_id == agent.id)
    )
    if (count or 0) >= MAX_ENVIRONMENTS:
        raise Conflict(
            f"An agent has at most {MAX_ENVIRONMENTS} environments; delete one first.",
            reason="too-many-environments",
        )


async def roll_back(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    name: str,
    actor: Actor,
    now: datetime,
) -> EnvironmentOut:
    """Point ``name`` back at the version it ran before its last change (409 when it has
    not changed since it was made)."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    environment = await _environment(session, agent, name, for_update=True)
    if environment is None:
        raise _missing(agent.id, name)
    if environment.previous_version_id is None:
        raise Conflict(
            f"The environment {name!r} has run one version only: there is nothing to roll back to.",
            reason="nothing-to-roll-back",
        )
    rolled_from = await session.get(AgentVersion, environment.version_id)
    back = await session.get(AgentVersion, environment.previous_version_id)
    environment.version_id, environment.previous_version_id = (
        environment.previous_version_id,
        environment.version_id,
    )
    environment.updated_at = now
    environment.updated_by_user_id = actor.user_id
    actor.record(
        session,
        action="agent.rolled_back",
        target_type="agent",
        target_id=agent.id,
        data={
            "environment": name,
            "version": None if back is None else back.number,
            "rolled_back_from": None if rolled_from is None else rolled_from.number,
        },
    )
    await session.commit()
    return (await _shown(session, agent.id, name))[0]


async def delete_environment(
    *, session: AsyncSession, workspace_id: str, agent_id: str, name: str, actor: Actor
) -> None:
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    environment = await _environment(session, agent, name)
    if environment is None:
        raise _missing(agent.id, name)
    actor.record(
        session,
        action="agent.environment_deleted",
        target_type="agent",
        target_id=agent.id,
        data={"environment": name},
    )
    await session.delete(environment)
    await session.commit()


async def version_in_environment(
    session: AsyncSession, agent: Agent, name: str, *, at: dict[str, str]
) -> str:
    """The id of the version ``name`` runs, for a run that asks for it; 422 at ``at``."""
    environment = await _environment(session, agent, name)
    if environment is None:
        message = f"Agent {agent.id} has no environment {name!r}."
        raise ValidationFailed(message, errors=[{**at, "message": message}])
    split = environment.split_version_id
    if split is not None and _SPLIT.randrange(100) < environment.split_percent:
        return split
    return environment.version_id


async def set_gate(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    name: str,
    gate: EnvironmentGate,
    actor: Actor,
    now: datetime,
) -> EnvironmentOut:
    """Gate the environment on an eval suite of the agent (or lift its gate)."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    environment = await _environment(session, agent, name, for_update=True)
    if environment is None:
        raise _missing(agent.id, name)
    if gate.suite_id is not None:
        suite = await session.get(EvalSuite, gate.suite_id)
        if suite is None or suite.agent_id != agent.id:
            message = f"Agent {agent.id} has no eval suite {gate.suite_id}."
            raise ValidationFailed(
                message, errors=[{"in": "body", "pointer": "#/suite_id", "message": message}]
            )
    environment.gate_suite_id = gate.suite_id
    environment.gate_min_pass_rate = None if gate.suite_id is None else gate.min_pass_rate
    environment.updated_at = now
    actor.record(
        session,
        action="agent.environment_gated",
        target_type="agent",
        target_id=agent.id,
        data={"environment": name, **gate.model_dump()},
    )
    await session.commit()
    return (await _shown(session, agent.id, name))[0]


async def set_split(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    name: str,
    split: EnvironmentSplit,
    actor: Actor,
    now: datetime,
) -> EnvironmentOut:
    """Send a share of the runs asking for the environment to another version (or end
    the split)."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    environment = await _environment(session, agent, name, for_update=True)
    if environment is None:
        raise _missing(agent.id, name)
    if split.version is None or split.percent == 0:
        environment.split_version_id, environment.split_percent = None, 0
        environment.split_started_at = None
    else:
        at = {"in": "body", "pointer": "#/version"}
        version = await version_of_agent(session, agent, split.version, at=at)
        if version.id == environment.version_id:
            message = f"The environment {name!r} runs version {version.number} already."
            raise ValidationFailed(message, errors=[{**at, "message": message}])
        if environment.split_version_id != version.id or environment.split_started_at is None:
            environment.split_started_at = now  # a new split: its arms count from here
        environment.split_version_id, environment.split_percent = version.id, split.percent
    environment.updated_at = now
    actor.record(
        session,
        action="agent.environment_split",
        target_type="agent",
        target_id=agent.id,
        data={"environment": name, **split.model_dump()},
    )
    await session.commit()
    return (await _shown(session, agent.id, name))[0]


async def split_results(
    *, session: AsyncSession, workspace_id: str, agent_id: str, name: str
) -> SplitResults:
    """The environment's version and its split version side by side, over the runs that
    asked for the environment since the split began; 409 without a split."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    environment = await _environment(session, agent, name)
    if environment is None:
        raise _missing(agent.id, name)
    since = environment.split_started_at
    if environment.split_version_id is None or since is None:
        raise Conflict(f"The environment {name!r} has no traffic split.", reason="no-traffic-split")
    arms = await environment_arms(session, agent_id=agent.id, environment=name, since=since)
    shares = {
        environment.version_id: 100 - environment.split_percent,
        environment.split_version_id: environment.split_percent,
    }
    numbers = dict(
        (
            await session.execute(
                select(AgentVersion.id, AgentVersion.number).where(
                    AgentVersion.id.in_(list(shares))
                )
            )
        ).all()
    )
    return SplitResults(
        environment=name,
        since=since,
        arms=[
            _arm(numbers[version_id], share, arms.get(version_id))
            for version_id, share in shares.items()
        ],
    )


def _arm(number: int, share: int, arm: Arm | None) -> SplitArm:
    if arm is None:
        return SplitArm(
            version=number,
            share_percent=share,
            runs=0,
            finished=0,
            succeeded=0,
            success_rate=None,
            mean_latency_ms=None,
            mean_cost_usd=None,
            tokens_in=0,
            tokens_out=0,
        )
    return SplitArm(
        version=number,
        share_percent=share,
        runs=arm.runs,
        finished=arm.finished,
        succeeded=arm.succeeded,
        success_rate=round(arm.succeeded / arm.finished, 6) if arm.finished else None,
        mean_latency_ms=arm.mean_latency_ms,
        mean_cost_usd=arm.mean_cost_usd,
        tokens_in=arm.tokens_in,
        tokens_out=arm.tokens_out,
    )
