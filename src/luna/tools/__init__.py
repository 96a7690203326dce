"""Agent tools: the built-in tools, MCP servers, tool settings and knowledge documents."""
