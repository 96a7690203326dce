"""Request and response shapes of runs, their steps and their graph."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from luna.agents.definition import MAX_JSON_DEPTH, AgentDefinition, JsonObject
from luna.agents.schemas import MAX_VERSION_NUMBER, EnvironmentName
from luna.db.pagination import Page
from luna.runs.models import Run, RunApproval, RunStep
from luna.schemas import Money, RequestModel

RunStatus = Literal["queued", "running", "waiting_approval", "succeeded", "failed", "cancelled"]
RunMode = Literal["background", "wait", "stream"]
RunSort = Literal["created_at", "-created_at"]
MAX_INPUT_TEXT = 200_000
MAX_SEQUENCE: Final = 2**31 - 1
"""The largest sequence a step can have (a 32-bit column), so the largest event id."""
RunId = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


def latency_ms(run: Run) -> float | None:
    """From a run's start to its finish, in milliseconds, once it has finished."""
    if run.started_at is None or run.finished_at is None:
        return None
    return round((run.finished_at - run.started_at).total_seconds() * 1000, 3)


def _check_one_definition(version: object, environment: object, draft: object) -> None:
    """A request names at most one of a version, an environment and a draft."""
    if sum(choice is not None for choice in (version, environment, draft)) > 1:
        raise ValueError(
            "Send one of a version, an environment or a draft definition, not several."
        )


class RunCreate(RequestModel):
    """A run of the agent: its input, and how to answer.

    ``background`` (the default) answers 202 at once with the queued run; ``wait``
    answers 200 with the finished run, or 202 if it has not finished within
    ``timeout_seconds``; ``stream`` (or ``Accept: text/event-stream``) answers with the
    run's events as server-sent events, like ``GET .../runs/{id}/events``.
    """

    model_config = ConfigDict(extra="forbid")

    input: str | JsonObject = Field(
        description="A text prompt, or an object matching the agent's input schema "
        f"(nested at most {MAX_JSON_DEPTH} levels deep)."
    )
    mode: RunMode = "background"
    timeout_seconds: float | None = Field(
        None, gt=0, le=600, description="How long `wait` mode waits (default: the server's)."
    )
    thread_id: RunId | None = Field(
        None,
        description="Continue the conversation of this thread (the id of its first run); "
        "the new run sees the messages of the thread's last successful run.",
    )
    version: int | None = Field(
        None,
        ge=1,
        le=MAX_VERSION_NUMBER,
        description="Run this version of the agent (by number) instead of its current "
        "one, for example to compare two versions on the same input.",
    )
    environment: EnvironmentName | None = Field(
        None,
        description="Run the version this environment of the agent points at "
        "(`production`, say); `POST .../agents/agt_...@production/runs` says the same.",
    )
    draft: AgentDefinition | None = Field(
        None,
        description="Run this unsaved definition (instructions, model, tools) in place of "
        "the agent's, as the playground does; the agent itself is not changed and the "
        "run is marked as a draft.",
    )

    @model_validator(mode="after")
    def _one_definition(self) -> RunCreate:
        _check_one_definition(self.version, self.environment, self.draft)
        return self


class CounterfactualCreate(RequestModel):
    """Replay a finished run's input on another definition, in the same world: its tools
    answer with the results the original recorded and none runs again. Name a version,
    an environment or a draft (none: the agent's current version)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, le=MAX_VERSION_NUMBER)
    environment: EnvironmentName | None = None
    draft: AgentDefinition | None = None

    @model_validator(mode="after")
    def _one_definition(self) -> CounterfactualCreate:
        _check_one_definition(self.version, self.environment, self.draft)
        return self


class RunError(BaseModel):
    """Why a run failed or was cancelled."""

    code: str
    message: str
    status: int | None = None


class RunOut(BaseModel):
    """A run, with its totals."""

    id: str
    workspace_id: str
    agent_id: str
    agent_version_id: str
    parent_run_id: str | None
    thread_id: str | None
    draft: bool = Field(description="Whether the run used an unsaved draft definition.")
    status: RunStatus
    input: Any
    output: dict[str, Any] | None
    error: RunError | None
    provider_id: str | None
    model: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested_at: datetime | None
    step_count: int
    tokens_in: int
    tokens_out: int
    cost_usd: Money = Field(description="The run's cost in US dollars.")
    latency_ms: float | None = Field(description="From start to finish, once finished.")
    cached_from_run_id: str | None = Field(
        None,
        description="Set when the agent's response cache answered: the run whose answer "
        "this one reused, without calling the model.",
    )
    counterfactual_of_run_id: str | None = Field(
        None,
        description="Set on a counterfactual replay: the run whose recorded tool results "
        "answered this one's tool calls.",
    )

    @classmethod
    def of(cls, run: Run) -> RunOut:
        """The API shape of a stored run."""
        return cls(
            id=run.id,
            workspace_id=run.workspace_id,
            agent_id=run.agent_id,
            agent_version_id=run.agent_version_id,
            parent_run_id=run.parent_run_id,
            thread_id=run.thread_id,
            draft=run.draft_definition is not None,
            status=run.status,
            input=run.input.get("value"),
            output=run.output,
            error=RunError.model_validate(run.error) if run.error else None,
            provider_id=run.provider_id,
            model=run.model,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            cancel_requested_at=run.cancel_requested_at,
            step_count=run.step_count,
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            cost_usd=run.cost_usd,
            latency_ms=latency_ms(run),
            cached_from_run_id=run.cached_from_run_id,
            counterfactual_of_run_id=run.counterfactual_of_run_id,
        )


class RunPage(Page[RunOut]):
    """A page of runs, newest first unless sorted otherwise."""


StepKindName = Literal[
    "model_request", "thinking", "text", "tool_call", "tool_result", "approval", "final", "error"
]


class StepOut(BaseModel):
    """One recorded step of a run. ``sequence`` orders a run's steps and is the event id
    of its server-sent event."""

    id: str
    run_id: str
    sequence: int
    kind: StepKindName
    status: str
    name: str | None
    parent_step_id: str | None
    content: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    latency_ms: float | None
    tokens_in: int
    tokens_out: int
    cost_usd: Money
    confidence: float | None = Field(
        description="Mean token probability, when the provider returns log-probabilities."
    )

    @classmethod
    def of(cls, step: RunStep) -> StepOut:
        """The API shape of a stored step."""
        return cls(
            id=step.id,
            run_id=step.run_id,
            sequence=step.sequence,
            kind=step.kind,
            status=step.status,
            name=step.name,
            parent_step_id=step.parent_step_id,
            content=step.content,
            started_at=step.started_at,
            ended_at=step.ended_at,
            latency_ms=step.latency_ms,
            tokens_in=step.tokens_in,
            tokens_out=step.tokens_out,
            cost_usd=step.cost_usd,
            confidence=step.confidence,
        )


class StepPage(Page[StepOut]):
    """A page of a run's steps in order."""


