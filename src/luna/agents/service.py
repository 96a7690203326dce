"""A workspace's agents and their immutable versions.

Every agent is loaded through :func:`get_agent_for_workspace`, which answers NotFound
alike for an agent that does not exist and for one of another workspace. A change of
definition never edits a version: it adds version N+1 and points the agent at it, so
runs keep the exact definition they ran with and any version can be restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Text, cast, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.catalog import Catalog, CatalogAgent
from luna.agents.definition import AgentDefinition, ModelChoice, ToolChoice
from luna.agents.models import Agent, AgentVersion
from luna.agents.schemas import AgentCreate, AgentUpdate, StatusFilter
from luna.cache import TwoLevelCache
from luna.db.ids import new_id
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.db.versions import VersionHistory, free_name
from luna.db.writes import conflicts_as, touch
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.plans.entitlements import check_entitlement
from luna.providers.models import Provider
from luna.runs.models import Run
from luna.tenancy.models import Team, Workspace
from luna.tenancy.service import lock_team, team_of_workspace
from luna.tools.errors import ToolNotAllowed

AGENT_KEYSET: Final = Keyset(
    {"name": Agent.name, "created_at": Agent.created_at, "updated_at": Agent.updated_at},
    id_column=Agent.id,
)
VERSION_KEYSET: Final = Keyset({"number": AgentVersion.number}, id_column=AgentVersion.id)
VERSIONS: Final = VersionHistory[Agent, AgentVersion](
    AgentVersion, AgentVersion.agent_id, prefix="agv", noun="agent"
)
_PROVIDER_IN_BODY: Final = {"in": "body", "pointer": "#/definition/model/provider_id"}


async def get_agent_for_workspace(
    *, session: AsyncSession, workspace_id: str, agent_id: str, for_update: bool = False
) -> Agent:
    """The workspace's agent with this id; NotFound if it is missing or another
    workspace's. ``for_update`` locks the row (PostgreSQL) until the transaction ends."""
    missing = NotFound(f"No agent {agent_id} in this workspace.")
    return await get_in_workspace(
        session,
        Agent,
        workspace_id=workspace_id,
        object_id=agent_id,
        missing=missing,
        for_update=for_update,
    )


