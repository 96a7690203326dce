"""Request and response shapes of a workspace's agents and their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from luna.agents.catalog import Slug, Tag
from luna.agents.definition import AgentDefinition
from luna.agents.models import Agent, AgentVersion
from luna.db.pagination import Page
from luna.schemas import Money, RequestModel

# No control characters: names show in lists, logs and file names of exports.
AgentName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Description = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Tags = Annotated[list[Tag], Field(max_length=20)]
AgentStatus = Literal["active", "archived"]
StatusFilter = Literal["active", "archived", "all"]
AgentSort = Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]
VersionSort = Literal["number", "-number"]
MAX_VERSION_NUMBER: Final = 2**31 - 1
"""The largest version number an agent can reach (a 32-bit column)."""


def _unique_tags(tags: list[str] | None) -> list[str] | None:
    if tags is not None and len(set(tags)) != len(tags):
        raise ValueError("a tag is listed twice")
    return tags


class AgentCreate(RequestModel):
    """A new agent, from a catalog template or from a definition (exactly one of them).

    From a template, the persona's instructions and tools become version 1, and the name,
    description and tags default to the persona's (a taken name gets " (2)", " (3)"...).
    From a definition, ``name`` is required.
    """

    model_config = ConfigDict(extra="forbid")

    template: Slug | None = Field(None, description="The slug of a catalog agent to copy.")
    definition: AgentDefinition | None = Field(
        None, validate_default=True, description="What the agent does: its version 1."
    )
    name: AgentName | None = Field(None, validate_default=True)
    description: Description | None = None
    tags: Tags | None = None

    _tags_are_unique = field_validator("tags")(_unique_tags)

    @field_validator("definition")
    @classmethod
    def _one_source(
        cls, definition: AgentDefinition | None, info: ValidationInfo
    ) -> AgentDefinition | None:
        if "template" not in info.data:  # the template is invalid and reported already
            return definition
        if (info.data["template"] is None) == (definition is None):
            raise ValueError("give either a template or a definition, not both or neither")
        return definition

    @field_validator("name")
    @classmethod
    def _named_definition(cls, name: str | None, info: ValidationInfo) -> str | None:
        from_definition = "template" in info.data and info.data["template"] is None
        if name is None and from_definition and info.data.get("definition") is not None:
            raise ValueError("an agent made from a definition needs a name")
        return name


class AgentUpdate(RequestModel):
    """Changes to an agent; absent fields stay as they are.

    ``name``, ``description``, ``tags`` and ``status`` change the agent itself; a
    ``definition`` becomes a new version, which the agent then runs. Send the version you
    edited as ``expected_version`` (or in ``If-Match``) to be refused with 409 when
    someone else changed the agent since.
    """

    model_config = ConfigDict(extra="forbid")

    name: AgentName | None = None
    description: Description | None = None
    tags: Tags | None = None
    status: AgentStatus | None = Field(None, description="`archived` hides it from lists.")
    definition: AgentDefinition | None = None
    expected_version: int | None = Field(
        None,
        ge=1,
        le=MAX_VERSION_NUMBER,
        description="The current version number you based this change on.",
    )

    _tags_are_unique = field_validator("tags")(_unique_tags)


class AgentOut(BaseModel):
    """An agent as lists show it, with the number of the version it runs."""

    id: str
    name: str
    description: str
    status: AgentStatus
    tags: list[str]
    template_slug: str | None = Field(description="The catalog agent it was made from.")
    current_version: int = Field(description="The number of the version the agent runs.")
    created_by_user_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, agent: Agent, version_number: int) -> AgentOut:
        """The summary of an agent whose current version has this number."""
        return cls(
            id=agent.id,
            name=agent.name,
            description=agent.description,
            status=agent.status,
            tags=[str(tag) for tag in agent.tags],
            template_slug=agent.template_slug,
            current_version=version_number,
            created_by_user_id=agent.created_by_user_id,
            created_at=agent.created_at,
            updated_at=agent.updated_at,
        )


class AgentDetail(AgentOut):
    """An agent with the definition of its current version."""

    definition: AgentDefinition

    @classmethod
    def with_version(cls, agent: Agent, version: AgentVersion) -> AgentDetail:
        """An agent and its current version."""
        summary = AgentOut.of(agent, version.number)
        return cls(**summary.model_dump(), definition=_definition(version.definition))


class AgentVersionOut(BaseModel):
    """One immutable version of an agent, as version lists show it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    agent_id: str
    number: int
    created_by_user_id: str | None
    created_at: datetime


