"""What model requests cost, from the genai_prices list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from luna.providers.prices import cost_usd


def test_a_known_claude_model_has_its_list_price() -> None:
    cost = cost_usd(
        kind="anthropic",
        model_name="claude-sonnet-4-6",
        input_tokens=1_000_000,
        output_tokens=1_000_000,
    )
    assert isinstance(cost, Decimal)
    assert cost == Decimal(3) + Decimal(15)  # $3 in, $15 out per million tokens
    small = cost_usd(
        kind="anthropic", model_name="claude-sonnet-4-6", input_tokens=120, output_tokens=30
    )
    assert Decimal(0) < small < Decimal("0.01")


def test_a_known_openai_model_costs_something() -> None:
    cost = cost_usd(kind="openai", model_name="gpt-4.1-mini", input_tokens=1000, output_tokens=100)
    assert cost > 0


@pytest.mark.parametrize(
    ("kind", "model_name"),
    [
        ("openai_compatible", "llama3.2"),
        ("openai_compatible", "gpt-4.1-mini"),  # a self-hosted copy is not billed by OpenAI
        ("anthropic", "claude-from-the-future-9"),
        ("openai", "my-fine-tune"),
    ],
)
def test_unknown_and_local_models_cost_nothing(kind: str, model_name: str) -> None:
    cost = cost_usd(kind=kind, model_name=model_name, input_tokens=5000, output_tokens=5000)
    assert cost == Decimal(0)
    assert isinstance(cost, Decimal)


def test_no_tokens_cost_nothing_and_negative_counts_are_refused() -> None:
    assert (
        cost_usd(kind="anthropic", model_name="claude-sonnet-4-6", input_tokens=0, output_tokens=0)
        == 0
    )
    with pytest.raises(ValueError, match="negative"):
        cost_usd(kind="anthropic", model_name="claude-sonnet-4-6", input_tokens=-1, output_tokens=0)
