"""A case's checks, as pydantic-evals evaluators, on a run's answer and recorded calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from luna.evals.schemas import CaseChecks
from luna.evals.scoring import CaseRun, RecordedCall, judge_case

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def calls(*names: str, failed: str | None = None) -> list[RecordedCall]:
    return [
        RecordedCall(name, {"n": index}, NOW + timedelta(seconds=index), failed=name == failed)
        for index, name in enumerate(names)
    ]


async def verdict(checks: dict[str, Any], run: CaseRun, judge: Any = None) -> Any:
    return await judge_case(
        case_input="question", checks=CaseChecks.model_validate(checks), run=run, judge=judge
    )


def by_name(found: Any) -> dict[str, Any]:
    return {check["name"]: check["value"] for check in found.checks}


async def test_expected_output_contains_and_schema() -> None:
    run = CaseRun(succeeded=True, output=' {"total": 42} ')
    passed = await verdict(
        {
            "expected_output": '{"total": 42}',
            "contains": ["TOTAL"],
            "case_sensitive": False,
            "output_schema": {"type": "object", "required": ["total"]},
        },
        run,
    )
    failed = await verdict(
        {"expected_output": "43", "output_schema": {"type": "object", "required": ["sum"]}}, run
    )

    assert passed.status == "passed" and passed.score == 1.0
    assert failed.status == "failed" and failed.score == 0.0
    schema = next(check for check in failed.checks if check["name"] == "output_schema")
    assert "'sum' is a required property" in schema["reason"]


async def test_tools_required_in_any_order_in_order_exactly_and_forbidden() -> None:
    run = CaseRun(succeeded=True, output="done", calls=calls("search", "fetch", "write"))

    any_order = await verdict({"required_tools": ["write", "search"]}, run)
    in_order = await verdict({"required_tools": ["write", "search"], "tool_order": "in_order"}, run)
    exact = await verdict({"required_tools": ["search", "write"], "tool_order": "exact"}, run)
    forbidden = await verdict({"forbidden_tools": ["fetch"]}, run)
    missing = await verdict({"required_tools": ["delete"]}, run)

    assert any_order.status == "passed"
    # Called both, but not in that order: the assertion holds, the order's score drops.
    assert in_order.status == "passed"
    assert 0 < by_name(in_order)["tool_order"] < 1
    assert exact.status == "failed"  # fetch was called too
    assert forbidden.status == "failed" and by_name(forbidden) == {"never calls fetch": False}
    assert missing.status == "failed"


async def test_a_failed_tool_call_does_not_count_as_made() -> None:
    run = CaseRun(succeeded=True, output="x", calls=calls("search", failed="search"))

    found = await verdict({"required_tools": ["search"]}, run)

    assert found.status == "failed"


async def test_cost_and_latency_ceilings() -> None:
    run = CaseRun(succeeded=True, output="x", latency_seconds=2.5, cost_usd=Decimal("0.02"))

    within = await verdict({"max_cost_usd": "0.05", "max_latency_ms": 3000}, run)
    over = await verdict({"max_cost_usd": "0.01", "max_latency_ms": 2000}, run)

    assert within.status == "passed"
    assert by_name(over) == {"max_cost": False, "max_latency": False}


async def test_a_rubric_asks_the_judge_model_with_the_input_and_answer() -> None:
    seen: list[str] = []

    def judge(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(str(messages[-1]))
        grade = {"reason": "It never says hello.", "pass": False, "score": 0.0}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, grade)])

    found = await verdict(
        {"rubric": "Greets the user."}, CaseRun(succeeded=True, output="Bye."), FunctionModel(judge)
    )

    assert found.status == "failed"
    assert found.checks == [
        {"name": "rubric", "kind": "assertion", "value": False, "reason": "It never says hello."}
    ]
    assert "question" in seen[0] and "Bye." in seen[0] and "Greets the user." in seen[0]


async def test_a_judge_that_fails_fails_its_check_only() -> None:
    def broken(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise RuntimeError("judge is down")

    found = await verdict(
        {"rubric": "Anything.", "contains": ["ok"]},
        CaseRun(succeeded=True, output="ok"),
        FunctionModel(broken),
    )

    assert found.status == "failed"
    checks = by_name(found)
    assert checks["contains 'ok'"] is True and checks["rubric"] is False


async def test_a_run_that_did_not_succeed_errored_and_a_case_without_checks_passes() -> None:
    errored = await verdict({"contains": ["x"]}, CaseRun(succeeded=False, output=None))
    bare = await verdict({}, CaseRun(succeeded=True, output="anything"))

    assert (errored.status, errored.score) == ("errored", 0.0)
    assert (bare.status, bare.score) == ("passed", 1.0)


def test_checks_refuse_contradictions() -> None:
    with pytest.raises(ValueError, match="both required and forbidden"):
        CaseChecks.model_validate({"required_tools": ["a"], "forbidden_tools": ["a"]})
    with pytest.raises(ValueError, match="tool_order needs required_tools"):
        CaseChecks.model_validate({"tool_order": "exact"})
