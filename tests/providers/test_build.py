"""Models built from a resolved provider, run by a real Pydantic AI agent against stand-ins."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelAuthenticationError, ModelOverloadedError
from pydantic_ai.messages import ModelResponse, ThinkingPart

from luna.agents.definition import ModelSettings
from luna.providers.build import (
    NO_API_KEY,
    ResolvedModel,
    build_model,
    build_model_settings,
    close_model,
    open_model,
)
from tests.standins import AnthropicStandin, OpenAIStandin, ScriptedError, Turn

pytestmark = pytest.mark.anyio

CLAUDE = "claude-sonnet-4-6"


def anthropic_model(standin: AnthropicStandin, **settings: Any) -> ResolvedModel:
    return ResolvedModel(
        provider_id="prv_claude",
        kind="anthropic",
        base_url=standin.base_url,
        api_key=standin.api_key,
        model_name=CLAUDE,
        settings=ModelSettings(**settings),
        logprobs=False,
        allow_private_networks=True,
    )


def compatible_model(standin: OpenAIStandin, **settings: Any) -> ResolvedModel:
    return ResolvedModel(
        provider_id="prv_local",
        kind="openai_compatible",
        base_url=standin.base_url,
        api_key=standin.api_key,
        model_name="glm-4.5",
        settings=ModelSettings(**settings),
        logprobs=True,
        allow_private_networks=True,
    )


def last_response(messages: list[Any]) -> ModelResponse:
    return [message for message in messages if isinstance(message, ModelResponse)][-1]


async def test_claude_answers_with_extended_thinking(anthropic_standin: AnthropicStandin) -> None:
    def thinking_asked(body: dict[str, Any]) -> None:
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert body["max_tokens"] == 2048 + 500  # the answer keeps its own 500 tokens

    anthropic_standin.script(
        Turn(thinking="Two and two make four.", text="Four.", expect=thinking_asked)
    )
    resolved = anthropic_model(anthropic_standin, thinking_budget=2048, max_tokens=500)
    async with open_model(resolved, timeout_seconds=30) as model:
        result = await Agent(model).run("What is 2 + 2?")

    assert result.output == "Four."
    thinking = [
        part
        for part in last_response(result.all_messages()).parts
        if isinstance(part, ThinkingPart)
    ]
    assert [part.content for part in thinking] == ["Two and two make four."]
    assert thinking[0].signature
    [call] = anthropic_standin.model_calls
    assert call.headers["authorization"] == f"Bearer {anthropic_standin.api_key}"


async def test_openai_compatible_reasoning_becomes_thinking_and_logprobs_come_back(
    openai_standin: OpenAIStandin,
) -> None:
    def asked(body: dict[str, Any]) -> None:
        assert body["model"] == "glm-4.5"
        assert body["logprobs"] is True
        assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.2, 0.9, 300)

    openai_standin.script(
        Turn.with_mean_probability("Four.", 0.8, thinking="Adding two and two.", expect=asked)
    )
    resolved = compatible_model(openai_standin, temperature=0.2, top_p=0.9, max_tokens=300)
    async with open_model(resolved, timeout_seconds=30) as model:
        result = await Agent(model).run("What is 2 + 2?")

    assert result.output == "Four."
    response = last_response(result.all_messages())
    [thinking] = [part for part in response.parts if isinstance(part, ThinkingPart)]
    assert thinking.content == "Adding two and two."
    assert thinking.id == "reasoning_content"
    assert response.provider_details is not None
    logprobs = response.provider_details["logprobs"]
    assert [entry["token"] for entry in logprobs] == ["Four."]
    assert math.exp(logprobs[0]["logprob"]) == pytest.approx(0.8)


async def test_streamed_runs_carry_logprobs_too(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="One two three."))
    async with open_model(compatible_model(openai_standin), timeout_seconds=30) as model:
        async with Agent(model).run_stream("Count") as streamed:
            output = await streamed.get_output()
        response = last_response(streamed.all_messages())

    assert output == "One two three."
    assert response.provider_details is not None
    assert len(response.provider_details["logprobs"]) == 3
    assert openai_standin.model_calls[0].stream


async def test_logprobs_can_be_turned_off(openai_standin: OpenAIStandin) -> None:
    def not_asked(body: dict[str, Any]) -> None:
        assert "logprobs" not in body

    openai_standin.script(Turn(text="Fine.", expect=not_asked))
    resolved = replace(compatible_model(openai_standin), logprobs=False)
    async with open_model(resolved, timeout_seconds=30) as model:
        result = await Agent(model).run("Hello")

    details = last_response(result.all_messages()).provider_details or {}
    assert "logprobs" not in details


async def test_the_sdk_never_retries(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(error=ScriptedError(529)), Turn(text="never sent"))
    async with open_model(anthropic_model(anthropic_standin), timeout_seconds=30) as model:
        with pytest.raises(ModelOverloadedError):
            await Agent(model).run("Hello")

    assert len(anthropic_standin.model_calls) == 1
    assert anthropic_standin.remaining_turns == 1


async def test_no_key_sends_a_placeholder_not_the_operators_key(
    openai_standin: OpenAIStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-own-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    openai_standin.script(Turn(text="Hi."))
    resolved = replace(compatible_model(openai_standin), api_key=None)
    async with open_model(resolved, timeout_seconds=30) as model:
        with pytest.raises(ModelAuthenticationError):
            await Agent(model).run("Hello")

    [call] = openai_standin.requests
    assert call.headers["authorization"] == f"Bearer {NO_API_KEY}"
    assert openai_standin.remaining_turns == 1


async def test_open_model_closes_the_client(openai_standin: OpenAIStandin) -> None:
    async with open_model(compatible_model(openai_standin), timeout_seconds=30) as model:
        client = model.client
        assert not client.is_closed()
    assert client.is_closed()

    built = build_model(compatible_model(openai_standin), timeout_seconds=30)
    await close_model(built)
    assert built.client.is_closed()


def test_openai_settings() -> None:
    resolved = ResolvedModel(
        provider_id="prv_x",
        kind="openai",
        base_url=None,
        api_key="sk-x",
        model_name="gpt-4.1-mini",
        settings=ModelSettings(temperature=0.5, max_tokens=100, thinking_budget=4096),
        logprobs=True,
        allow_private_networks=True,
    )
    assert build_model_settings(resolved) == {
        "temperature": 0.5,
        "max_tokens": 100,
        "openai_logprobs": True,
    }
    plain = replace(resolved, settings=ModelSettings(), logprobs=False)
    assert build_model_settings(plain) == {}


THINKING_1024 = {"anthropic_thinking": {"type": "enabled", "budget_tokens": 1024}}


@pytest.mark.parametrize(
    ("model_name", "chosen", "expected"),
    [
        (
            CLAUDE,
            ModelSettings(temperature=0.3, top_p=0.5, max_tokens=100),
            {"temperature": 0.3, "top_p": 0.5, "max_tokens": 100},
        ),
        # Extended thinking: no temperature, top_p only from 0.95, max_tokens on top of it.
        (CLAUDE, ModelSettings(temperature=0.3, top_p=0.5, thinking_budget=1024), THINKING_1024),
        (
            CLAUDE,
            ModelSettings(top_p=0.97, max_tokens=10, thinking_budget=1024),
            {"top_p": 0.97, "max_tokens": 1034} | THINKING_1024,
        ),
        # The newest models think adaptively and take no sampling settings.
        (
            "claude-opus-4-7",
            ModelSettings(temperature=0.3, thinking_budget=2048),
            {"anthropic_thinking": {"type": "adaptive"}},
        ),
    ],
)
def test_anthropic_settings(
    model_name: str, chosen: ModelSettings, expected: dict[str, Any]
) -> None:
    resolved = ResolvedModel(
        provider_id="prv_x",
        kind="anthropic",
        base_url=None,
        api_key="sk-ant-x",
        model_name=model_name,
        settings=chosen,
        logprobs=False,
        allow_private_networks=True,
    )
    assert build_model_settings(resolved) == expected
