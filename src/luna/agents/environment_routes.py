"""An agent's environments: list, point one at a version, promote one from another,
roll one back, delete one. Runs ask for ``agt_...@<environment>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from luna.agents import environments
from luna.agents.schemas import (
    EnvironmentGate,
    EnvironmentName,
    EnvironmentOut,
    EnvironmentPage,
    EnvironmentPromote,
    EnvironmentSet,
    EnvironmentSplit,
    SplitResults,
)
from luna.deps import ClockDep, OriginDep, SessionDep, actor_of, require_workspace
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments", tags=["agents"]
)

AgentReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="agents:read"))]
AgentWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="agents:write"))]
AgentId = Annotated[str, Path(description="The agent's id (`agt_...`).")]
Name = Annotated[str, Path(description="The environment's name.", max_length=40)]


@router.get("", operation_id="agents-environments-list", response_model=EnvironmentPage)
async def list_environments(
    agent_id: AgentId, access: AgentReader, session: SessionDep
) -> EnvironmentPage:
    """The agent's environments and the version each runs."""
    found = await environments.list_environments(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id
    )
    return EnvironmentPage(items=found, next_cursor=None)


@router.put("/{name}", operation_id="agents-environments-set", response_model=EnvironmentOut)
async def set_environment(
    agent_id: AgentId,
    name: EnvironmentName,
    body: EnvironmentSet,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Point the environment at a version (made when new). Runs that ask for
    `agt_...@<name>` run that version from now on; the one before is kept for a roll
    back. Audited (`agent.environment_set`)."""
    return await environments.set_environment(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        number=body.version,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.post(
    "/{name}/promote", operation_id="agents-environments-promote", response_model=EnvironmentOut
)
async def promote_environment(
    agent_id: AgentId,
    name: EnvironmentName,
    body: EnvironmentPromote,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Point the environment at the version `source` runs (staging to production, say).
    Audited (`agent.promoted`)."""
    return await environments.promote(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        source=body.source,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.post(
    "/{name}/rollback", operation_id="agents-environments-rollback", response_model=EnvironmentOut
)
async def roll_back_environment(
    agent_id: AgentId,
    name: Name,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Point the environment back at the version it ran before its last change; 409
    when it never changed. Audited (`agent.rolled_back`)."""
    return await environments.roll_back(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.put("/{name}/gate", operation_id="agents-environments-gate", response_model=EnvironmentOut)
async def gate_environment(
    agent_id: AgentId,
    name: Name,
    body: EnvironmentGate,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Gate the environment on one of the agent's eval suites: a version is set or
    promoted here only with a finished eval run of the suite (at its current revision)
    whose pass rate is no lower than the current version's, nor than `min_pass_rate`;
    409 `eval-gate-failed` otherwise. `suite_id: null` lifts the gate. Audited
    (`agent.environment_gated`)."""
    return await environments.set_gate(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        gate=body,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.get(
    "/{name}/split", operation_id="agents-environments-split-results", response_model=SplitResults
)
async def split_results(
    agent_id: AgentId, name: Name, access: AgentReader, session: SessionDep
) -> SplitResults:
    """The traffic split's two versions side by side over the runs that asked for the
    environment since the split began: runs, success rate, mean latency and cost,
    tokens. 409 `no-traffic-split` without a split."""
    return await environments.split_results(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id, name=name
    )


@router.put(
    "/{name}/split", operation_id="agents-environments-split", response_model=EnvironmentOut
)
async def split_environment(
    agent_id: AgentId,
    name: Name,
    body: EnvironmentSplit,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> EnvironmentOut:
    """Send `percent` of the runs that ask for the environment to another version (an
    A/B test; compare them with an eval run or the runs list filtered by version).
    `version: null` or `percent: 0` ends the split. Audited (`agent.environment_split`)."""
    return await environments.set_split(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        split=body,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.delete("/{name}", operation_id="agents-environments-delete", status_code=204)
async def delete_environment(
    agent_id: AgentId, name: Name, access: AgentWriter, session: SessionDep, origin: OriginDep
) -> Response:
    """Delete the environment; runs can no longer ask for it."""
    await environments.delete_environment(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        name=name,
        actor=actor_of(access, origin),
    )
    return Response(status_code=204)
