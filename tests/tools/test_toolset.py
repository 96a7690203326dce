"""The contract with the run engine: the tool context and the toolsets of a definition,
exercised with Pydantic AI agents on scripted models."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic_ai import Agent, DeferredToolRequests, DeferredToolResults
from pydantic_ai.mcp import MCPToolset
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.toolsets import FunctionToolset
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.agents.definition import AgentDefinition
from luna.db.base import utcnow
from luna.db.engine import create_engine, create_session_factory
from luna.settings import Settings
from luna.tenancy.models import Team, Workspace
from luna.tools import service
from luna.tools.errors import DestinationRefused, ToolNotAllowed
from luna.tools.schemas import KnowledgeDocumentCreate, ToolSettingsUpdate
from luna.tools.toolset import ToolContext, build_toolsets, load_tool_context
from tests.tools import mcp_calc_server

pytestmark = pytest.mark.anyio
SessionFactory = async_sessionmaker[AsyncSession]
Call = tuple[str, dict[str, Any]]


def scripted(*calls: Call) -> FunctionModel:
    """A model that makes ``calls`` at once, then answers with what the tools returned."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        parts = last.parts if isinstance(last, ModelRequest) else []
        results = [
            part.model_response_str() if isinstance(part, ToolReturnPart) else part.model_response()
            for part in parts
            if isinstance(part, ToolReturnPart | RetryPromptPart)
        ]
        if not results:
            return ModelResponse(parts=[ToolCallPart(name, args) for name, args in calls])
        return ModelResponse(parts=[TextPart(" | ".join(results))])

    return FunctionModel(respond)


def definition(**fields: Any) -> AgentDefinition:
    return AgentDefinition.model_validate({"instructions": "Use your tools."} | fields)


@pytest.fixture
async def session_factory(settings: Settings) -> AsyncIterator[SessionFactory]:
    engine = create_engine(settings)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def workspace_id(session_factory: SessionFactory) -> str:
    async with session_factory() as session:
        team = Team(name="Tools")
        session.add(team)
        await session.flush()
        workspace = Workspace(team_id=team.id, name="Main")
        session.add(workspace)
        await session.commit()
        return workspace.id


@pytest.fixture
def context(session_factory: SessionFactory, workspace_id: str) -> ToolContext:
    return ToolContext(
        workspace_id=workspace_id,
        session_factory=session_factory,
        http_allowed_hosts=(),
        allow_private_networks=False,
        mcp_stdio_allowed=False,
    )


def with_changes(context: ToolContext, **changes: Any) -> ToolContext:
    values = {name: getattr(context, name) for name in ToolContext.__dataclass_fields__}
    return ToolContext(**(values | changes))


async def test_load_tool_context_reads_the_workspace_settings(
    session_factory: SessionFactory, workspace_id: str, settings: Settings
) -> None:
    loaded = await load_tool_context(
        session_factory=session_factory, workspace_id=workspace_id, settings=settings
    )
    assert loaded.http_allowed_hosts == ()
    assert (loaded.allow_private_networks, loaded.mcp_stdio_allowed) == (False, False)
    async with session_factory() as session:
        await service.update_tool_settings(
            session=session,
            workspace_id=workspace_id,
            changes=ToolSettingsUpdate(http_allowed_hosts=["docs.example.com", "*.example.org"]),
            user_id=None,
            now=utcnow(),
        )
    permissive = settings.model_copy(
        update={"tools_allow_private_networks": True, "mcp_stdio_allowed": True}
    )
    loaded = await load_tool_context(
        session_factory=session_factory, workspace_id=workspace_id, settings=permissive
    )
    assert loaded.http_allowed_hosts == ("docs.example.com", "*.example.org")
    assert (loaded.allow_private_networks, loaded.mcp_stdio_allowed) == (True, True)
    assert (loaded.workspace_id, loaded.session_factory) == (workspace_id, session_factory)