async def get_agent(
    *, session: AsyncSession, workspace_id: str, agent_id: str
) -> tuple[Agent, AgentVersion]:
    """An agent of the workspace and its current version."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    return agent, await VERSIONS.current(session, agent)


async def list_agents(
    *,
    session: AsyncSession,
    workspace_id: str,
    status: StatusFilter,
    tag: str | None,
    text: str | None,
    sort: str,
    page: PageRequest,
) -> Slice[Agent, int]:
    """A page of the workspace's agents with their current version numbers: of a status
    (or all), carrying a tag, whose name or description holds ``text`` (any case)."""
    statement = (
        select(Agent, AgentVersion.number)
        .join(AgentVersion, AgentVersion.id == Agent.current_version_id)
        .where(Agent.workspace_id == workspace_id)
    )
    if status != "all":
        statement = statement.where(Agent.status == status)
    if tag:
        # Tags are kebab-case slugs, so the quoted tag occurs in the stored JSON array
        # exactly when the array holds it, on SQLite and PostgreSQL alike.
        statement = statement.where(cast(Agent.tags, Text).contains(f'"{tag}"', autoescape=True))
    if text:
        statement = statement.where(
            or_(
                Agent.name.icontains(text, autoescape=True),
                Agent.description.icontains(text, autoescape=True),
            )
        )
    return await paginate(session, statement, keyset=AGENT_KEYSET, sort=sort, page=page)


async def create_agent(
    *,
    session: AsyncSession,
    catalog: Catalog,
    workspace_id: str,
    user_id: str | None,
    request: AgentCreate,
    now: datetime,
    mcp_stdio_allowed: bool = True,
) -> tuple[Agent, AgentVersion]:
    """Create an agent and its version 1, from a catalog template or a definition."""
    if request.definition is not None:
        check_tools_allowed(request.definition, mcp_stdio_allowed=mcp_stdio_allowed)
    if request.template is not None:
        new = await _from_template(session, workspace_id, catalog, request, request.template)
    else:
        new = await _from_definition(session, workspace_id, request)
    await _ensure_name_free(session, workspace_id, new.name)
    await _check_plan_allows(session, workspace_id, catalog, request.template, now)
    agent = Agent(
        id=new_id("agt"),
        workspace_id=workspace_id,
        name=new.name,
        description=new.description,
        tags=new.tags,
        template_slug=request.template,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    async with conflicts_as(session, _name_taken(new.name)):
        session.add(agent)
        await session.flush()
        definition = new.definition.model_dump(mode="json")
        version = await VERSIONS.add(session, agent, definition, user_id, now)
        await session.commit()
    return agent, version


async def update_agent(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    changes: AgentUpdate,
    expected_version: int | None,
    user_id: str | None,
    now: datetime,
    mcp_stdio_allowed: bool = True,
) -> tuple[Agent, AgentVersion]:
    """Change an agent's name, description, tags or status, and with a definition add
    a new current version. A stale ``expected_version`` (the ``If-Match`` header) or
    ``changes.expected_version`` is refused with Conflict."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id, for_update=True
    )
    current = await VERSIONS.current(session, agent)
    VERSIONS.check_expected(current, expected_version, changes.expected_version)
    if changes.name is not None and changes.name != agent.name:
        await _ensure_name_free(session, workspace_id, changes.name)
    if changes.definition is not None:
        check_tools_allowed(changes.definition, mcp_stdio_allowed=mcp_stdio_allowed)
        await check_definition_provider(
            session, workspace_id, changes.definition, at=_PROVIDER_IN_BODY
        )
    if changes.status == "active" and agent.status != "active":
        team = await team_of_workspace(session=session, workspace_id=workspace_id)
        await _check_room_for_an_active_agent(session, team, now)
    async with conflicts_as(session, VERSIONS.concurrent_change()):
        if _apply_fields(agent, changes):
            touch(agent, now)
        if changes.definition is not None:
            definition = changes.definition.model_dump(mode="json")
            current = await VERSIONS.add(session, agent, definition, user_id, now, after=current)
        await session.commit()
    return agent, current


def persona_definition(persona: CatalogAgent) -> AgentDefinition:
    """The definition an agent copied from a catalog persona starts with."""
    return AgentDefinition(
        instructions=persona.instructions, tools=[ToolChoice(name=tool) for tool in persona.tools]
    )


