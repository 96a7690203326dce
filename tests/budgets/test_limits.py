"""How a budget stands and what a next model request is estimated to take."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.usage import RequestUsage

from luna.budgets.limits import Limit, Spend, Standing, exceeded, period_start
from luna.budgets.models import BudgetScope
from luna.runs.budget_guard import estimate_request_tokens, partial_text


def limit(scope: BudgetScope = BudgetScope.RUN, tokens: int | None = None, cost: str | None = None):
    return Limit(
        budget_id="bud_1",
        scope=scope,
        subject="",
        max_tokens=tokens,
        max_cost_usd=None if cost is None else Decimal(cost),
    )


def test_a_request_crosses_a_budget_only_when_it_would_go_over_a_limit() -> None:
    standing = Standing(limit(tokens=1000, cost="0.01"), Spend(900, Decimal("0.005")))

    assert not standing.crossed_by(Spend(100, Decimal("0.005")))  # exactly at both limits
    assert standing.crossed_by(Spend(101, Decimal(0)))
    assert standing.crossed_by(Spend(0, Decimal("0.00500001")))
    assert standing.used_percent() == 90
    assert Standing(limit(cost="0.01"), Spend(10**9, Decimal("0.002"))).used_percent() == 20


def test_what_is_left_never_goes_below_zero() -> None:
    summary = Standing(limit(tokens=100, cost="1"), Spend(150, Decimal("0.25"))).summary()

    assert (summary["tokens_left"], summary["cost_usd_left"]) == (0, "0.75")
    assert summary["max_cost_usd"] == "1" and summary["spent_tokens"] == 150


def test_the_refusal_names_the_budget_and_the_figures() -> None:
    standing = Standing(limit(BudgetScope.WORKSPACE_MONTH, cost="5"), Spend(1200, Decimal("4.99")))

    error = exceeded(standing, Spend(400, Decimal("0.02")))

    assert error.code == "budget-exceeded"
    assert "the workspace's monthly budget ($5.0000)" in error.detail
    assert error.data["budget"]["budget_id"] == "bud_1"
    assert error.data["estimate"] == {"tokens": 400, "cost_usd": "0.02"}


def test_periods_begin_at_utc_midnight_and_on_the_first_of_the_month() -> None:
    now = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)

    assert period_start(BudgetScope.RUN, now) is None
    assert period_start(BudgetScope.AGENT_DAY, now) == datetime(2026, 12, 7, tzinfo=UTC)
    assert period_start(BudgetScope.API_KEY_DAY, now) == datetime(2026, 12, 7, tzinfo=UTC)
    assert period_start(BudgetScope.WORKSPACE_MONTH, now) == datetime(2026, 12, 1, tzinfo=UTC)


def test_the_next_request_is_the_last_one_counted_plus_what_came_after() -> None:
    prompt = ModelRequest(parts=[UserPromptPart("x" * 400)])
    assert estimate_request_tokens([prompt], "i" * 40) == 110  # 10 + 100, four chars a token

    answer = ModelResponse(
        parts=[TextPart("Let me count."), ToolCallPart("text_stats", {"text": "abc"})],
        usage=RequestUsage(input_tokens=1000, output_tokens=50),
    )
    result = ModelRequest(parts=[ToolReturnPart("text_stats", "y" * 800, tool_call_id="c1")])

    assert estimate_request_tokens([prompt, answer, result], "i" * 40) == 1000 + 50 + 200
    assert partial_text([prompt, answer, result]) == "Let me count."


def test_an_earlier_runs_answer_is_not_this_runs_partial_result() -> None:
    earlier = ModelResponse(parts=[TextPart("An answer to the last question.")])
    this_prompt = ModelRequest(parts=[UserPromptPart("A new question")])

    assert partial_text([earlier, this_prompt]) == ""