async def test_the_toolset_holds_exactly_the_selected_tools(context: ToolContext) -> None:
    chosen = ["text_stats", "http_fetch", "current_time", "knowledge_search"]
    toolsets = build_toolsets(
        definition(tools=[{"name": name} for name in chosen]), context=context
    )
    assert len(toolsets) == 1
    assert isinstance(toolsets[0], FunctionToolset)
    assert sorted(toolsets[0].tools) == sorted(chosen)
    schemas = {name: tool.tool_def for name, tool in toolsets[0].tools.items()}
    fetch_schema = schemas["http_fetch"].parameters_json_schema
    assert sorted(fetch_schema["properties"]) == ["method", "url"]
    assert fetch_schema["properties"]["method"]["enum"] == ["GET", "HEAD"]
    assert "allow-list" not in (schemas["http_fetch"].description or "")
    assert list(schemas["current_time"].parameters_json_schema["properties"]) == ["timezone"]
    limit = schemas["knowledge_search"].parameters_json_schema["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 20)
    assert (
        "IANA"
        in schemas["current_time"].parameters_json_schema["properties"]["timezone"]["description"]
    )
    assert build_toolsets(definition(), context=context)[0].tools == {}


async def test_an_agent_calls_the_calculator_and_gets_the_result(context: ToolContext) -> None:
    toolsets = build_toolsets(definition(tools=[{"name": "calculator"}]), context=context)
    agent = Agent(scripted(("calculator", {"expression": "6 * (3 + 4)"})), toolsets=toolsets)
    result = await agent.run("What is 6 times 7?")
    assert result.output == "42"


async def test_tool_errors_go_back_to_the_model(context: ToolContext) -> None:
    toolsets = build_toolsets(
        definition(tools=[{"name": "calculator"}, {"name": "http_fetch"}]), context=context
    )
    calls = [
        ("calculator", {"expression": "__import__('os')"}),
        ("http_fetch", {"url": "https://example.com/"}),
    ]
    agent = Agent(scripted(*calls), toolsets=toolsets)
    answer = (await agent.run("Try.")).output
    assert "is not allowed; use numbers" in answer
    assert "example.com is not on this workspace's list of hosts" in answer


async def test_a_tool_requiring_approval_pauses_the_run_until_approved(
    context: ToolContext,
) -> None:
    toolsets = build_toolsets(
        definition(tools=[{"name": "calculator", "requires_approval": True}]), context=context
    )
    agent = Agent(
        scripted(("calculator", {"expression": "2 ** 5"})),
        toolsets=toolsets,
        output_type=[str, DeferredToolRequests],
    )
    paused = await agent.run("Compute.")
    assert isinstance(paused.output, DeferredToolRequests)
    [call] = paused.output.approvals
    assert (call.tool_name, call.args_as_dict()) == ("calculator", {"expression": "2 ** 5"})
    resumed = await agent.run(
        message_history=paused.all_messages(),
        deferred_tool_results=DeferredToolResults(approvals={call.tool_call_id: True}),
    )
    assert resumed.output == "32"


async def test_the_knowledge_search_tool_finds_the_workspace_documents(
    context: ToolContext,
) -> None:
    async with context.session_factory() as session:
        for title, content in [("Refunds", "Refunds take five days."), ("Team", "We are ten.")]:
            await service.create_document(
                session=session,
                workspace_id=context.workspace_id,
                user_id=None,
                request=KnowledgeDocumentCreate(title=title, content=content),
                now=utcnow(),
            )
    toolsets = build_toolsets(definition(tools=[{"name": "knowledge_search"}]), context=context)
    agent = Agent(scripted(("knowledge_search", {"query": "refund"})), toolsets=toolsets)
    answer = (await agent.run("How long do refunds take?")).output
    assert '"title":"Refunds"' in answer
    assert "**Refunds** take five days" in answer
    assert "Team" not in answer


async def test_stdio_mcp_servers_are_refused_unless_the_operator_allows_them(
    context: ToolContext,
) -> None:
    server = {"name": "local", "transport": "stdio", "command": "/bin/true"}
    with pytest.raises(ToolNotAllowed) as refused:
        build_toolsets(definition(mcp_servers=[server]), context=context)
    assert (refused.value.status, refused.value.code) == (422, "tool-not-allowed")
    assert refused.value.data == {"server": "local"}
    allowed = build_toolsets(
        definition(mcp_servers=[server]), context=with_changes(context, mcp_stdio_allowed=True)
    )
    assert len(allowed) == 2


def mcp_leaf(toolset: Any) -> MCPToolset[None]:
    """The MCPToolset under the prefix and approval wrappers."""
    while not isinstance(toolset, MCPToolset):
        toolset = toolset.wrapped
    return toolset


async def test_an_http_mcp_toolset_is_built_for_the_server_url(context: ToolContext) -> None:
    server = {"name": "search", "transport": "http", "url": "https://mcp.example.com/mcp"}
    [_, toolset] = build_toolsets(definition(mcp_servers=[server]), context=context)
    leaf = mcp_leaf(toolset)
    assert leaf.client.transport.url == "https://mcp.example.com/mcp"
    assert leaf.id == "mcp-search"


@pytest.fixture
def mcp_url() -> Iterator[str]:
    """The URL of a local MCP server over streamable HTTP, for the length of a test."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(mcp_calc_server.http_app(), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


async def test_an_agent_calls_a_tool_of_an_http_mcp_server(
    context: ToolContext, mcp_url: str
) -> None:
    server = {"name": "calc", "transport": "http", "url": mcp_url}
    allowed = with_changes(context, allow_private_networks=True)
    toolsets = build_toolsets(definition(mcp_servers=[server]), context=allowed)
    agent = Agent(scripted(("calc_add", {"a": 2, "b": 3})), toolsets=toolsets)
    assert (await agent.run("Add.")).output == "5"


async def test_an_http_mcp_server_on_a_private_address_is_refused(
    context: ToolContext, mcp_url: str
) -> None:
    server = {"name": "calc", "transport": "http", "url": mcp_url}
    toolsets = build_toolsets(definition(mcp_servers=[server]), context=context)
    agent = Agent(scripted(("calc_add", {"a": 2, "b": 3})), toolsets=toolsets)
    with pytest.raises(RuntimeError, match="Client failed to connect") as refused:
        await agent.run("Add.")
    assert isinstance(refused.value.__cause__, DestinationRefused)
    assert "127.0.0.1 is a private or reserved address" in str(refused.value.__cause__)


async def test_mcp_tools_listed_for_approval_wait_for_it(
    context: ToolContext, mcp_url: str
) -> None:
    server = {
        "name": "calc",
        "transport": "http",
        "url": mcp_url,
        "tools_requiring_approval": ["shout"],
    }
    allowed = with_changes(context, allow_private_networks=True)
    toolsets = build_toolsets(definition(mcp_servers=[server]), context=allowed)
    calls = [("calc_add", {"a": 1, "b": 1}), ("calc_shout", {"text": "hi"})]
    agent = Agent(scripted(*calls), toolsets=toolsets, output_type=[str, DeferredToolRequests])
    paused = await agent.run("Go.")
    assert isinstance(paused.output, DeferredToolRequests)
    assert [call.tool_name for call in paused.output.approvals] == ["calc_shout"]
    [call] = paused.output.approvals
    resumed = await agent.run(
        message_history=paused.all_messages(),
        deferred_tool_results=DeferredToolResults(approvals={call.tool_call_id: True}),
    )
    assert resumed.output in ("2 | HI", "HI | 2")


async def test_an_agent_calls_a_tool_of_an_allowed_stdio_mcp_server(
    context: ToolContext,
) -> None:
    script = Path(mcp_calc_server.__file__)
    server = {
        "name": "local",
        "transport": "stdio",
        "command": sys.executable,
        "args": [str(script)],
    }
    allowed = with_changes(context, mcp_stdio_allowed=True)
    toolsets = build_toolsets(definition(mcp_servers=[server]), context=allowed)
    agent = Agent(scripted(("local_shout", {"text": "quiet"})), toolsets=toolsets)
    assert (await agent.run("Shout.")).output == "QUIET"
