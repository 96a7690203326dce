"""Judging one case's run: the case's checks as `pydantic-evals` evaluators, run on the
run's answer and on its recorded steps.

The tool-call evaluators of `pydantic-evals` (``ToolCorrectness``, ``TrajectoryMatch``,
``HasMatchingSpan``) read a tree of OpenTelemetry spans. A Luna run is recorded as steps
in the database, possibly by another worker, so the tree is rebuilt from its
``tool_call`` steps and their results with the span names and attributes Pydantic AI's
instrumentation gives a tool call. What the library has no evaluator for (a JSON Schema,
a cost ceiling) is an :class:`Evaluator` of its own here.

A case passes when its run succeeded and every assertion holds; its score is the mean
of every check's value (an assertion counts 1 or 0).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import jsonschema
from pydantic_ai.models import Model
from pydantic_evals.evaluators import (
    Contains,
    EqualsExpected,
    EvaluationReason,
    Evaluator,
    EvaluatorContext,
    HasMatchingSpan,
    LLMJudge,
    MaxDuration,
    ToolCorrectness,
    TrajectoryMatch,
)
from pydantic_evals.otel.span_tree import SpanNode, SpanTree

from luna.evals.schemas import CaseChecks

CheckKind = Literal["assertion", "score"]
# The span names and attributes of a tool call in Pydantic AI's instrumentation (v3+),
# which the tool-call evaluators look for.
TOOL_SPAN_PREFIX = "execute_tool "
TOOL_NAME_ATTRIBUTE = "gen_ai.tool.name"
TOOL_ARGUMENTS_ATTRIBUTE = "gen_ai.tool.call.arguments"


@dataclass(frozen=True)
class RecordedCall:
    """A tool call as the run recorded it: its name, arguments, when, and whether its
    result was an error."""

    name: str
    arguments: dict[str, Any]
    at: datetime
    failed: bool = False


@dataclass(frozen=True)
class CaseRun:
    """What a case's run left to judge."""

    succeeded: bool
    output: str | None
    calls: Sequence[RecordedCall] = ()
    latency_seconds: float = 0.0
    cost_usd: Decimal = Decimal(0)


@dataclass
class Verdict:
    """How a case did: ``passed``, ``failed``, or ``errored`` (no answer to judge)."""

    status: Literal["passed", "failed", "errored"]
    score: float | None
    checks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(repr=False)
class MatchesSchema(Evaluator[object, object, object]):
    """The answer, parsed as JSON, matches a JSON Schema (draft 2020-12)."""

    json_schema: dict[str, Any]

    def evaluate(self, ctx: EvaluatorContext[object, object, object]) -> EvaluationReason:
        try:
            value = json.loads(str(ctx.output))
        except json.JSONDecodeError as error:
            return EvaluationReason(False, f"the answer is not JSON: {error.msg}")
        problems = sorted(
            jsonschema.Draft202012Validator(self.json_schema).iter_errors(value),
            key=lambda problem: list(problem.absolute_path),
        )
        if problems:
            first = problems[0]
            where = "/" + "/".join(map(str, first.absolute_path))
            return EvaluationReason(False, f"{where}: {first.message}")
        return EvaluationReason(True, "the answer matches the schema")


@dataclass(repr=False)
class MaxCost(Evaluator[object, object, object]):
    """The run cost at most ``max_cost_usd`` (read from the context's ``cost_usd``)."""

    max_cost_usd: float

    def evaluate(self, ctx: EvaluatorContext[object, object, object]) -> EvaluationReason:
        cost = float(ctx.metrics.get("cost_usd", 0.0))
        return EvaluationReason(
            cost <= self.max_cost_usd, f"cost ${cost:.6f} (at most ${self.max_cost_usd})"
        )


@dataclass(frozen=True)
class _Check:
    evaluator: Evaluator[object, object, object]
    kind: CheckKind
    name: str
    inverted: bool = False  # a forbidden tool: the check holds when no span matches


def _tool_checks(checks: CaseChecks) -> list[_Check]:
    found: list[_Check] = []
    if checks.required_tools:
        if checks.tool_order == "exact":
            trajectory = TrajectoryMatch(expected_trajectory=checks.required_tools, order="exact")
            found.append(_Check(trajectory, "assertion", "tool_trajectory"))
        else:
            required = ToolCorrectness(expected_tools=checks.required_tools, allow_extra=True)
            found.append(_Check(required, "assertion", "required_tools"))
        if checks.tool_order == "in_order":
            trajectory = TrajectoryMatch(expected_trajectory=checks.required_tools)
            found.append(_Check(trajectory, "score", "tool_order"))
    for tool in checks.forbidden_tools:
        called = HasMatchingSpan(query={"has_attributes": {TOOL_NAME_ATTRIBUTE: tool}})
        found.append(_Check(called, "assertion", f"never calls {tool}", inverted=True))
    return found


