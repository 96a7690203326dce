"""Keyset pagination on a real table: every row once, stable ties, refused cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import Agent, AgentVersion
from luna.db.pagination import DEFAULT_LIMIT, Keyset, Page, PageRequest, Sort, paginate
from luna.errors import ValidationFailed
from luna.tenancy.models import Team, Workspace

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=UTC)
KEYSET = Keyset(
    {"name": Workspace.name, "created_at": Workspace.created_at}, id_column=Workspace.id
)
SORTS = ["name", "-name", "created_at", "-created_at"]


@pytest.fixture
async def session(app: FastAPI) -> AsyncIterator[AsyncSession]:
    async with app.state.resources.session_factory() as opened:
        yield opened


@pytest.fixture
async def team(session: AsyncSession) -> Team:
    """A team with seven workspaces, created in pairs that share a creation time."""
    team = Team(name="Paged")
    session.add(team)
    await session.flush()
    for index, name in enumerate(["delta", "alpha", "golf", "charlie", "echo", "bravo", "fox"]):
        moment = START + timedelta(minutes=index // 2)
        session.add(Workspace(team_id=team.id, name=name, created_at=moment, updated_at=moment))
    await session.commit()
    return team


def expected(workspaces: list[Workspace], sort: str) -> list[str]:
    field = sort.removeprefix("-")
    ordered = sorted(workspaces, key=lambda workspace: (getattr(workspace, field), workspace.id))
    return [workspace.id for workspace in (ordered[::-1] if sort.startswith("-") else ordered)]


async def read_all(session: AsyncSession, team: Team, sort: str, limit: int) -> list[list[str]]:
    """The ids of every page, in order."""
    statement = select(Workspace).where(Workspace.team_id == team.id)
    pages: list[list[str]] = []
    cursor = None
    while True:
        found = await paginate(
            session, statement, keyset=KEYSET, sort=sort, page=PageRequest(limit, cursor)
        )
        pages.append([workspace.id for (workspace,) in found.rows])
        cursor = found.next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("limit", [1, 2, 3, 6, 7, 8])
async def test_every_row_comes_once_in_order(
    session: AsyncSession, team: Team, sort: str, limit: int
) -> None:
    workspaces = list(await session.scalars(select(Workspace).where(Workspace.team_id == team.id)))
    pages = await read_all(session, team, sort, limit)
    assert [len(page) for page in pages[:-1]] == [limit] * (len(pages) - 1)
    assert 1 <= len(pages[-1]) <= limit
    assert [item for page in pages for item in page] == expected(workspaces, sort)


async def test_extra_columns_may_follow_the_entity(session: AsyncSession, team: Team) -> None:
    statement = (
        select(Workspace, Team.name)
        .join(Team, Team.id == Workspace.team_id)
        .where(Workspace.team_id == team.id)
    )
    first = await paginate(session, statement, keyset=KEYSET, sort="name", page=PageRequest(4))
    assert [(w.name, t) for w, t in first.rows][:2] == [("alpha", "Paged"), ("bravo", "Paged")]
    rest = await paginate(
        session, statement, keyset=KEYSET, sort="name", page=PageRequest(4, first.next_cursor)
    )
    assert [w.name for w, _ in rest.rows] == ["echo", "fox", "golf"]
    assert rest.next_cursor is None


async def test_rows_added_before_the_cursor_do_not_shift_the_next_page(
    session: AsyncSession, team: Team
) -> None:
    statement = select(Workspace).where(Workspace.team_id == team.id)
    first = await paginate(session, statement, keyset=KEYSET, sort="name", page=PageRequest(3))
    session.add(Workspace(team_id=team.id, name="aardvark"))
    await session.commit()
    rest = await paginate(
        session, statement, keyset=KEYSET, sort="name", page=PageRequest(3, first.next_cursor)
    )
    assert [w.name for (w,) in rest.rows] == ["delta", "echo", "fox"]


def cursor_of(content: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(content).encode()).decode().rstrip("=")


def valid(**changes: Any) -> str:
    content = {"sort": "created_at", "direction": "asc", "value": START.isoformat(), "id": "ws_1"}
    return cursor_of(content | changes)


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "e30",  # {}
        "%%%",
        cursor_of([1, 2]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        valid(sort="name"),
        valid(direction="desc"),
        valid(value="yesterday"),
        valid(value="2026-01-01T00:00:00"),  # no time zone
        valid(value="9999-12-31T23:59:59-14:00"),  # beyond the last instant in UTC
        valid(value=12),
        valid(value=None),
        valid(id=""),
        valid(id="ws_\u0000"),
        valid(id=7),
        valid(extra=True),
    ],
)
async def test_unusable_cursors_are_a_field_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        KEYSET.decode_cursor(cursor, Sort.parse("created_at"))
    assert refused.value.status == 422
    assert [error["name"] for error in refused.value.data["errors"]] == ["cursor"]


def test_cursor_values_are_checked_against_their_column() -> None:
    numbers = Keyset({"number": AgentVersion.number}, id_column=AgentVersion.id)
    names = Keyset({"name": Agent.name}, id_column=Agent.id)

    def decode(keyset: Keyset, sort: str, value: Any) -> Any:
        field, direction = sort.removeprefix("-"), "desc" if sort.startswith("-") else "asc"
        content = {"sort": field, "direction": direction, "value": value, "id": "x"}
        return keyset.decode_cursor(cursor_of(content), Sort.parse(sort)).value

    for bad in (2**31, -(2**31) - 1, True, "3", 1.5):
        with pytest.raises(ValidationFailed):
            decode(numbers, "-number", bad)
    assert decode(numbers, "-number", 3) == 3
    for bad in ("x" * 101, "a\u0000b", 5):
        with pytest.raises(ValidationFailed):
            decode(names, "name", bad)
    assert decode(names, "name", "x" * 100) == "x" * 100
    assert decode(KEYSET, "created_at", "2026-01-01T02:00:00+02:00") == START


def test_only_declared_fields_sort() -> None:
    assert KEYSET.sorts == ("name", "-name", "created_at", "-created_at")
    assert KEYSET.sort("-created_at") == Sort("created_at", descending=True)
    for text in ("team_id", "-id", "", "--name"):
        with pytest.raises(ValidationFailed) as refused:
            KEYSET.sort(text)
        assert refused.value.data["errors"][0]["name"] == "sort"
    with pytest.raises(TypeError):
        Keyset({"tags": Agent.tags}, id_column=Agent.id)
    with pytest.raises(ValueError, match="at least one"):
        Keyset({}, id_column=Agent.id)


def test_a_page_is_items_and_the_next_cursor() -> None:
    assert Page[int](items=[1, 2], next_cursor=None).model_dump() == {
        "items": [1, 2],
        "next_cursor": None,
    }
    assert PageRequest() == PageRequest(limit=DEFAULT_LIMIT, cursor=None)
    assert str(Sort.parse("-name")) == "-name"
    assert Sort.parse("name").direction == "asc"
