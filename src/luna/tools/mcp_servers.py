"""The toolset of one MCP server an agent definition names.

A streamable HTTP server is reached through :class:`~luna.tools.network.PinnedTransport`,
so the public-address rule of ``http_fetch`` holds for it too (its host needs no place
on the ``http_fetch`` allow-list: a writer of the workspace chose the server). A stdio
server runs a local command on the worker, which only the operator may allow. Its
tools are named ``<server>_<tool>``; the calls the definition lists under
``tools_requiring_approval`` wait for a member's approval.
"""

from __future__ import annotations

from typing import Any, Final

import httpx2
from fastmcp.client.transports import ClientTransport, StdioTransport, StreamableHttpTransport
from pydantic_ai.mcp import MCPToolset
from pydantic_ai.tools import RunContext, ToolDefinition
from pydantic_ai.toolsets import AbstractToolset

from luna.agents.definition import McpServer
from luna.tools.errors import ToolNotAllowed
from luna.tools.network import PinnedTransport

ALL_TOOLS: Final = "*"
# MCP calls may stream for long; connecting may not.
_HTTP_TIMEOUT: Final = httpx2.Timeout(30.0, read=300.0)


def build_mcp_toolset(
    server: McpServer, *, allow_private_networks: bool, stdio_allowed: bool
) -> AbstractToolset[None]:
    """The toolset of ``server``: its tools prefixed with its name, those listed in
    ``tools_requiring_approval`` (``*``: all) deferred for approval. A stdio server is
    refused with ToolNotAllowed unless ``stdio_allowed``."""
    toolset: MCPToolset[None] = MCPToolset(
        _transport(server, allow_private_networks=allow_private_networks, stdio=stdio_allowed),
        # A stable id: DBOS names the server's steps after it.
        id=f"mcp-{server.name}",
    )
    needing_approval = frozenset(server.tools_requiring_approval)
    prefix = f"{server.name}_"

    def requires_approval(
        context: RunContext[None], tool: ToolDefinition, arguments: dict[str, Any]
    ) -> bool:
        names = {ALL_TOOLS, tool.name, prefix + tool.name}
        return not needing_approval.isdisjoint(names)

    return toolset.approval_required(requires_approval).prefixed(server.name)


def _transport(server: McpServer, *, allow_private_networks: bool, stdio: bool) -> ClientTransport:
    if server.transport == "stdio":
        if not stdio:
            raise ToolNotAllowed(
                f"The MCP server {server.name!r} runs a local command, which this "
                "installation does not allow (LUNA_MCP_STDIO_ALLOWED).",
                server=server.name,
            )
        assert server.command is not None  # noqa: S101  (McpServer checks it)
        # The command gets the MCP SDK's short list of safe environment variables,
        # never the worker's secrets, and stops when the run's session ends.
        return StdioTransport(command=server.command, args=list(server.args), keep_alive=False)
    return StreamableHttpTransport(
        str(server.url), httpx_client_factory=_pinned_client_factory(allow_private_networks)
    )


def _pinned_client_factory(allow_private_networks: bool) -> Any:
    """An ``httpx_client_factory`` whose clients connect through PinnedTransport."""

    def create_client(
        headers: dict[str, str] | None = None,
        timeout: httpx2.Timeout | None = None,
        auth: httpx2.Auth | None = None,
        follow_redirects: bool = True,
    ) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            headers=headers,
            timeout=timeout or _HTTP_TIMEOUT,
            auth=auth,
            follow_redirects=follow_redirects,
            transport=PinnedTransport(allow_private_networks=allow_private_networks),
            trust_env=False,
        )

    return create_client
