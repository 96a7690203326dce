"""A workspace's chains and their immutable versions.

Every chain is loaded through :func:`get_chain_for_workspace`, which answers NotFound
alike for a chain that does not exist and for one of another workspace. A new graph never
edits a version: it adds version N+1 and points the chain at it, so a chain run keeps
the graph it ran and any version can be restored. A graph is checked whole before it is
stored (:func:`luna.chains.definition.graph_errors`), and every node must name an active
agent of the workspace; a node given as a catalog template gets the workspace's agent
made from it, or a new one, counted against the plan like any agent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from luna.agents.catalog import Catalog
from luna.agents.models import Agent
from luna.agents.service import agent_for_template, check_model_provider
from luna.chains.definition import ChainDefinition, graph_errors
from luna.chains.models import CHAIN_RUN_FINISHED, Chain, ChainRun, ChainVersion
from luna.chains.presets import PRESETS
from luna.chains.schemas import ChainCreate, ChainUpdate
from luna.chains.swarms import SWARM_STRATEGIES, strategy_errors
from luna.db.ids import new_id
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.db.versions import VersionHistory, free_name
from luna.db.writes import conflicts_as, touch
from luna.errors import Conflict, NotFound, ValidationFailed

CHAIN_KEYSET: Final = Keyset(
    {"name": Chain.name, "created_at": Chain.created_at, "updated_at": Chain.updated_at},
    id_column=Chain.id,
)
VERSION_KEYSET: Final = Keyset({"number": ChainVersion.number}, id_column=ChainVersion.id)
VERSIONS: Final = VersionHistory[Chain, ChainVersion](
    ChainVersion, ChainVersion.chain_id, prefix="chv", noun="chain"
)


async def get_chain_for_workspace(
    *, session: AsyncSession, workspace_id: str, chain_id: str, for_update: bool = False
) -> Chain:
    """The workspace's chain with this id; NotFound if it is missing or another
    workspace's. ``for_update`` locks the row (PostgreSQL) until the transaction ends."""
    missing = NotFound(f"No chain {chain_id} in this workspace.")
    return await get_in_workspace(
        session,
        Chain,
        workspace_id=workspace_id,
        object_id=chain_id,
        missing=missing,
        for_update=for_update,
    )


async def get_chain(
    *, session: AsyncSession, workspace_id: str, chain_id: str
) -> tuple[Chain, ChainVersion]:
    """A chain of the workspace and its current version."""
    chain = await get_chain_for_workspace(
        session=session, workspace_id=workspace_id, chain_id=chain_id
    )
    return chain, await VERSIONS.current(session, chain)


async def list_chains(
    *,
    session: AsyncSession,
    workspace_id: str,
    text: str | None,
    sort: str,
    page: PageRequest,
    kind: str | None = None,
) -> Slice[Chain, ChainVersion]:
    """A page of the workspace's chains with their current versions, optionally those
    whose name or description holds ``text`` (any case), or only chains or swarms
    (``kind``)."""
    statement = (
        select(Chain, ChainVersion)
        .join(ChainVersion, ChainVersion.id == Chain.current_version_id)
        .where(Chain.workspace_id == workspace_id)
    )
    if kind is not None:
        statement = statement.where(_of_kind(kind))
    if text:
        statement = statement.where(
            or_(
                Chain.name.icontains(text, autoescape=True),
                Chain.description.icontains(text, autoescape=True),
            )
        )
    return await paginate(session, statement, keyset=CHAIN_KEYSET, sort=sort, page=page)


def _of_kind(kind: str) -> ColumnElement[bool]:
    strategy = ChainVersion.definition["strategy"].as_string()
    swarm: ColumnElement[bool] = strategy.in_(SWARM_STRATEGIES)
    if kind == "swarm":
        return swarm
    return or_(strategy.is_(None), ~swarm)