async def add_sample_agent(
    *, session: AsyncSession, workspace_id: str, persona: CatalogAgent, user_id: str, now: datetime
) -> tuple[Agent, AgentVersion]:
    """A copy of a catalog persona for a demo workspace, in the caller's transaction (not
    committed). No plan check: a demo workspace's agents never count towards the plan."""
    agent = Agent(
        id=new_id("agt"),
        workspace_id=workspace_id,
        name=persona.name,
        description=persona.summary,
        tags=list(persona.tags),
        template_slug=persona.slug,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(agent)
    await session.flush()
    definition = persona_definition(persona).model_dump(mode="json")
    version = await VERSIONS.add(session, agent, definition, user_id, now)
    return agent, version


async def agent_for_template(
    *,
    session: AsyncSession,
    catalog: Catalog,
    workspace_id: str,
    slug: str,
    user_id: str | None,
    now: datetime,
) -> Agent:
    """The workspace's active agent made from catalog persona ``slug`` (the oldest, when
    there are several), or a new one, checked against the plan like any new agent; in the
    caller's transaction (not committed)."""
    found = await session.scalar(
        select(Agent)
        .where(
            Agent.workspace_id == workspace_id,
            Agent.template_slug == slug,
            Agent.status == "active",
        )
        .order_by(Agent.created_at, Agent.id)
        .limit(1)
    )
    if found is not None:
        return found
    persona = catalog.get(slug)
    await _check_plan_allows(session, workspace_id, catalog, slug, now)
    name = await free_name(session, Agent.name, Agent.workspace_id == workspace_id, persona.name)
    agent = Agent(
        id=new_id("agt"),
        workspace_id=workspace_id,
        name=name,
        description=persona.summary,
        tags=list(persona.tags),
        template_slug=slug,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(agent)
    await session.flush()
    await VERSIONS.add(
        session, agent, persona_definition(persona).model_dump(mode="json"), user_id, now
    )
    return agent


async def list_agent_versions(
    *, session: AsyncSession, workspace_id: str, agent_id: str, sort: str, page: PageRequest
) -> Slice[AgentVersion]:
    """A page of an agent's versions."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    statement = select(AgentVersion).where(VERSIONS.of_owner(agent.id, workspace_id))
    return await paginate(session, statement, keyset=VERSION_KEYSET, sort=sort, page=page)


async def get_agent_version(
    *, session: AsyncSession, workspace_id: str, agent_id: str, number: int
) -> AgentVersion:
    """One version of an agent, by number."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    return await version_of_agent(session, agent, number)


async def restore_agent_version(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    number: int,
    expected_version: int | None,
    user_id: str | None,
    now: datetime,
) -> tuple[Agent, AgentVersion]:
    """Roll back: add a new current version with the definition of version ``number``.
    History is never rewritten; the restored version stays where it was."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id, for_update=True
    )
    current = await VERSIONS.current(session, agent)
    VERSIONS.check_expected(current, expected_version)
    source = await version_of_agent(session, agent, number)
    definition = AgentDefinition.model_validate(source.definition)
    await check_definition_provider(
        session, workspace_id, definition, at={"in": "path", "name": "number"}
    )
    async with conflicts_as(session, VERSIONS.concurrent_change()):
        version = await VERSIONS.add(
            session, agent, dict(source.definition), user_id, now, after=current
        )
        await session.commit()
    return agent, version


async def delete_agent(*, session: AsyncSession, workspace_id: str, agent_id: str) -> None:
    """Delete an agent and its versions. Runs keep the versions they ran, so an agent
    that has runs is refused with Conflict: archive it instead."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id, for_update=True
    )
    has_runs = await session.scalar(
        select(exists().where(Run.agent_id == agent.id, Run.workspace_id == workspace_id))
    )
    if has_runs:
        raise Conflict(
            "This agent has runs, which keep the versions they ran; archive it instead "
            '(PATCH it with {"status": "archived"}).',
            reason="agent-has-runs",
        )
    # Versions first; the database clears the agent's pointer to them (ON DELETE SET NULL).
    await session.execute(delete(AgentVersion).where(AgentVersion.agent_id == agent.id))
    await session.execute(delete(Agent).where(Agent.id == agent.id))
    await session.commit()


@dataclass(frozen=True)
class _NewAgent:
    name: str
    description: str
    tags: list[str]
    definition: AgentDefinition


async def _from_template(
    session: AsyncSession, workspace_id: str, catalog: Catalog, request: AgentCreate, slug: str
) -> _NewAgent:
    """A persona's instructions and tools; its name (made unique), summary and tags
    unless the request gives its own."""
    if slug not in catalog:
        raise ValidationFailed(
            f"There is no catalog agent '{slug}'.",
            errors=[{"in": "body", "pointer": "#/template", "message": "Unknown template."}],
        )
    persona = catalog.get(slug)
    return _NewAgent(
        name=request.name
        or await free_name(session, Agent.name, Agent.workspace_id == workspace_id, persona.name),
        description=persona.summary if request.description is None else request.description,
        tags=list(persona.tags) if request.tags is None else request.tags,
        definition=persona_definition(persona),
    )


async def _check_plan_allows(
    session: AsyncSession, workspace_id: str, catalog: Catalog, template: str | None, now: datetime
) -> None:
    """402 unless the team's plan has room for one more active agent and, for a
    persona of a paid plan, includes the full catalog."""
    team = await team_of_workspace(session=session, workspace_id=workspace_id)
    if template is not None and catalog.get(template).plan != "starter":
        await check_entitlement(session=session, team=team, entitlement="catalog-agents", now=now)
    await _check_room_for_an_active_agent(session, team, now)


async def _check_room_for_an_active_agent(session: AsyncSession, team: Team, now: datetime) -> None:
    await lock_team(session, team.id)
    used = await count_active_agents(session, team.id)
    await check_entitlement(
        session=session, team=team, entitlement="active-agents", now=now, used=used
    )


async def count_active_agents(session: AsyncSession, team_id: str) -> int:
    """The team's active agents, outside demo workspaces (what its plan limits)."""
    statement = (
        select(func.count())
        .select_from(Agent)
        .join(Workspace, Workspace.id == Agent.workspace_id)
        .where(Workspace.team_id == team_id, Workspace.demo.is_(False), Agent.status == "active")
    )
    return int(await session.scalar(statement) or 0)


async def _from_definition(
    session: AsyncSession, workspace_id: str, request: AgentCreate
) -> _NewAgent:
    if request.definition is None or request.name is None:
        raise ValidationFailed("Give a template, or a name and a definition.")
    await check_definition_provider(session, workspace_id, request.definition, at=_PROVIDER_IN_BODY)
    return _NewAgent(
        name=request.name,
        description=request.description or "",
        tags=request.tags or [],
        definition=request.definition,
    )


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"An agent named '{name}' already exists in this workspace.",
        errors=[{"in": "body", "pointer": "#/name", "message": "This name is taken."}],
    )


