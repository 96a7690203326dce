"""Request and response shapes of evaluation suites, their cases and eval runs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from luna.agents.definition import AgentDefinition, ModelChoice
from luna.agents.schemas import EnvironmentName
from luna.db.pagination import Page
from luna.schemas import Money, RequestModel

MAX_CASES: Final = 500
MAX_INPUT_CHARS: Final = 100_000

SuiteName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
CaseName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
ToolName = Annotated[str, StringConstraints(min_length=1, max_length=120)]
ToolOrder = Literal["any", "in_order", "exact"]


class CaseChecks(RequestModel):
    """What a case's answer is held to; every check is optional, and a case with none
    passes when its run succeeds."""

    model_config = ConfigDict(extra="forbid")

    expected_output: str | None = Field(
        None,
        max_length=MAX_INPUT_CHARS,
        description="The answer expected, compared whole (surrounding spaces aside).",
    )
    contains: list[Annotated[str, StringConstraints(min_length=1, max_length=2_000)]] = Field(
        default_factory=list, max_length=20, description="Texts the answer must contain."
    )
    case_sensitive: bool = Field(True, description="Whether `contains` minds case.")
    output_schema: dict[str, Any] | None = Field(
        None, description="A JSON Schema the answer (parsed as JSON) must match."
    )
    required_tools: list[ToolName] = Field(
        default_factory=list, max_length=50, description="Tools the run must call."
    )
    tool_order: ToolOrder = Field(
        "any",
        description="`any`: each required tool is called, in any order; `in_order`: also "
        "scored on calling them in this order; `exact`: the calls are exactly these.",
    )
    forbidden_tools: list[ToolName] = Field(
        default_factory=list, max_length=50, description="Tools the run must not call."
    )
    rubric: str | None = Field(
        None,
        min_length=1,
        max_length=4_000,
        description="What a judge model looks for in the answer (pass or fail, with "
        "its reason); the eval run's `judge` model, or the agent's own.",
    )
    max_cost_usd: Decimal | None = Field(
        None, gt=0, le=10_000, strict=False, description="The run costs at most this."
    )
    max_latency_ms: int | None = Field(
        None, gt=0, le=3_600_000, description="The run takes at most this long."
    )

    @model_validator(mode="after")
    def _tools_apart(self) -> Self:
        both = set(self.required_tools) & set(self.forbidden_tools)
        if both:
            raise ValueError(f"a tool cannot be both required and forbidden: {sorted(both)}")
        if self.tool_order != "any" and not self.required_tools:
            raise ValueError("tool_order needs required_tools")
        return self


class CaseIn(RequestModel):
    """A case: an input and its checks."""

    model_config = ConfigDict(extra="forbid")

    name: CaseName = Field("", description="A short name; `case N` when empty.")
    input: str = Field(min_length=1, max_length=MAX_INPUT_CHARS)
    checks: CaseChecks = Field(default_factory=lambda: CaseChecks())


class CaseFromRun(RequestModel):
    """Add a past run as a case: its input, and its answer as the expected one."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(min_length=1, max_length=40)
    name: CaseName = ""
    expect_same_output: bool = Field(
        True, description="Take the run's answer as the expected output."
    )
    expect_same_tools: bool = Field(
        False, description="Require the tools the run called, in its order."
    )


class CaseOut(BaseModel):
    id: str
    position: int
    name: str
    input: str
    checks: CaseChecks
    source_run_id: str | None
    created_at: datetime
    updated_at: datetime


class SuiteCreate(RequestModel):
    """A suite of an agent, with its first cases (more may be added later)."""

    model_config = ConfigDict(extra="forbid")

    name: SuiteName
    description: str = Field("", max_length=2_000)
    cases: list[CaseIn] = Field(default_factory=list, max_length=MAX_CASES)


class SuiteUpdate(RequestModel):
    model_config = ConfigDict(extra="forbid")

    name: SuiteName | None = None
    description: str | None = Field(None, max_length=2_000)


class SuiteOut(BaseModel):
    id: str
    agent_id: str
    name: str
    description: str
    revision: int = Field(description="Grows with every change to the suite's cases.")
    case_count: int
    created_at: datetime
    updated_at: datetime


class SuiteDetail(SuiteOut):
    cases: list[CaseOut]


SuitePage = Page[SuiteOut]


class ImportResult(BaseModel):
    suite: SuiteDetail
    imported: int


class EvalTargetIn(RequestModel):
    """One side of an eval run: a version by number, the version an environment runs, or
    an unsaved draft."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, le=1_000_000)
    environment: EnvironmentName | None = None
    draft: AgentDefinition | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        named = [self.version is not None, self.environment is not None, self.draft is not None]
        if sum(named) > 1:
            raise ValueError("name one of version, environment and draft")
        return self


class EvalRunCreate(RequestModel):
    """Run a suite against one target, or two side by side (the agent's current version
    when none is named)."""

    model_config = ConfigDict(extra="forbid")

    suite_id: str = Field(min_length=1, max_length=40)
    targets: list[EvalTargetIn] = Field(
        default_factory=lambda: [EvalTargetIn()], min_length=1, max_length=2
    )
    judge: ModelChoice | None = Field(
        None, description="The model that judges rubrics; the agent's own when not named."
    )


class EvalTargetOut(BaseModel):
    position: int
    label: str
    version: int | None = Field(description="The version's number; null for a draft.")
    cases_done: int
    cases_passed: int
    pass_rate: float | None
    mean_score: float | None
    tokens_in: int
    tokens_out: int
    cost_usd: Money
    mean_latency_ms: float | None
    mean_confidence: float | None


class CheckOut(BaseModel):
    name: str
    kind: Literal["assertion", "score"]
    value: bool | float | None
    reason: str | None = None


class EvalResultOut(BaseModel):
    case_id: str
    case_name: str
    position: int
    target: int
    run_id: str | None
    status: Literal["pending", "passed", "failed", "errored"]
    score: float | None
    checks: list[CheckOut]
    output: str | None
    error: str | None
    tokens_in: int
    tokens_out: int
    cost_usd: Money
    latency_ms: float | None
    confidence: float | None


class EvalRunOut(BaseModel):
    id: str
    agent_id: str
    suite_id: str
    suite_revision: int
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    case_count: int
    billable: bool
    targets: list[EvalTargetOut]
    error: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class EvalRunDetail(EvalRunOut):
    results: list[EvalResultOut]


EvalRunPage = Page[EvalRunOut]


class CaseComparison(BaseModel):
    """One case on both sides: each side's result and whether they differ."""

    case_id: str
    case_name: str
    position: int
    input: str
    sides: list[EvalResultOut]
    differs: bool = Field(description="The verdicts or the answers differ.")
    verdict_changed: bool = Field(description="One side passed and the other did not.")
    output_diff: str = Field(description="A unified diff of the two answers.")
    step_diff: list[str] = Field(
        description="The two runs' steps as `kind name` lines, diffed (`-` first side only, "
        "`+` second side only, ` ` both)."
    )


class EvalComparison(BaseModel):
    eval_run_id: str
    targets: list[EvalTargetOut]
    cases: list[CaseComparison]
    differing: int
    improved: int = Field(description="Cases the second side passes and the first fails.")
    regressed: int = Field(description="Cases the first side passes and the second fails.")