class GraphEdge(BaseModel):
    """A causal link: ``source`` led to ``target``."""

    id: str
    source: str
    target: str
    kind: Literal["parent", "next"]

    @classmethod
    def all_of(cls, edges: list[tuple[str, str, str]]) -> list[GraphEdge]:
        """The API shape of the service's (source, target, kind) edges."""
        return [
            cls(id=f"{source}-{target}", source=source, target=target, kind=kind)
            for source, target, kind in edges
        ]


class RunGraph(BaseModel):
    """A run as nodes (its steps) and edges, for the execution visualizer."""

    run: RunOut
    nodes: list[StepOut]
    edges: list[GraphEdge]


class ApprovalOut(BaseModel):
    """A tool call waiting for, or given, a member's decision."""

    id: str
    tool_call_id: str
    tool_name: str
    arguments: dict[str, Any]
    status: Literal["pending", "approved", "rejected"]
    reason: str | None
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, approval: RunApproval) -> ApprovalOut:
        """The API shape of a stored approval."""
        return cls.model_validate(approval, from_attributes=True)


class ApprovalDecision(RequestModel):
    """A member's decision on one tool call the run paused on."""

    model_config = ConfigDict(extra="forbid")

    tool_call_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    approved: bool
    reason: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        None, description="Told to the model when the call is rejected."
    )


class ApprovalDecisions(RequestModel):
    """Decisions on some or all of the run's pending tool calls. Once none is pending,
    the run resumes: approved calls execute, rejected ones are reported to the model."""

    model_config = ConfigDict(extra="forbid")

    decisions: list[ApprovalDecision] = Field(min_length=1, max_length=100)


class RunDelta(BaseModel):
    """A fragment of text or thinking while a model streams its answer (the data of a
    `delta` event). Deltas are never stored, so a replay or a resumed stream has none."""

    type: Literal["delta"]
    request: int = Field(description="Which of the run's model requests is streaming.")
    part: int = Field(description="The index of the response part the text extends.")
    kind: Literal["text", "thinking"]
    text: str


class BudgetStanding(BaseModel):
    """One budget a run is held to, as it stood before a model request."""

    budget_id: str
    scope: Literal["run", "agent_day", "api_key_day", "workspace_month"]
    max_tokens: int | None
    max_cost_usd: str | None
    spent_tokens: int
    spent_cost_usd: str
    tokens_left: int | None
    cost_usd_left: str | None


class RunBudget(BaseModel):
    """What is left of each budget of the run, sent before each of its model requests
    (the data of a `budget` event; runs under no budget send none). Never stored."""

    type: Literal["budget"]
    request: int = Field(description="The model request about to be made.")
    budgets: list[BudgetStanding]


EVENT_STREAM: Final = "text/event-stream"


def event_stream_content(*, end: type[BaseModel], deltas: bool) -> dict[str, Any]:
    """The OpenAPI content of a run's server-sent events: the fields of each kind of
    event, the JSON of its data described by a component schema.

    As OpenAPI 3.1 has it (and 3.2's ``itemSchema``), the schema of a
    ``text/event-stream`` describes one event; the body is a sequence of them, with
    ``:`` comments between that keep an idle connection open."""
    events = [
        _event(
            "step",
            _component(StepOut),
            "A stored step. Its id is the step's sequence: send it as `Last-Event-ID` "
            "to resume after it.",
            with_id=True,
        )
    ]
    if deltas:
        description = "Text or thinking while a model streams; never stored, never replayed."
        events.append(_event("delta", RunDelta.model_json_schema(), description))
        events.append(
            _event(
                "budget",
                _inlined(RunBudget.model_json_schema()),
                "What is left of each of the run's budgets, before each model request.",
            )
        )
    events.append(_event("end", _component(end), "The run as it ended or paused; the last."))
    return {EVENT_STREAM: {"schema": {"oneOf": events}}}


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` put in place: it is embedded in the
    document, where a local ``#/$defs/...`` reference would resolve to nothing."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return dict(resolve(schema))


def _component(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _event(
    name: str, data: dict[str, Any], description: str, *, with_id: bool = False
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "event": {"const": name},
        "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data},
    }
    if with_id:
        properties["id"] = {"type": "string", "pattern": "^[0-9]+$"}
    return {
        "title": f"{name} event",
        "description": description,
        "type": "object",
        "required": ["event", "data", *(["id"] if with_id else [])],
        "properties": properties,
    }


class ApprovalPage(Page[ApprovalOut]):
    """The run's pending tool calls, all on one page (`next_cursor` is null)."""