class AgentVersionDetail(AgentVersionOut):
    """One immutable version of an agent with its definition."""

    definition: AgentDefinition

    @classmethod
    def of(cls, version: AgentVersion) -> AgentVersionDetail:
        """The full version."""
        summary = AgentVersionOut.model_validate(version)
        return cls(**summary.model_dump(), definition=_definition(version.definition))


class AgentPage(Page[AgentOut]):
    """A page of agents."""


class AgentVersionPage(Page[AgentVersionOut]):
    """A page of an agent's versions, newest first unless sorted otherwise."""


def _definition(stored: dict[str, Any]) -> AgentDefinition:
    return AgentDefinition.model_validate(stored)


ENVIRONMENT_PATTERN: Final = r"^[a-z][a-z0-9-]{0,39}$"
EnvironmentName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=ENVIRONMENT_PATTERN),
    Field(
        description="A lower-case name: `development`, `staging`, `production` or the "
        "workspace's own (letters, digits and dashes).",
        examples=["production"],
    ),
]


class EnvironmentSet(RequestModel):
    """Point an environment at a version of the agent (made when missing)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The version number.", examples=[3])


class EnvironmentPromote(RequestModel):
    """Point an environment at the version another environment runs."""

    model_config = ConfigDict(extra="forbid")

    source: EnvironmentName = Field(description="The environment whose version is promoted.")


class EnvironmentOut(BaseModel):
    """An environment of an agent and the version it runs."""

    name: str
    version: int
    version_id: str
    previous_version: int | None = Field(
        description="The version it ran before its last change: what a roll back restores."
    )
    updated_at: datetime
    updated_by_user_id: str | None
    gate_suite_id: str | None = Field(
        None, description="The eval suite a version must pass to come here (the gate)."
    )
    gate_min_pass_rate: float | None = None
    split_version: int | None = Field(
        None, description="The version a share of this environment's runs try instead."
    )
    split_percent: int = Field(0, description="That share, in percent.")
    split_since: datetime | None = Field(None, description="When the split began.")


class EnvironmentPage(Page[EnvironmentOut]):
    """An agent's environments, by name, all on one page (`next_cursor` is null)."""


class EnvironmentGate(RequestModel):
    """The release gate of an environment: a version comes in only with a finished eval
    run of the suite whose pass rate is no lower than the current version's."""

    model_config = ConfigDict(extra="forbid")

    suite_id: str | None = Field(
        None, max_length=40, description="The suite; null removes the gate."
    )
    min_pass_rate: float | None = Field(
        None, ge=0, le=1, description="A floor the pass rate must also reach (0 to 1)."
    )


class EnvironmentSplit(RequestModel):
    """A traffic split: this share of the runs asking for the environment run another
    version, for an A/B comparison."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, le=1_000_000, description="null ends the split.")
    percent: int = Field(0, ge=0, le=100)


class SplitArm(BaseModel):
    """One version's runs since the split began."""

    version: int
    share_percent: int = Field(description="The share of the runs the split sends to it.")
    runs: int
    finished: int
    succeeded: int
    success_rate: float | None = Field(description="Succeeded / finished (0 to 1).")
    mean_latency_ms: float | None
    mean_cost_usd: Money | None
    tokens_in: int
    tokens_out: int


class SplitResults(BaseModel):
    """A traffic split's two versions side by side, over the runs that asked for the
    environment since the split began."""

    environment: str
    since: datetime
    arms: list[SplitArm]
