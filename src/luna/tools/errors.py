"""Errors of the tools domain, part of Luna's one error hierarchy."""

from __future__ import annotations

from luna.errors import LunaError


class ToolNotAllowed(LunaError):
    """An agent asks for a tool this installation or workspace does not allow (a stdio
    MCP server where the operator has not allowed local commands, for example)."""

    code = "tool-not-allowed"
    status = 422
    title = "Tool Not Allowed"


class DestinationRefused(ToolNotAllowed):
    """A tool was about to connect to an address the network policy refuses: a private,
    loopback, link-local or otherwise non-public address, or a cloud metadata endpoint."""

    code = "destination-refused"
