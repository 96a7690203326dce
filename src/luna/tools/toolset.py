"""What the run engine calls to give an agent its tools.

``load_tool_context`` reads, once per run, what a workspace's tools depend on;
``build_toolsets`` turns an agent definition into Pydantic AI toolsets: one
``FunctionToolset`` of the built-in tools it selects (each deferred for approval when
its ``ToolChoice`` says so) and one toolset per MCP server.

Tools whose result depends on the world outside the run (the clock, the network, the
database) run their I/O as a DBOS step when called from a workflow's own code, so that a
recovered run reuses the recorded result instead of fetching again; elsewhere they just
run. No tool runs code a tenant supplied.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, ParamSpec, TypeVar

from dbos import DBOS
from pydantic import Field
from pydantic_ai.toolsets import AbstractToolset, FunctionToolset
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.agents.catalog import ToolName
from luna.agents.definition import AgentDefinition
from luna.db.base import utcnow
from luna.settings import Settings
from luna.tools import builtin, service
from luna.tools.errors import ToolNotAllowed
from luna.tools.http_fetch import FetchResult, HttpMethod, fetch
from luna.tools.knowledge import search_knowledge
from luna.tools.schemas import MAX_SEARCH_RESULTS, KnowledgeHit

__all__ = [
    "BUILTIN_TOOLSET_ID",
    "ToolContext",
    "ToolNotAllowed",
    "build_toolsets",
    "builtin_tools",
    "load_tool_context",
    "run_as_step",
]

BUILTIN_TOOLSET_ID: Final = "luna-builtin"
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ToolContext:
    """What a run's tools may use: its workspace, the database, the hosts ``http_fetch``
    may reach, and the operator's network and stdio MCP allowances."""

    workspace_id: str
    session_factory: async_sessionmaker[AsyncSession]
    http_allowed_hosts: tuple[str, ...]
    allow_private_networks: bool
    mcp_stdio_allowed: bool


async def load_tool_context(
    *, session_factory: async_sessionmaker[AsyncSession], workspace_id: str, settings: Settings
) -> ToolContext:
    """The tool context of a run in ``workspace_id``, with its current tool settings."""
    async with session_factory() as session:
        hosts = await service.allowed_hosts(session=session, workspace_id=workspace_id)
    return ToolContext(
        workspace_id=workspace_id,
        session_factory=session_factory,
        http_allowed_hosts=hosts,
        allow_private_networks=settings.tools_allow_private_networks,
        mcp_stdio_allowed=settings.mcp_stdio_allowed,
    )


def build_toolsets(
    definition: AgentDefinition, *, context: ToolContext
) -> list[AbstractToolset[None]]:
    """The toolsets of an agent: its built-in tools, then one per MCP server. A stdio
    MCP server is refused with ToolNotAllowed unless the operator allows them."""
    functions = builtin_tools(context)
    toolset: FunctionToolset[None] = FunctionToolset(id=BUILTIN_TOOLSET_ID)
    for choice in definition.tools:
        toolset.add_function(
            functions[choice.name], name=choice.name, requires_approval=choice.requires_approval
        )
    if not definition.mcp_servers:
        return [toolset]
    # The MCP client stack is heavy to import; only agents with MCP servers need it.
    from luna.tools.mcp_servers import build_mcp_toolset

    servers = [
        build_mcp_toolset(
            server,
            allow_private_networks=context.allow_private_networks,
            stdio_allowed=context.mcp_stdio_allowed,
        )
        for server in definition.mcp_servers
    ]
    return [toolset, *servers]


async def run_as_step(
    name: str, function: Callable[P, Coroutine[Any, Any, R]], *args: P.args, **kwargs: P.kwargs
) -> R:
    """``function(*args, **kwargs)``, as a DBOS step named ``name`` when called from a
    workflow's own code (not from inside a step), plainly otherwise."""
    if DBOS.workflow_id is not None and DBOS.step_id is None:
        return await DBOS.run_step_async({"name": name}, function, *args, **kwargs)
    return await function(*args, **kwargs)


def builtin_tools(context: ToolContext) -> dict[ToolName, Callable[..., Any]]:
    """Every built-in tool, those that do I/O bound to ``context``."""

    async def http_fetch(url: str, method: HttpMethod = "GET") -> FetchResult:
        """Fetch a web page or an API response over HTTP(S): the status, the content type
        and the body as text (at most 256 KiB). Only hosts the workspace allows are
        reached.

        Args:
            url: The http:// or https:// URL.
            method: GET for the body, HEAD for the status and headers only.
        """
        return await run_as_step(
            "luna.tools.http_fetch",
            fetch,
            url,
            method,
            allowed_hosts=context.http_allowed_hosts,
            allow_private_networks=context.allow_private_networks,
        )

    async def knowledge_search(
        query: str, limit: Annotated[int, Field(ge=1, le=MAX_SEARCH_RESULTS)] = 5
    ) -> list[KnowledgeHit]:
        """Search the workspace's knowledge documents; the best matches come first, each
        with a snippet in which the matched words are in **bold**.

        Args:
            query: Words to look for; documents with more of them rank higher.
            limit: How many documents to return, at most 20.
        """
        return await run_as_step("luna.tools.knowledge_search", _search, context, query, limit)

    async def current_time(timezone: str = "UTC") -> builtin.CurrentTime:
        """The current date and time.

        Args:
            timezone: An IANA time zone such as `Europe/Paris` or `America/New_York`.
        """
        now = await run_as_step("luna.tools.current_time", _now)
        return builtin.current_time(timezone, now=now)

    return {
        "calculator": builtin.calculator,
        "current_time": current_time,
        "json_query": builtin.json_query,
        "text_stats": builtin.text_stats,
        "http_fetch": http_fetch,
        "knowledge_search": knowledge_search,
    }


async def _search(context: ToolContext, query: str, limit: int) -> list[KnowledgeHit]:
    async with context.session_factory() as session:
        return await search_knowledge(
            session=session, workspace_id=context.workspace_id, query=query, limit=limit
        )


async def _now() -> datetime:
    return utcnow()
