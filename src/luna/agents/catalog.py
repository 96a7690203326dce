"""The built-in agent catalog: the persona schema, the YAML loader and the preset chains.

Each persona lives in ``catalog/<slug>.yaml`` next to this module and is validated against
:class:`CatalogAgent` when the catalog loads. Workspaces copy personas as templates; the
preset chains run lifecycle agents in order, each handing its artifact to the next.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Final, Literal, Self, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from luna.db.pagination import Page
from luna.errors import LunaError, NotFound

Category = Literal["quality", "ship", "build", "intelligence", "design", "meta"]
MinimumPlan = Literal["starter", "growth"]
Plan = Literal["starter", "growth", "scale", "enterprise"]
ToolName = Literal[
    "http_fetch", "calculator", "current_time", "json_query", "text_stats", "knowledge_search"
]
ArtifactFormat = Literal["markdown", "directory"]

CATEGORIES: Final[tuple[Category, ...]] = get_args(Category)
PLANS: Final[tuple[Plan, ...]] = get_args(Plan)
BUILT_IN_TOOLS: Final[tuple[ToolName, ...]] = get_args(ToolName)
REQUIRED_SECTIONS: Final = (
    "Role",
    "First questions",
    "Workflow",
    "Artifact",
    "Constraints",
    "Success criteria",
)
SLUG_PATTERN: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PERSONA_SUFFIX: Final = ".yaml"

Slug = Annotated[str, StringConstraints(min_length=2, max_length=40, pattern=SLUG_PATTERN)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\r\n]+$")]
Tag = Annotated[str, StringConstraints(min_length=2, max_length=30, pattern=SLUG_PATTERN)]
ArtifactName = Annotated[
    str, StringConstraints(max_length=60, pattern=r"^[a-z0-9][a-z0-9._-]*(?:\.md|/)$")
]
InputName = Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")


class CatalogInput(BaseModel):
    """Something the agent needs from the user before it starts."""

    model_config = _FROZEN

    name: InputName = Field(description="snake_case identifier, e.g. repository_url")
    description: Line
    required: bool


class CatalogArtifact(BaseModel):
    """What the agent produces: one Markdown file or a directory of files."""

    model_config = _FROZEN

    name: ArtifactName = Field(description="e.g. code-review-report.md, or docs/ for a directory")
    description: Line
    format: ArtifactFormat

    @model_validator(mode="after")
    def _name_matches_format(self) -> Self:
        expected = "/" if self.format == "directory" else ".md"
        if not self.name.endswith(expected):
            raise ValueError(f"a {self.format} artifact's name must end with '{expected}'")
        return self


class ModelHint(BaseModel):
    """What the model running the agent should be able to do."""

    model_config = _FROZEN

    reasoning: bool = Field(description="benefits from a model with extended thinking")
    vision: bool = Field(description="reads images (screenshots, diagrams, mock-ups)")


class CatalogAgent(BaseModel):
    """One persona of the built-in catalog, as stored in ``catalog/<slug>.yaml``."""

    model_config = _FROZEN

    slug: Slug = Field(description="lower-case kebab-case identifier, also the file name")
    name: Annotated[str, StringConstraints(min_length=2, max_length=60, pattern=r"^[^\r\n]+$")]
    category: Category
    plan: MinimumPlan = Field(description="the cheapest plan that includes the agent")
    summary: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    purpose: Line
    instructions: str = Field(description="the system prompt, Markdown")
    questions: tuple[Line, ...] = Field(min_length=1)
    inputs: tuple[CatalogInput, ...] = Field(min_length=1)
    artifact: CatalogArtifact
    tools: tuple[ToolName, ...]
    success_criteria: tuple[Line, ...] = Field(min_length=1)
    constraints: tuple[Line, ...] = Field(min_length=1)
    tags: tuple[Tag, ...] = Field(min_length=1)
    hands_off_to: tuple[Slug, ...] = Field(description="agents that take its artifact next")
    model_hint: ModelHint

    @field_validator("summary")
    @classmethod
    def _one_sentence(cls, summary: str) -> str:
        if "\n" in summary or _SENTENCE_BREAK.search(summary):
            raise ValueError("must be a single sentence on one line")
        if not summary.endswith("."):
            raise ValueError("must end with a full stop")
        return summary

    @field_validator("instructions")
    @classmethod
    def _has_sections(cls, instructions: str) -> str:
        problem = section_problem(instructions)
        if problem:
            raise ValueError(problem)
        return instructions

    @field_validator("tools", "tags", "hands_off_to", "inputs")
    @classmethod
    def _unique(cls, values: tuple[Any, ...]) -> tuple[Any, ...]:
        keys = [value.name if isinstance(value, CatalogInput) else value for value in values]
        if len(set(keys)) != len(keys):
            raise ValueError("has duplicates")
        return values

    @model_validator(mode="after")
    def _no_hand_off_to_itself(self) -> Self:
        if self.slug in self.hands_off_to:
            raise ValueError("hands_off_to cannot name the agent itself")
        return self


def instruction_sections(instructions: str) -> list[str]:
    """The level-two headings of Markdown text, in order, ignoring fenced code blocks."""
    headings: list[str] = []
    in_fence = False
    for line in instructions.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and line.startswith("## "):
            headings.append(line[3:].strip())
    return headings


def section_problem(instructions: str) -> str | None:
    """Why the instructions lack the required sections, or None when they have them all,
    once each and in order."""
    found = [
        heading for heading in instruction_sections(instructions) if heading in REQUIRED_SECTIONS
    ]
    if found == list(REQUIRED_SECTIONS):
        return None
    expected = ", ".join(f"'## {name}'" for name in REQUIRED_SECTIONS)
    absent = [f"'## {name}'" for name in REQUIRED_SECTIONS if name not in found]
    if absent:
        return f"lacks the sections {', '.join(absent)} (needs {expected}, in order)"
    return f"needs the sections {expected} once each, in this order"


class CatalogAgentSummary(BaseModel):
    """A persona as the catalog list shows it."""

    slug: str
    name: str
    category: Category
    plan: MinimumPlan
    summary: str
    artifact: str = Field(description="the name of the file or directory it produces")
    tools: list[ToolName]
    tags: list[str]

    @classmethod
    def of(cls, agent: CatalogAgent) -> CatalogAgentSummary:
        """The summary of one persona."""
        return cls(
            slug=agent.slug,
            name=agent.name,
            category=agent.category,
            plan=agent.plan,
            summary=agent.summary,
            artifact=agent.artifact.name,
            tools=list(agent.tools),
            tags=list(agent.tags),
        )


class PresetChain(BaseModel):
    """Lifecycle agents run in order, each taking the previous one's artifact."""

    model_config = _FROZEN

    name: Slug
    title: str
    steps: tuple[Slug, ...] = Field(min_length=2)


