"""The agent service's rules, called directly: scoping, versions, races, deletion."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import get_args

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents import service
from luna.agents.catalog import load_catalog
from luna.agents.definition import AgentDefinition
from luna.agents.models import Agent, AgentVersion
from luna.agents.schemas import AgentCreate, AgentSort, AgentUpdate, VersionSort
from luna.db.pagination import PageRequest
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.providers.models import Provider
from luna.runs.models import Run
from tests.accounts import Account

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
async def session(app: FastAPI) -> AsyncIterator[AsyncSession]:
    async with app.state.resources.session_factory() as opened:
        yield opened


@pytest.fixture
async def account(sign_up) -> Account:
    made: Account = await sign_up()
    return made


async def make_agent(
    session: AsyncSession, account: Account, name: str = "Agent", instructions: str = "one"
) -> Agent:
    agent, _ = await service.create_agent(
        session=session,
        catalog=load_catalog(),
        workspace_id=account.workspace_id,
        user_id=account.user_id,
        request=AgentCreate(name=name, definition=AgentDefinition(instructions=instructions)),
        now=NOW,
    )
    return agent


async def test_the_chokepoint_hides_other_workspaces(
    session: AsyncSession, account: Account, sign_up
) -> None:
    agent = await make_agent(session, account)
    other: Account = await sign_up("other@example.com")
    for workspace_id, agent_id in [
        (other.workspace_id, agent.id),
        (account.workspace_id, "agt_missing"),
        (account.workspace_id, "agt_" + "x" * 100),
        (account.workspace_id, "agt_\x00"),
    ]:
        with pytest.raises(NotFound):
            await service.get_agent_for_workspace(
                session=session, workspace_id=workspace_id, agent_id=agent_id
            )
    found = await service.get_agent_for_workspace(
        session=session, workspace_id=account.workspace_id, agent_id=agent.id
    )
    assert found.id == agent.id


async def test_versions_record_their_author_and_the_clock(
    app: FastAPI, session: AsyncSession, account: Account
) -> None:
    agent = await make_agent(session, account)
    _, version = await service.update_agent(
        session=session,
        workspace_id=account.workspace_id,
        agent_id=agent.id,
        changes=AgentUpdate(definition=AgentDefinition(instructions="two")),
        expected_version=1,
        user_id=account.user_id,
        now=LATER,
    )
    assert (version.number, version.created_by_user_id) == (2, account.user_id)
    async with app.state.resources.session_factory() as fresh:
        stored = await fresh.get(Agent, agent.id)
        assert stored is not None
        assert (stored.created_at, stored.updated_at) == (NOW, LATER)
        assert stored.current_version_id == version.id
        assert stored.created_by_user_id == account.user_id


async def test_times_come_from_the_clock_even_when_unchanged(
    app: FastAPI, session: AsyncSession, account: Account
) -> None:
    async def stored_times() -> tuple[str, datetime, datetime]:
        async with app.state.resources.session_factory() as fresh:
            stored = await fresh.get(Agent, agent.id)
            assert stored is not None
            return stored.name, stored.created_at, stored.updated_at

    agent = await make_agent(session, account)
    assert await stored_times() == ("Agent", NOW, NOW)
    await service.update_agent(
        session=session,
        workspace_id=account.workspace_id,
        agent_id=agent.id,
        changes=AgentUpdate(name="Renamed"),
        expected_version=None,
        user_id=account.user_id,
        now=NOW,
    )
    assert await stored_times() == ("Renamed", NOW, NOW)


async def test_a_version_number_taken_meanwhile_is_a_conflict(
    app: FastAPI, session: AsyncSession, account: Account
) -> None:
    agent_id = (await make_agent(session, account)).id  # the failed write expires the object
    # Another request stored version 2 but has not yet pointed the agent at it.
    async with app.state.resources.session_factory() as other:
        other.add(
            AgentVersion(
                agent_id=agent_id,
                workspace_id=account.workspace_id,
                number=2,
                definition={"instructions": "theirs"},
            )
        )
        await other.commit()
    with pytest.raises(Conflict):
        await service.update_agent(
            session=session,
            workspace_id=account.workspace_id,
            agent_id=agent_id,
            changes=AgentUpdate(definition=AgentDefinition(instructions="mine")),
            expected_version=None,
            user_id=account.user_id,
            now=LATER,
        )
    _, version = await service.get_agent(
        session=session, workspace_id=account.workspace_id, agent_id=agent_id
    )
    assert (version.number, version.definition["instructions"]) == (1, "one")


async def test_restore_needs_the_versions_provider(
    app: FastAPI, session: AsyncSession, account: Account
) -> None:
    provider = Provider(workspace_id=account.workspace_id, name="Local", kind="openai")
    session.add(provider)
    await session.commit()
    definition = AgentDefinition.model_validate(
        {"instructions": "one", "model": {"provider_id": provider.id, "model": "gpt"}}
    )
    agent, _ = await service.create_agent(
        session=session,
        catalog=load_catalog(),
        workspace_id=account.workspace_id,
        user_id=account.user_id,
        request=AgentCreate(name="Modelled", definition=definition),
        now=NOW,
    )
    await service.update_agent(
        session=session,
        workspace_id=account.workspace_id,
        agent_id=agent.id,
        changes=AgentUpdate(definition=AgentDefinition(instructions="two")),
        expected_version=None,
        user_id=None,
        now=NOW,
    )
    await session.delete(provider)
    await session.commit()
    with pytest.raises(ValidationFailed) as refused:
        await service.restore_agent_version(
            session=session,
            workspace_id=account.workspace_id,
            agent_id=agent.id,
            number=1,
            expected_version=2,
            user_id=None,
            now=NOW,
        )
    assert refused.value.data["errors"][0]["name"] == "number"


async def test_template_names_skip_every_taken_one(session: AsyncSession, account: Account) -> None:
    catalog = load_catalog()
    persona = next(iter(catalog))
    await make_agent(session, account, name=persona.name)
    await make_agent(session, account, name=f"{persona.name} (3)")
    names = []
    for _ in range(2):
        agent, version = await service.create_agent(
            session=session,
            catalog=catalog,
            workspace_id=account.workspace_id,
            user_id=None,
            request=AgentCreate(template=persona.slug),
            now=NOW,
        )
        names.append(agent.name)
        assert version.definition["instructions"] == persona.instructions
    assert names == [f"{persona.name} (2)", f"{persona.name} (4)"]


async def test_delete_removes_every_version_unless_there_are_runs(
    session: AsyncSession, account: Account
) -> None:
    kept = await make_agent(session, account, name="Kept")
    gone = await make_agent(session, account, name="Gone")
    for agent in (kept, gone):
        await service.update_agent(
            session=session,
            workspace_id=account.workspace_id,
            agent_id=agent.id,
            changes=AgentUpdate(definition=AgentDefinition(instructions="two")),
            expected_version=None,
            user_id=None,
            now=NOW,
        )
    session.add(
        Run(
            workspace_id=account.workspace_id,
            agent_id=kept.id,
            agent_version_id=kept.current_version_id,
            input={},
        )
    )
    await session.commit()
    with pytest.raises(Conflict):
        await service.delete_agent(
            session=session, workspace_id=account.workspace_id, agent_id=kept.id
        )
    await service.delete_agent(session=session, workspace_id=account.workspace_id, agent_id=gone.id)
    rows = await session.execute(
        select(AgentVersion.agent_id, func.count()).group_by(AgentVersion.agent_id)
    )
    counts = {agent_id: count for agent_id, count in rows}
    assert counts == {kept.id: 2}


async def test_listing_text_is_matched_literally(session: AsyncSession, account: Account) -> None:
    for name in ("100% sure", "1000 sure", "snake_case", "snakeXcase"):
        await make_agent(session, account, name=name)

    async def names(text: str) -> list[str]:
        found = await service.list_agents(
            session=session,
            workspace_id=account.workspace_id,
            status="all",
            tag=None,
            text=text,
            sort="name",
            page=PageRequest(),
        )
        return [agent.name for agent, _ in found.rows]

    assert await names("0% S") == ["100% sure"]
    assert await names("e_c") == ["snake_case"]
    assert await names("SNAKE") == ["snakeXcase", "snake_case"]


def test_the_documented_sorts_are_the_ones_the_service_accepts() -> None:
    assert set(get_args(AgentSort)) == set(service.AGENT_KEYSET.sorts)
    assert set(get_args(VersionSort)) == set(service.VERSION_KEYSET.sorts)
