"""A small MCP server for the tools tests: over stdio when run as a script, or over
streamable HTTP through :func:`http_app`."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from starlette.applications import Starlette

server = MCPServer("calc")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@server.tool()
def shout(text: str) -> str:
    """The text in capitals."""
    return text.upper()


def http_app() -> Starlette:
    """The server over streamable HTTP, at /mcp."""
    return server.streamable_http_app()


if __name__ == "__main__":
    server.run("stdio")