PRESET_CHAINS: Final = (
    PresetChain(
        name="full-review",
        title="Full review",
        steps=("code-review", "testing-validation", "documentation"),
    ),
    PresetChain(
        name="new-feature",
        title="New feature",
        steps=("requirements-analyzer", "design-architect", "task-planner", "task-executor"),
    ),
    PresetChain(
        name="deploy", title="Deploy", steps=("code-review", "testing-validation", "deployment")
    ),
    PresetChain(
        name="security-audit", title="Security audit", steps=("365-security", "code-review")
    ),
    PresetChain(
        name="api-design", title="API design", steps=("api-generator", "database", "documentation")
    ),
)


class CatalogError(LunaError):
    """A persona file, or the catalog as a whole, is invalid."""

    code = "catalog-invalid"
    status = 500
    title = "Invalid Agent Catalog"


class Catalog:
    """Validated personas in slug order, with the preset chains that run them."""

    def __init__(self, agents: Iterable[CatalogAgent], chains: Iterable[PresetChain] = ()) -> None:
        self.agents: tuple[CatalogAgent, ...] = tuple(sorted(agents, key=lambda a: a.slug))
        self.chains: tuple[PresetChain, ...] = tuple(chains)
        self._by_slug = {agent.slug: agent for agent in self.agents}
        if len(self._by_slug) != len(self.agents):
            slugs = [agent.slug for agent in self.agents]
            repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
            raise CatalogError(f"the catalog has more than one persona with the slug {repeated}")
        self._check_references()

    def _check_references(self) -> None:
        for agent in self.agents:
            unknown = [slug for slug in agent.hands_off_to if slug not in self._by_slug]
            if unknown:
                raise CatalogError(f"{agent.slug}: hands_off_to names unknown agents {unknown}")
        for chain in self.chains:
            unknown = [slug for slug in chain.steps if slug not in self._by_slug]
            if unknown:
                raise CatalogError(f"chain {chain.name}: unknown agents {unknown}")

    def __len__(self) -> int:
        return len(self.agents)

    def __iter__(self) -> Iterator[CatalogAgent]:
        return iter(self.agents)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def get(self, slug: str) -> CatalogAgent:
        """The persona with this slug; NotFound otherwise."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise NotFound(f"There is no catalog agent '{slug}'.") from None

    def available_for(self, plan: Plan) -> tuple[CatalogAgent, ...]:
        """The personas a team on this plan may use (Starter: the starter ones only)."""
        if plan == "starter":
            return tuple(agent for agent in self.agents if agent.plan == "starter")
        return self.agents

    def search(
        self, *, category: Category | None = None, plan: Plan | None = None, text: str | None = None
    ) -> tuple[CatalogAgent, ...]:
        """Personas of a category, available on a plan, whose name, summary or a tag holds
        the text (case-insensitive); each filter applies only when given."""
        agents = self.available_for(plan) if plan else self.agents
        needle = (text or "").strip().casefold()
        return tuple(
            agent
            for agent in agents
            if (category is None or agent.category == category)
            and (not needle or _matches(agent, needle))
        )

    def chain(self, name: str) -> tuple[CatalogAgent, ...]:
        """The personas of a preset chain, in order; NotFound for an unknown chain."""
        for chain in self.chains:
            if chain.name == name:
                return tuple(self._by_slug[slug] for slug in chain.steps)
        raise NotFound(f"There is no preset chain '{name}'.")


def _matches(agent: CatalogAgent, needle: str) -> bool:
    haystack = (agent.name, agent.summary, *agent.tags)
    return any(needle in value.casefold() for value in haystack)


def builtin_catalog_directory() -> Traversable:
    """The directory of the built-in persona files, installed or from source."""
    return files("luna.agents").joinpath("catalog")


def parse_persona(text: str, *, source: str) -> CatalogAgent:
    """Validate the YAML text of a persona; errors name the source and each bad field."""
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: not valid YAML: {exc}", file=source) from None
    if not isinstance(document, dict):
        raise CatalogError(f"{source}: expected a mapping of persona fields", file=source)
    try:
        return CatalogAgent.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise CatalogError(f"{source}: {problems}", file=source) from None


def _describe(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"])
    return f"{field}: {error['msg']}" if field else str(error["msg"])


def read_persona(path: Traversable) -> CatalogAgent:
    """Load one persona file and check that its name is ``<slug>.yaml``."""
    agent = parse_persona(path.read_text(encoding="utf-8"), source=path.name)
    if path.name != agent.slug + PERSONA_SUFFIX:
        raise CatalogError(
            f"{path.name}: slug '{agent.slug}' needs the file name {agent.slug}{PERSONA_SUFFIX}",
            file=path.name,
        )
    return agent


def read_catalog(directory: Traversable | None = None) -> Catalog:
    """Read and validate every persona in a directory (the built-in one by default).

    The preset chains belong to the built-in catalog and are checked against it only.
    """
    source = directory or builtin_catalog_directory()
    paths = sorted(
        (path for path in source.iterdir() if path.name.endswith(PERSONA_SUFFIX)),
        key=lambda path: path.name,
    )
    agents = [read_persona(path) for path in paths]
    return Catalog(agents, PRESET_CHAINS if directory is None else ())


@functools.cache
def load_catalog(directory: Traversable | None = None) -> Catalog:
    """The catalog of a directory (the built-in one by default), read once per process."""
    return read_catalog(directory)


class CatalogAgentPage(Page[CatalogAgentSummary]):
    """The catalog's agents, all on one page (`next_cursor` is null)."""