async def _ensure_name_free(session: AsyncSession, workspace_id: str, name: str) -> None:
    taken = await session.scalar(
        select(exists().where(Agent.workspace_id == workspace_id, Agent.name == name))
    )
    if taken:
        raise _name_taken(name)


def check_tools_allowed(
    definition: AgentDefinition, *, mcp_stdio_allowed: bool, at: str = "#/definition"
) -> None:
    """Refuse, as the agent is saved, an MCP server that runs a local command where the
    operator does not allow it (a run refuses it too, for agents saved before)."""
    if mcp_stdio_allowed:
        return
    for index, server in enumerate(definition.mcp_servers):
        if server.transport == "stdio":
            message = (
                f"The MCP server {server.name!r} runs a local command, which this "
                "installation does not allow (LUNA_MCP_STDIO_ALLOWED)."
            )
            pointer = f"{at}/mcp_servers/{index}/transport"
            raise ToolNotAllowed(message, errors=[{"in": "body", "pointer": pointer}])


async def check_definition_provider(
    session: AsyncSession, workspace_id: str, definition: AgentDefinition, *, at: dict[str, str]
) -> None:
    """A definition may only name a provider of its own workspace; ``at`` locates the
    definition's provider id in the request, for the field error."""
    if definition.model is not None:
        await check_model_provider(session, workspace_id, definition.model, at=at)


async def check_model_provider(
    session: AsyncSession, workspace_id: str, model: ModelChoice, *, at: dict[str, str]
) -> None:
    """A model choice may only name a provider of its own workspace; ``at`` locates the
    provider id in the request, for the field error."""
    provider_id = model.provider_id
    found = "\x00" not in provider_id and await session.scalar(
        select(exists().where(Provider.id == provider_id, Provider.workspace_id == workspace_id))
    )
    if not found:
        message = f"No provider {provider_id} in this workspace."
        raise ValidationFailed(message, errors=[{**at, "message": message}])


def _apply_fields(agent: Agent, changes: AgentUpdate) -> bool:
    """Copy the given fields onto the agent; whether any of them changed it."""
    given = changes.model_dump(include={"name", "description", "tags", "status"})
    changed = {
        field: value
        for field, value in given.items()
        if value is not None and getattr(agent, field) != value
    }
    for field, value in changed.items():
        setattr(agent, field, value)
    return bool(changed)


async def version_of_agent(
    session: AsyncSession, agent: Agent, number: int, *, at: dict[str, str] | None = None
) -> AgentVersion:
    """Version ``number`` of the agent: 404, or 422 at ``at`` (a request field naming it)."""
    version = await VERSIONS.numbered(session, agent, number)
    if version is None:
        message = f"Agent {agent.id} has no version {number}."
        if at is not None:
            raise ValidationFailed(message, errors=[{**at, "message": message}])
        raise NotFound(message)
    return version


async def version_definition(
    *, session: AsyncSession, version_id: str, cache: TwoLevelCache | None
) -> AgentDefinition | None:
    """What an agent version defines. Versions never change once written (an edit makes
    a new one), so a cached copy is always right and needs no invalidation."""

    async def load() -> dict[str, Any] | None:
        version = await session.get(AgentVersion, version_id)
        return None if version is None else version.definition

    raw = await load() if cache is None else await cache.get_or_load(version_id, load)
    return None if raw is None else AgentDefinition.model_validate(raw)
