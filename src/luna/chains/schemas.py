"""Request and response shapes of a workspace's chains, their versions and the presets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from luna.agents.catalog import Slug
from luna.agents.schemas import MAX_VERSION_NUMBER, AgentName, Description
from luna.chains.definition import ChainDefinition
from luna.chains.models import (
    Chain,
    ChainRun,
    ChainRunNode,
    ChainRunStatus,
    ChainVersion,
    NodeStatus,
)
from luna.chains.presets import Preset
from luna.db.pagination import Page
from luna.schemas import Money, RequestModel

ChainSort = Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]


class ChainCreate(RequestModel):
    """A new chain, from a preset or from a definition (exactly one of them).

    A preset's catalog agents are added to the workspace (or reused, when it has an
    agent made from the same one); its name defaults to the preset's.
    """

    model_config = ConfigDict(extra="forbid")

    preset: Slug | None = Field(None, description="The slug of a preset chain to copy.")
    definition: ChainDefinition | None = Field(
        None, validate_default=True, description="The chain's graph: its version 1."
    )
    name: AgentName | None = Field(None, validate_default=True)
    description: Description | None = None

    @field_validator("definition")
    @classmethod
    def _one_source(
        cls, definition: ChainDefinition | None, info: ValidationInfo
    ) -> ChainDefinition | None:
        if "preset" not in info.data:  # the preset is invalid and reported already
            return definition
        if (info.data["preset"] is None) == (definition is None):
            raise ValueError("give either a preset or a definition, not both or neither")
        return definition

    @field_validator("name")
    @classmethod
    def _named_definition(cls, name: str | None, info: ValidationInfo) -> str | None:
        from_definition = "preset" in info.data and info.data["preset"] is None
        if name is None and from_definition and info.data.get("definition") is not None:
            raise ValueError("a chain made from a definition needs a name")
        return name


class ChainUpdate(RequestModel):
    """Changes to a chain; absent fields stay as they are. A ``definition`` becomes a new
    version. A stale ``expected_version`` (or ``If-Match``) is refused with 409."""

    model_config = ConfigDict(extra="forbid")

    name: AgentName | None = None
    description: Description | None = None
    definition: ChainDefinition | None = None
    expected_version: int | None = Field(
        None,
        ge=1,
        le=MAX_VERSION_NUMBER,
        description="The current version number you based this change on.",
    )


class ChainOut(BaseModel):
    """A chain as lists show it."""

    id: str
    name: str
    description: str
    preset: str | None = Field(description="The preset it was copied from.")
    strategy: Literal["graph", "race", "vote", "debate"] = Field(
        description="`graph` for a chain; the strategy of a swarm."
    )
    current_version: int
    node_count: int
    created_by_user_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, chain: Chain, version: ChainVersion) -> ChainOut:
        return cls(
            id=chain.id,
            name=chain.name,
            description=chain.description,
            preset=chain.preset,
            strategy=version.definition.get("strategy", "graph"),
            current_version=version.number,
            node_count=len(version.definition.get("nodes", [])),
            created_by_user_id=chain.created_by_user_id,
            created_at=chain.created_at,
            updated_at=chain.updated_at,
        )


class ChainDetail(ChainOut):
    """A chain with the graph of its current version."""

    definition: ChainDefinition

    @classmethod
    def with_version(cls, chain: Chain, version: ChainVersion) -> ChainDetail:
        summary = ChainOut.of(chain, version)
        return cls(**summary.model_dump(), definition=_definition(version.definition))


class ChainVersionOut(BaseModel):
    """One immutable version of a chain, as version lists show it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    chain_id: str
    number: int
    created_by_user_id: str | None
    created_at: datetime


class ChainVersionDetail(ChainVersionOut):
    """One immutable version of a chain with its graph."""

    definition: ChainDefinition

    @classmethod
    def of(cls, version: ChainVersion) -> ChainVersionDetail:
        summary = ChainVersionOut.model_validate(version)
        return cls(**summary.model_dump(), definition=_definition(version.definition))


class ChainPresetOut(BaseModel):
    """A preset chain: its catalog agents, each feeding the next."""

    slug: str
    name: str
    description: str
    definition: ChainDefinition

    @classmethod
    def of(cls, preset: Preset) -> ChainPresetOut:
        return cls(
            slug=preset.slug,
            name=preset.name,
            description=preset.description,
            definition=preset.definition(),
        )


class ChainPage(Page[ChainOut]):
    """A page of chains."""


class ChainVersionPage(Page[ChainVersionOut]):
    """A page of a chain's versions, newest first unless sorted otherwise."""


class ChainPresetPage(Page[ChainPresetOut]):
    """Every preset chain, on one page (`next_cursor` is null)."""


def _definition(stored: dict[str, Any]) -> ChainDefinition:
    return ChainDefinition.model_validate(stored)


class ChainRunCreate(RequestModel):
    """What the chain is asked: the input of its first nodes (``{{input}}`` in prompts)."""

    model_config = ConfigDict(extra="forbid")

    input: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]

    @field_validator("input")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a chain run needs an input: write what it should do")
        return value


class NodeDecision(RequestModel):
    """Whether a node that waits for approval may run."""

    model_config = ConfigDict(extra="forbid")

    approved: bool = Field(description="`false` skips the node and what follows it.")


class ChainRunNodeOut(BaseModel):
    """One node of a chain run; ``run_id`` opens the run of its agent once it started."""

    model_config = ConfigDict(from_attributes=True)

    node_id: str
    status: NodeStatus
    run_id: str | None
    started_at: datetime | None
    finished_at: datetime | None
    approved: bool | None = Field(description="The decision on a node that waits for one.")
    decided_by_user_id: str | None
    decided_at: datetime | None


class ChainRunOut(BaseModel):
    """A chain run, its nodes, and the tokens and cost of its node runs together."""

    id: str
    chain_id: str
    chain_version: int
    status: ChainRunStatus
    input: str
    output: dict[str, Any] | None = Field(
        description="The answers of the nodes no other node follows, by node id."
    )
    error: dict[str, Any] | None
    created_by_user_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    tokens_in: int
    tokens_out: int
    cost_usd: Money
    nodes: list[ChainRunNodeOut]

    @classmethod
    def of(cls, run: ChainRun, version: int, nodes: list[ChainRunNode]) -> ChainRunOut:
        return cls(
            id=run.id,
            chain_id=run.chain_id,
            chain_version=version,
            status=ChainRunStatus(run.status),
            input=run.input,
            output=run.output,
            error=run.error,
            created_by_user_id=run.created_by_user_id,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            cost_usd=run.cost_usd,
            nodes=[ChainRunNodeOut.model_validate(node) for node in nodes],
        )


class ChainRunPage(Page[ChainRunOut]):
    """A page of chain runs, newest first."""