def _checks(checks: CaseChecks, judge: Model | None) -> list[_Check]:
    found: list[_Check] = []
    if checks.expected_output is not None:
        found.append(_Check(EqualsExpected(), "assertion", "expected_output"))
    for text in checks.contains:
        evaluator = Contains(value=text, case_sensitive=checks.case_sensitive, as_strings=True)
        found.append(_Check(evaluator, "assertion", f"contains {text[:60]!r}"))
    if checks.output_schema is not None:
        found.append(_Check(MatchesSchema(checks.output_schema), "assertion", "output_schema"))
    found.extend(_tool_checks(checks))
    if checks.rubric is not None and judge is not None:
        rubric = LLMJudge(rubric=checks.rubric, model=judge, include_input=True)
        found.append(_Check(rubric, "assertion", "rubric"))
    if checks.max_cost_usd is not None:
        found.append(_Check(MaxCost(float(checks.max_cost_usd)), "assertion", "max_cost"))
    if checks.max_latency_ms is not None:
        latency = MaxDuration(seconds=checks.max_latency_ms / 1000)
        found.append(_Check(latency, "assertion", "max_latency"))
    return found


def span_tree(calls: Sequence[RecordedCall]) -> SpanTree:
    """The spans Pydantic AI's instrumentation would have recorded for these tool calls,
    under one span for the run."""
    tree = SpanTree()
    start = calls[0].at if calls else datetime(1970, 1, 1, tzinfo=UTC)
    root = SpanNode(
        name="agent run",
        trace_id=1,
        span_id=1,
        parent_span_id=None,
        start_timestamp=start,
        end_timestamp=(calls[-1].at if calls else start) + timedelta(microseconds=1),
        attributes={},
    )
    nodes = [root]
    for index, call in enumerate(calls):
        nodes.append(
            SpanNode(
                name=TOOL_SPAN_PREFIX + call.name,
                trace_id=1,
                span_id=index + 2,
                parent_span_id=1,
                # Steps recorded in the same instant keep their order.
                start_timestamp=call.at + timedelta(microseconds=index),
                end_timestamp=call.at + timedelta(microseconds=index + 1),
                attributes={
                    TOOL_NAME_ATTRIBUTE: call.name,
                    TOOL_ARGUMENTS_ATTRIBUTE: json.dumps(call.arguments, sort_keys=True),
                },
                status="error" if call.failed else "unset",
            )
        )
    tree.add_spans(nodes)
    return tree


def _outcomes(output: Any) -> list[tuple[str | None, Any, str | None]]:
    """An evaluator's output as (name, value, reason) triples: a scalar, an
    :class:`EvaluationReason`, or a mapping of names to either."""
    if isinstance(output, EvaluationReason):
        return [(None, output.value, output.reason)]
    if isinstance(output, dict):
        return [(name, *_outcomes(value)[0][1:]) for name, value in output.items()]
    return [(None, output, None)]


async def judge_case(
    *, case_input: str, checks: CaseChecks, run: CaseRun, judge: Model | None
) -> Verdict:
    """Hold the case's run to its checks; ``errored`` when the run did not succeed."""
    if not run.succeeded or run.output is None:
        return Verdict(status="errored", score=0.0)
    context = EvaluatorContext[object, object, object](
        name=None,
        inputs=case_input,
        metadata=None,
        expected_output=None if checks.expected_output is None else checks.expected_output.strip(),
        output=run.output.strip(),
        duration=run.latency_seconds,
        _span_tree=span_tree(run.calls),
        attributes={},
        metrics={"cost_usd": float(run.cost_usd)},
    )
    results: list[dict[str, Any]] = []
    for check in _checks(checks, judge):
        try:
            outcome = _outcomes(await check.evaluator.evaluate_async(context))
        except Exception as error:  # noqa: BLE001  (a judge that failed fails its check)
            outcome = [(None, False, f"the check could not run: {error}")]
        for name, value, reason in outcome:
            if check.kind == "assertion" and not isinstance(value, bool):
                value = isinstance(value, int | float) and value >= 1  # an exact trajectory
            if check.inverted:
                value = not value
            label = check.name if name is None or len(outcome) == 1 else f"{check.name}:{name}"
            results.append({"name": label, "kind": check.kind, "value": value, "reason": reason})
    held = all(result["value"] is True for result in results if result["kind"] == "assertion")
    values = [_as_number(result["value"]) for result in results]
    score = sum(values) / len(values) if values else 1.0
    return Verdict(status="passed" if held else "failed", score=round(score, 6), checks=results)


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return 0.0
