"""Tools that depend on the world outside a run record their I/O as DBOS steps when a
workflow calls them, so that a recovered run replays the result instead of redoing it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOS, SetWorkflowID

from luna.db.base import utcnow
from luna.db.engine import create_engine, create_session_factory
from luna.settings import Settings
from luna.tenancy.models import Team, Workspace
from luna.tools import service
from luna.tools.schemas import KnowledgeDocumentCreate
from luna.tools.toolset import ToolContext, builtin_tools, run_as_step

pytestmark = pytest.mark.anyio

# The tool context the test workflow uses; workflow arguments must be serialisable.
CONTEXT: dict[str, ToolContext] = {}
CALLS: list[str] = []


async def _probe(label: str) -> str:
    CALLS.append(label)
    return f"did {label}"


@DBOS.workflow(name="luna.tests.tools.use_tools")
async def use_tools_workflow() -> dict[str, Any]:
    tools = builtin_tools(CONTEXT["current"])
    hits = await tools["knowledge_search"]("refund")
    now = await tools["current_time"]("Europe/Paris")
    probe = await run_as_step("luna.tests.tools.probe", _probe, "io")
    return {"titles": [hit.title for hit in hits], "timezone": now.timezone, "probe": probe}


@pytest.fixture
async def dbos(tmp_path: Path) -> AsyncIterator[None]:
    """DBOS launched in this process on a system database of the test's own."""
    DBOS(
        config={
            "name": "luna-tools-tests",
            "system_database_url": f"sqlite:///{tmp_path / 'dbos.sqlite'}",
            "enable_otlp": False,
            "log_level": "WARNING",
        }
    )
    await asyncio.to_thread(DBOS.launch)
    try:
        yield
    finally:
        await asyncio.to_thread(DBOS.destroy)


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[ToolContext]:
    engine = create_engine(settings)
    session_factory = create_session_factory(engine)
    async with session_factory() as session:
        team = Team(name="Durable")
        session.add(team)
        await session.flush()
        workspace = Workspace(team_id=team.id, name="Main")
        session.add(workspace)
        await session.commit()
        await service.create_document(
            session=session,
            workspace_id=workspace.id,
            user_id=None,
            request=KnowledgeDocumentCreate(title="Refunds", content="Refunds take a week."),
            now=utcnow(),
        )
    yield ToolContext(
        workspace_id=workspace.id,
        session_factory=session_factory,
        http_allowed_hosts=(),
        allow_private_networks=False,
        mcp_stdio_allowed=False,
    )
    await engine.dispose()


async def test_outside_a_workflow_tools_just_run(context: ToolContext) -> None:
    CALLS.clear()
    assert await run_as_step("luna.tests.tools.probe", _probe, "plain") == "did plain"
    hits = await builtin_tools(context)["knowledge_search"]("refund")
    assert [hit.title for hit in hits] == ["Refunds"]
    assert CALLS == ["plain"]


async def test_inside_a_workflow_tool_io_is_recorded_as_steps(
    dbos: None, context: ToolContext
) -> None:
    CONTEXT["current"] = context
    CALLS.clear()
    with SetWorkflowID("tools-durable-1"):
        result = await use_tools_workflow()
    assert result == {"titles": ["Refunds"], "timezone": "Europe/Paris", "probe": "did io"}
    steps = await DBOS.list_workflow_steps_async("tools-durable-1")
    assert [step["function_name"] for step in steps] == [
        "luna.tools.knowledge_search",
        "luna.tools.current_time",
        "luna.tests.tools.probe",
    ]
    # Running the same workflow again replays it: no step executes a second time.
    with SetWorkflowID("tools-durable-1"):
        again = await use_tools_workflow()
    assert again == result
    assert CALLS == ["io"]
