"""What an agent is made of: Luna's own validated agent schema.

Tenants never hand Luna a raw Pydantic AI agent spec (it could ask for file-system
access or local MCP scripts). They fill this schema; the runtime builds the agent from
it. Every version of an agent stores one ``AgentDefinition``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from luna.agents.catalog import ToolName
from luna.schemas import RequestModel

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_INSTRUCTIONS = 100_000
# How deep objects and arrays may nest in a document a tenant sends (a schema, a run's
# input): far more than any real one needs, and far from the depth at which serialising
# it, validating against it or logging it breaks.
MAX_JSON_DEPTH: Final = 64


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest in ``value`` more than ``limit`` levels deep.
    Walks one level at a time, without recursion, so any depth is safe to check."""
    level = [value]
    for _ in range(limit + 1):
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            return False
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return True


def _within_depth(document: dict[str, Any]) -> dict[str, Any]:
    if json_depth_exceeds(document, MAX_JSON_DEPTH):
        raise ValueError(f"objects and arrays nest more than {MAX_JSON_DEPTH} levels deep")
    return document


JsonObject = Annotated[dict[str, Any], AfterValidator(_within_depth)]
"""A JSON object from a tenant, its nesting bounded by :data:`MAX_JSON_DEPTH`."""


class ModelSettings(RequestModel):
    """Sampling settings passed to the model; unset means the provider's default."""

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1, le=200_000)
    thinking_budget: int | None = Field(
        None, ge=1024, le=128_000, description="Tokens for extended thinking (Anthropic)."
    )


class ModelChoice(RequestModel):
    """Which model runs the agent: a provider of the workspace and one of its models."""

    model_config = ConfigDict(extra="forbid")

    provider_id: ShortText
    model: ShortText
    settings: ModelSettings = Field(default_factory=ModelSettings)


class ToolChoice(RequestModel):
    """A built-in tool the agent may call."""

    model_config = ConfigDict(extra="forbid")

    name: ToolName
    requires_approval: bool = Field(
        False, description="Pause the run until a member approves each call."
    )


class McpServer(RequestModel):
    """An MCP server whose tools the agent may call. ``stdio`` servers run a local
    command and are refused unless the operator allows them."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
    transport: Literal["http", "stdio"]
    url: AnyHttpUrl | None = None
    command: ShortText | None = None
    args: list[Annotated[str, StringConstraints(max_length=500)]] = Field(
        default_factory=list, max_length=20
    )
    tools_requiring_approval: list[ShortText] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _transport_has_its_target(self) -> Self:
        if self.transport == "http" and (self.url is None or self.command is not None):
            raise ValueError("an http MCP server needs a url and no command")
        if self.transport == "stdio" and (self.command is None or self.url is not None):
            raise ValueError("a stdio MCP server needs a command and no url")
        return self


class AgentDefinition(RequestModel):
    """An agent's behaviour: instructions, model, tools, MCP servers, input and output shapes."""

    model_config = ConfigDict(extra="forbid")

    instructions: Annotated[str, StringConstraints(min_length=1, max_length=MAX_INSTRUCTIONS)]
    model: ModelChoice | None = Field(
        None, description="Absent: the workspace's default provider and its default model."
    )
    tools: list[ToolChoice] = Field(default_factory=list, max_length=20)
    mcp_servers: list[McpServer] = Field(default_factory=list, max_length=10)
    input_schema: JsonObject | None = Field(
        None,
        description="JSON Schema the run input must match (an object schema, nested at "
        f"most {MAX_JSON_DEPTH} levels deep).",
    )
    output_schema: JsonObject | None = Field(
        None,
        description="JSON Schema of a structured output (an object schema, nested at most "
        f"{MAX_JSON_DEPTH} levels deep).",
    )
    cache_ttl_seconds: int | None = Field(
        None,
        ge=60,
        le=7 * 24 * 3600,
        description="Answer a run with the answer of an earlier one of this version on the "
        "same input, given this many seconds ago at most, without calling the model. "
        "Absent: every run calls the model.",
    )

    @model_validator(mode="after")
    def _names_are_unique(self) -> Self:
        tools = [tool.name for tool in self.tools]
        servers = [server.name for server in self.mcp_servers]
        if len(set(tools)) != len(tools):
            raise ValueError("a tool is listed twice")
        if len(set(servers)) != len(servers):
            raise ValueError("two MCP servers have the same name")
        for schema in (self.input_schema, self.output_schema):
            if schema is not None and schema.get("type") != "object":
                raise ValueError("input and output schemas must be JSON Schemas of type object")
        return self