async def create_chain(
    *,
    session: AsyncSession,
    catalog: Catalog,
    workspace_id: str,
    user_id: str | None,
    request: ChainCreate,
    now: datetime,
) -> tuple[Chain, ChainVersion]:
    """Create a chain and its version 1, from a preset or a definition."""
    if request.preset is not None:
        preset = PRESETS.get(request.preset)
        if preset is None:
            raise ValidationFailed(
                f"There is no preset chain '{request.preset}'.",
                errors=[{"in": "body", "pointer": "#/preset", "message": "Unknown preset."}],
            )
        definition = preset.definition()
        name = request.name or await free_name(
            session, Chain.name, Chain.workspace_id == workspace_id, preset.name
        )
        description = preset.description if request.description is None else request.description
    else:
        if request.definition is None or request.name is None:
            raise ValidationFailed("Give a preset, or a name and a definition.")
        definition, name = request.definition, request.name
        description = request.description or ""
    await _ensure_name_free(session, workspace_id, name)
    resolved = await _resolved(session, catalog, workspace_id, definition, user_id, now)
    chain = Chain(
        id=new_id("chn"),
        workspace_id=workspace_id,
        name=name,
        description=description,
        preset=request.preset,
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    async with conflicts_as(session, _name_taken(name)):
        session.add(chain)
        await session.flush()
        version = await VERSIONS.add(session, chain, resolved, user_id, now)
        await session.commit()
    return chain, version


async def update_chain(
    *,
    session: AsyncSession,
    catalog: Catalog,
    workspace_id: str,
    chain_id: str,
    changes: ChainUpdate,
    expected_version: int | None,
    user_id: str | None,
    now: datetime,
) -> tuple[Chain, ChainVersion]:
    """Rename or describe a chain, and with a definition add a new current version."""
    chain = await get_chain_for_workspace(
        session=session, workspace_id=workspace_id, chain_id=chain_id, for_update=True
    )
    current = await VERSIONS.current(session, chain)
    VERSIONS.check_expected(current, expected_version, changes.expected_version)
    if changes.name is not None and changes.name != chain.name:
        await _ensure_name_free(session, workspace_id, changes.name)
    resolved = None
    if changes.definition is not None:
        resolved = await _resolved(session, catalog, workspace_id, changes.definition, user_id, now)
    async with conflicts_as(session, VERSIONS.concurrent_change()):
        changed = False
        for field in ("name", "description"):
            value = getattr(changes, field)
            if value is not None and getattr(chain, field) != value:
                setattr(chain, field, value)
                changed = True
        if changed:
            touch(chain, now)
        if resolved is not None:
            current = await VERSIONS.add(session, chain, resolved, user_id, now, after=current)
        await session.commit()
    return chain, current


async def delete_chain(*, session: AsyncSession, workspace_id: str, chain_id: str) -> None:
    """Delete a chain, its versions and its finished runs (the runs of its nodes stay).
    A chain with runs under way is refused with 409: cancel them, or let them finish."""
    chain = await get_chain_for_workspace(
        session=session, workspace_id=workspace_id, chain_id=chain_id, for_update=True
    )
    under_way = await session.scalar(
        select(
            exists().where(
                ChainRun.chain_id == chain.id, ChainRun.status.not_in(CHAIN_RUN_FINISHED)
            )
        )
    )
    if under_way:
        raise Conflict(
            "This chain has runs under way; cancel them or let them finish, then delete it.",
            reason="chain-runs-under-way",
        )
    # Versions first; the database clears the chain's pointer to them (ON DELETE SET NULL).
    await session.execute(delete(ChainVersion).where(ChainVersion.chain_id == chain.id))
    await session.execute(delete(Chain).where(Chain.id == chain.id))
    await session.commit()


async def list_chain_versions(
    *, session: AsyncSession, workspace_id: str, chain_id: str, sort: str, page: PageRequest
) -> Slice[ChainVersion]:
    """A page of a chain's versions."""
    chain = await get_chain_for_workspace(
        session=session, workspace_id=workspace_id, chain_id=chain_id
    )
    statement = select(ChainVersion).where(VERSIONS.of_owner(chain.id, workspace_id))
    return await paginate(session, statement, keyset=VERSION_KEYSET, sort=sort, page=page)


async def get_chain_version(
    *, session: AsyncSession, workspace_id: str, chain_id: str, number: int
) -> ChainVersion:
    """One version of a chain, by number."""
    chain = await get_chain_for_workspace(
        session=session, workspace_id=workspace_id, chain_id=chain_id
    )
    return await VERSIONS.get(session, chain, number)


async def restore_chain_version(
    *,
    session: AsyncSession,
    catalog: Catalog,
    workspace_id: str,
    chain_id: str,
    number: int,
    expected_version: int | None,
    user_id: str | None,
    now: datetime,
) -> tuple[Chain, ChainVersion]:
    """Roll back: add a new current version with the graph of version ``number``,
    checked again (an agent it names may have been archived or deleted since)."""
    chain = await get_chain_for_workspace(
        session=session, workspace_id=workspace_id, chain_id=chain_id, for_update=True
    )
    current = await VERSIONS.current(session, chain)
    VERSIONS.check_expected(current, expected_version)
    source = await VERSIONS.get(session, chain, number)
    definition = ChainDefinition.model_validate(source.definition)
    resolved = await _resolved(session, catalog, workspace_id, definition, user_id, now)
    async with conflicts_as(session, VERSIONS.concurrent_change()):
        version = await VERSIONS.add(session, chain, resolved, user_id, now, after=current)
        await session.commit()
    return chain, version


async def _resolved(
    session: AsyncSession,
    catalog: Catalog,
    workspace_id: str,
    definition: ChainDefinition,
    user_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    """The definition as stored: its graph checked, and every node naming an active agent
    of the workspace (a template node gets one)."""
    errors = graph_errors(definition) or strategy_errors(definition, at="#/definition/strategy")
    if errors:
        raise ValidationFailed(
            f"The chain is not valid: {errors[0]['message']}", errors=errors, cycle=_cycle(errors)
        )
    nodes = []
    for index, node in enumerate(definition.nodes):
        at = f"#/definition/nodes/{index}"
        if node.template is not None:
            if node.template not in catalog:
                message = f"There is no catalog agent '{node.template}'."
                raise ValidationFailed(
                    message,
                    errors=[{"in": "body", "pointer": f"{at}/template", "message": message}],
                )
            agent = await agent_for_template(
                session=session,
                catalog=catalog,
                workspace_id=workspace_id,
                slug=node.template,
                user_id=user_id,
                now=now,
            )
            node = node.model_copy(update={"agent_id": agent.id, "template": None})
        else:
            await _check_agent(session, workspace_id, node.agent_id or "", at=f"{at}/agent_id")
        if node.model is not None:
            where = {"in": "body", "pointer": f"{at}/model/provider_id"}
            await check_model_provider(session, workspace_id, node.model, at=where)
        nodes.append(node)
    stored = definition.model_copy(update={"nodes": nodes})
    return stored.model_dump(mode="json", exclude_none=True)


def _cycle(errors: list[dict[str, Any]]) -> list[str] | None:
    message = str(errors[0]["message"])
    prefix = "The chain has a cycle: "
    if not message.startswith(prefix):
        return None
    return message.removeprefix(prefix).rstrip(".").split(" → ")


async def _check_agent(session: AsyncSession, workspace_id: str, agent_id: str, *, at: str) -> None:
    status = await session.scalar(
        select(Agent.status).where(Agent.id == agent_id, Agent.workspace_id == workspace_id)
    )
    if status is None:
        message = f"No agent {agent_id} in this workspace."
    elif status != "active":
        message = f"The agent {agent_id} is archived; activate it or choose another."
    else:
        return
    raise ValidationFailed(message, errors=[{"in": "body", "pointer": at, "message": message}])


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"A chain named '{name}' already exists in this workspace.",
        errors=[{"in": "body", "pointer": "#/name", "message": "This name is taken."}],
    )


async def _ensure_name_free(session: AsyncSession, workspace_id: str, name: str) -> None:
    taken = await session.scalar(
        select(exists().where(Chain.workspace_id == workspace_id, Chain.name == name))
    )
    if taken:
        raise _name_taken(name)
