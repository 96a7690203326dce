"""The stand-ins, proven against the official SDKs and Pydantic AI, not against themselves."""

from __future__ import annotations

import math
import time
from typing import Any

import anthropic
import httpx
import openai
import pytest
from anthropic.types import MessageParam
from openai.types.chat import ChatCompletionMessageParam
from pydantic_ai import Agent, AgentRunResultEvent
from pydantic_ai.exceptions import (
    ModelHTTPError,
    ModelOverloadedError,
    ModelRateLimitError,
    ModelServerError,
)
from pydantic_ai.messages import (
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    ModelMessage,
    ModelResponse,
    PartDeltaEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model
from pydantic_ai.models.anthropic import AnthropicModel, AnthropicModelSettings
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIChatModelSettings
from pydantic_ai.providers.anthropic import AnthropicProvider
from pydantic_ai.providers.openai import OpenAIProvider

from tests.standins import (
    AnthropicStandin,
    OpenAIStandin,
    ScriptedError,
    ToolCall,
    Turn,
    Usage,
    tokenize,
)
from tests.standins.script import RequestCheck

pytestmark = pytest.mark.anyio

CLAUDE = "claude-sonnet-4-6"
GPT = "gpt-4.1-mini"
WEATHER_CALL = ToolCall("get_weather", {"city": "Paris"}, id="toolu_weather")
ASK: list[MessageParam] = [{"role": "user", "content": "Hello"}]
CHAT: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello"}]


def anthropic_client(standin: AnthropicStandin, **options: Any) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=standin.base_url, api_key=standin.api_key, **options)


def openai_client(standin: OpenAIStandin, **options: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=standin.base_url, api_key=standin.api_key, **options)


def weather_agent(model: Model, **options: Any) -> Agent[None, str]:
    agent = Agent(model, **options)

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    return agent


def anthropic_tool_result_sent(tool_use_id: str) -> RequestCheck:
    def check(body: dict[str, Any]) -> None:
        last = body["messages"][-1]
        results = [block for block in last["content"] if block.get("type") == "tool_result"]
        assert [result["tool_use_id"] for result in results] == [tool_use_id]

    return check


def openai_tool_result_sent(body: dict[str, Any]) -> None:
    last = body["messages"][-1]
    assert last["role"] == "tool"
    assert last["content"] == "sunny in Paris"


def mean_probability(logprobs: list[float]) -> float:
    return sum(math.exp(logprob) for logprob in logprobs) / len(logprobs)


def responses(messages: list[ModelMessage]) -> list[ModelResponse]:
    return [message for message in messages if isinstance(message, ModelResponse)]


# --- the official Anthropic SDK ----------------------------------------------------------


async def test_anthropic_answers_a_message(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(text="Hello there.", usage=Usage(12, 3)))
    async with anthropic_client(anthropic_standin) as client:
        message = await client.messages.create(model=CLAUDE, max_tokens=256, messages=ASK)

    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].type == "text" and message.content[0].text == "Hello there."
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (12, 3)
    [call] = anthropic_standin.model_calls
    assert call.body is not None and call.body["messages"] == ASK
    assert call.headers["anthropic-version"]
    assert call.headers["authorization"] == f"Bearer {anthropic_standin.api_key}"


async def test_anthropic_streams_text_in_deltas(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(text="One two three four.", tokens_per_chunk=2))
    async with (
        anthropic_client(anthropic_standin) as client,
        client.messages.stream(model=CLAUDE, max_tokens=256, messages=ASK) as stream,
    ):
        deltas = [text async for text in stream.text_stream]
        message = await stream.get_final_message()

    assert deltas == ["One two", " three four."]
    assert message.content[0].type == "text" and message.content[0].text == "One two three four."
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == 4
    assert anthropic_standin.model_calls[0].outcome == "completed"


async def test_anthropic_streams_thinking_then_text(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(thinking="Greet back, briefly.", text="Hi!"))
    async with (
        anthropic_client(anthropic_standin) as client,
        client.messages.stream(
            model=CLAUDE,
            max_tokens=2048,
            thinking={"type": "enabled", "budget_tokens": 1024},
            messages=ASK,
        ) as stream,
    ):
        kinds = [event.type async for event in stream]
        message = await stream.get_final_message()

    thinking, text = message.content
    assert thinking.type == "thinking" and thinking.thinking == "Greet back, briefly."
    assert thinking.signature
    assert text.type == "text" and text.text == "Hi!"
    assert {"thinking", "signature", "text"} <= set(kinds)


async def test_anthropic_tool_use_then_final_answer(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(
        Turn(text="Let me look.", tool_calls=[WEATHER_CALL]),
        Turn(text="Sunny in Paris.", expect=anthropic_tool_result_sent("toolu_weather")),
    )
    tools: Any = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    async with anthropic_client(anthropic_standin) as client:
        first = await client.messages.create(
            model=CLAUDE, max_tokens=256, tools=tools, messages=ASK
        )
        tool_use = first.content[-1]
        assert tool_use.type == "tool_use"
        assert (tool_use.id, tool_use.name, tool_use.input) == (
            "toolu_weather",
            "get_weather",
            {"city": "Paris"},
        )
        assert first.stop_reason == "tool_use"
        result: Any = {"type": "tool_result", "tool_use_id": tool_use.id, "content": "sunny"}
        history: Any = [
            *ASK,
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [result]},
        ]
        final = await client.messages.create(
            model=CLAUDE, max_tokens=256, tools=tools, messages=history
        )

    assert final.content[0].type == "text" and final.content[0].text == "Sunny in Paris."
    assert anthropic_standin.remaining_turns == 0


async def test_anthropic_overloaded_is_529(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(error=ScriptedError(529, retry_after=7)))
    async with anthropic_client(anthropic_standin, max_retries=0) as client:
        with pytest.raises(anthropic.InternalServerError) as raised:
            await client.messages.create(model=CLAUDE, max_tokens=256, messages=ASK)

    assert isinstance(raised.value, anthropic.APIStatusError)
    assert raised.value.status_code == 529
    assert raised.value.type == "overloaded_error"
    assert raised.value.response.headers["retry-after"] == "7"
    assert raised.value.response.headers["retry-after-ms"] == "7000"
    assert raised.value.request_id is not None


async def test_anthropic_rejects_a_wrong_key(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(text="never sent"))
    async with anthropic.AsyncAnthropic(
        base_url=anthropic_standin.base_url, api_key="wrong"
    ) as client:
        with pytest.raises(anthropic.AuthenticationError) as raised:
            await client.messages.create(model=CLAUDE, max_tokens=256, messages=ASK)

    assert raised.value.status_code == 401
    assert raised.value.type == "authentication_error"
    assert anthropic_standin.remaining_turns == 1


async def test_anthropic_takes_the_x_api_key_header(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(Turn(text="ok"))
    body = {"model": CLAUDE, "max_tokens": 16, "messages": ASK}
    async with httpx.AsyncClient(base_url=anthropic_standin.base_url) as http:
        good = {"x-api-key": anthropic_standin.api_key, "anthropic-version": "2023-06-01"}
        answered = await http.post("/v1/messages", json=body, headers=good)
        wrong_key = await http.post("/v1/messages", json=body, headers={"x-api-key": "x"})
        no_version = {"x-api-key": anthropic_standin.api_key}
        missing_version = await http.post("/v1/messages", json=body, headers=no_version)

    assert answered.json()["content"] == [{"type": "text", "text": "ok"}]
    assert wrong_key.status_code == 401
    assert wrong_key.json()["error"] == {
        "type": "authentication_error",
        "message": "invalid x-api-key",
    }
    assert missing_version.status_code == 400
    assert missing_version.json()["error"]["type"] == "invalid_request_error"


async def test_anthropic_lists_models(anthropic_standin: AnthropicStandin) -> None:
    async with anthropic_client(anthropic_standin) as client:
        page = await client.models.list()
        model = await client.models.retrieve("claude-haiku-4-5")
        with pytest.raises(anthropic.NotFoundError):
            await client.models.retrieve("claude-unknown")

    assert [info.id for info in page.data] == anthropic_standin.models
    assert model.display_name == "Claude Haiku 4.5"


async def test_anthropic_counts_tokens(anthropic_standin: AnthropicStandin) -> None:
    async with anthropic_client(anthropic_standin) as client:
        counted = await client.messages.count_tokens(model=CLAUDE, messages=ASK, system="Be brief.")

    assert counted.input_tokens == len(tokenize("user Hello Be brief."))


async def test_anthropic_error_event_mid_stream(anthropic_standin: AnthropicStandin) -> None:
    overloaded = ScriptedError(529, mid_stream=True)
    anthropic_standin.script(Turn(text="Partial answer", error=overloaded))
    texts: list[str] = []

    async def read_stream(client: anthropic.AsyncAnthropic) -> None:
        async with client.messages.stream(model=CLAUDE, max_tokens=64, messages=ASK) as stream:
            async for text in stream.text_stream:
                texts.append(text)

    async with anthropic_client(anthropic_standin, max_retries=0) as client:
        with pytest.raises(anthropic.APIStatusError) as raised:
            await read_stream(client)

    assert "".join(texts) == "Partial answer"
    body: Any = raised.value.body
    assert body["type"] == "error"
    assert body["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    assert anthropic_standin.model_calls[0].outcome == "completed"


# --- the official OpenAI SDK -------------------------------------------------------------


async def test_openai_answers_a_completion(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="Hello there."))
    async with openai_client(openai_standin) as client:
        completion = await client.chat.completions.create(model=GPT, messages=CHAT)

    choice = completion.choices[0]
    assert choice.message.content == "Hello there."
    assert choice.finish_reason == "stop"
    assert choice.logprobs is None
    assert completion.usage is not None and completion.usage.completion_tokens == 2
    [call] = openai_standin.model_calls
    assert call.headers["authorization"] == f"Bearer {openai_standin.api_key}"


async def test_openai_streams_text_deltas(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="One two three."))
    async with openai_client(openai_standin) as client:
        stream = await client.chat.completions.create(model=GPT, messages=CHAT, stream=True)
        chunks = [chunk async for chunk in stream]

    deltas = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices]
    assert deltas == ["", "One", " two", " three.", None]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in chunks)


async def test_openai_streams_tool_call_fragments(openai_standin: OpenAIStandin) -> None:
    calls = [WEATHER_CALL, ToolCall("get_time", {"zone": "Europe/Paris"}, id="call_time")]
    openai_standin.script(Turn(tool_calls=calls))
    fragments: dict[int, dict[str, str]] = {}
    async with openai_client(openai_standin) as client:
        stream = await client.chat.completions.create(model=GPT, messages=CHAT, stream=True)
        finish_reasons = []
        async for chunk in stream:
            finish_reasons.append(chunk.choices[0].finish_reason)
            for delta in chunk.choices[0].delta.tool_calls or []:
                call = fragments.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.id or ""
                assert delta.function is not None
                call["name"] += delta.function.name or ""
                call["arguments"] += delta.function.arguments or ""

    assert fragments == {
        0: {"id": "toolu_weather", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        1: {"id": "call_time", "name": "get_time", "arguments": '{"zone": "Europe/Paris"}'},
    }
    assert finish_reasons[-1] == "tool_calls"


async def test_openai_final_usage_chunk(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="Counted words here.", usage=Usage(40, 4)))
    async with openai_client(openai_standin) as client:
        stream = await client.chat.completions.create(
            model=GPT,
            messages=CHAT,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]

    *content, last = chunks
    assert last.choices == []
    usage = last.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (40, 4, 44)
    assert all(chunk.usage is None for chunk in content)


async def test_openai_logprobs_meet_the_target(openai_standin: OpenAIStandin) -> None:
    text = "The capital of France is Paris."
    openai_standin.script(
        Turn.with_mean_probability(text, 0.73),
        Turn.with_mean_probability(text, 0.42, tokens_per_chunk=3),
    )
    async with openai_client(openai_standin) as client:
        completion = await client.chat.completions.create(
            model=GPT,
            messages=CHAT,
            logprobs=True,
            top_logprobs=2,
        )
        stream = await client.chat.completions.create(
            model=GPT,
            messages=CHAT,
            logprobs=True,
            stream=True,
        )
        streamed = [
            token
            async for chunk in stream
            if chunk.choices and chunk.choices[0].logprobs
            for token in chunk.choices[0].logprobs.content or []
        ]

    logprobs = completion.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None
    assert [token.token for token in logprobs.content] == tokenize(text)
    assert mean_probability([token.logprob for token in logprobs.content]) == pytest.approx(
        0.73, abs=1e-6
    )
    first = logprobs.content[0]
    assert first.bytes == list(b"The")
    assert [top.token for top in first.top_logprobs][:1] == ["The"]
    assert len(first.top_logprobs) == 2
    assert "".join(token.token for token in streamed) == text
    assert mean_probability([token.logprob for token in streamed]) == pytest.approx(0.42, abs=1e-6)


async def test_openai_streams_reasoning_content(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(thinking="The user greets me.", text="Hi!"))
    async with openai_client(openai_standin) as client:
        stream = await client.chat.completions.create(model="glm-4.5", messages=CHAT, stream=True)
        extras = [chunk.choices[0].delta.model_extra or {} async for chunk in stream]

    reasoning = "".join(extra.get("reasoning_content", "") for extra in extras)
    assert reasoning == "The user greets me."


async def test_openai_error_mid_stream(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="Partial", error=ScriptedError(500, mid_stream=True)))
    deltas: list[str] = []

    async def read_stream(client: openai.AsyncOpenAI) -> None:
        stream = await client.chat.completions.create(model=GPT, messages=CHAT, stream=True)
        async for chunk in stream:
            deltas.append(chunk.choices[0].delta.content or "")

    async with openai_client(openai_standin, max_retries=0) as client:
        with pytest.raises(openai.APIError, match="server had an error"):
            await read_stream(client)

    assert "".join(deltas) == "Partial"


async def test_openai_rate_limit_with_retry_after(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(error=ScriptedError(429, retry_after=30)))
    async with openai_client(openai_standin, max_retries=0) as client:
        with pytest.raises(openai.RateLimitError) as raised:
            await client.chat.completions.create(model=GPT, messages=CHAT)

    assert raised.value.status_code == 429
    assert raised.value.response.headers["retry-after"] == "30"
    assert raised.value.code == "rate_limit_exceeded"
    assert raised.value.type == "requests"


async def test_openai_rejects_a_wrong_key(openai_standin: OpenAIStandin) -> None:
    async with openai.AsyncOpenAI(base_url=openai_standin.base_url, api_key="wrong") as client:
        with pytest.raises(openai.AuthenticationError) as raised:
            await client.models.list()

    assert raised.value.code == "invalid_api_key"


async def test_openai_lists_models(openai_standin: OpenAIStandin) -> None:
    async with openai_client(openai_standin) as client:
        page = await client.models.list()

    assert [model.id async for model in page] == openai_standin.models


# --- scripting: expectations, exhaustion, latency, cancellation -----------------------------


async def test_script_running_out_is_a_500_not_retried(openai_standin: OpenAIStandin) -> None:
    async with openai_client(openai_standin) as client:
        with pytest.raises(openai.InternalServerError) as raised:
            await client.chat.completions.create(model=GPT, messages=CHAT)

    assert "script ran out" in raised.value.message
    assert len(openai_standin.model_calls) == 1
    with pytest.raises(AssertionError, match="script ran out"):
        openai_standin.raise_failures()
    openai_standin.failures.clear()


async def test_a_failed_expectation_fails_the_request(anthropic_standin: AnthropicStandin) -> None:
    def asks_for_french(body: dict[str, Any]) -> None:
        assert body["system"] == "Answer in French."

    anthropic_standin.script(Turn(text="Bonjour", expect=asks_for_french))
    async with anthropic_client(anthropic_standin) as client:
        with pytest.raises(anthropic.InternalServerError, match="expectation"):
            await client.messages.create(model=CLAUDE, max_tokens=16, messages=ASK)

    [failure] = anthropic_standin.failures
    assert "KeyError('system')" in failure
    assert len(anthropic_standin.model_calls) == 1
    anthropic_standin.failures.clear()


async def test_first_byte_delay_is_observable(openai_standin: OpenAIStandin) -> None:
    openai_standin.script(Turn(text="Slow start.", first_byte_delay=0.3))
    async with openai_client(openai_standin) as client:
        started = time.perf_counter()
        stream = await client.chat.completions.create(model=GPT, messages=CHAT, stream=True)
        async for _chunk in stream:
            break
        waited = time.perf_counter() - started
        await stream.close()

    # A lower bound only: a loaded machine may take longer, never less.
    assert waited >= 0.3


async def test_the_stand_in_sees_a_client_leave_mid_stream(
    anthropic_standin: AnthropicStandin,
) -> None:
    anthropic_standin.script(Turn(text="word " * 50, chunk_delay=0.05))
    async with (
        anthropic_client(anthropic_standin) as client,
        client.messages.stream(model=CLAUDE, max_tokens=256, messages=ASK) as stream,
    ):
        async for _text in stream.text_stream:
            break

    assert anthropic_standin.model_calls[0].wait_finished() == "disconnected"


# --- Pydantic AI end to end --------------------------------------------------------------


async def test_pydantic_ai_anthropic_run_with_a_tool(anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.script(
        Turn(tool_calls=[WEATHER_CALL]),
        Turn(text="It is sunny in Paris.", expect=anthropic_tool_result_sent("toolu_weather")),
    )
    async with AnthropicProvider(
        base_url=anthropic_standin.base_url, api_key=anthropic_standin.api_key
    ) as provider:
        agent = weather_agent(AnthropicModel(CLAUDE, provider=provider))
        result = await agent.run("What is the weather in Paris?")

    assert result.output == "It is sunny in Paris."
    parts = [part for message in result.all_messages() for part in message.parts]
    assert any(
        isinstance(part, ToolCallPart) and part.args_as_dict() == {"city": "Paris"}
        for part in parts
    )
    assert any(
        isinstance(part, ToolReturnPart) and part.content == "sunny in Paris" for part in parts
    )
    # A default max_tokens over the SDK's non-streaming limit makes Pydantic AI stream anyway.
    assert [call.stream for call in anthropic_standin.model_calls] == [True, True]


async def test_pydantic_ai_anthropic_streamed_run_with_thinking(
    anthropic_standin: AnthropicStandin,
) -> None:
    def thinking_enabled(body: dict[str, Any]) -> None:
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}

    anthropic_standin.script(
        Turn(
            thinking="The weather tool knows.", tool_calls=[WEATHER_CALL], expect=thinking_enabled
        ),
        Turn(thinking="It answered.", text="It is sunny in Paris."),
    )
    settings = AnthropicModelSettings(anthropic_thinking={"type": "enabled", "budget_tokens": 1024})
    async with AnthropicProvider(
        base_url=anthropic_standin.base_url, api_key=anthropic_standin.api_key
    ) as provider:
        agent = weather_agent(AnthropicModel(CLAUDE, provider=provider), model_settings=settings)
        async with agent.run_stream_events("What is the weather in Paris?") as events:
            collected = [event async for event in events]

    assert any(isinstance(event, FunctionToolCallEvent) for event in collected)
    assert any(isinstance(event, FunctionToolResultEvent) for event in collected)
    text_deltas = [
        event.delta.content_delta
        for event in collected
        if isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta)
    ]
    assert "".join(text_deltas).endswith("sunny in Paris.")
    final = collected[-1]
    assert isinstance(final, AgentRunResultEvent)
    thinking = [
        part
        for response in responses(final.result.all_messages())
        for part in response.parts
        if isinstance(part, ThinkingPart)
    ]
    assert [part.content for part in thinking] == ["The weather tool knows.", "It answered."]
    assert all(part.signature for part in thinking)
    # The thinking block goes back, signature intact, with the tool result.
    second = anthropic_standin.model_calls[1].body
    assert second is not None
    sent_back = second["messages"][1]["content"][0]
    assert sent_back == {
        "type": "thinking",
        "thinking": "The weather tool knows.",
        "signature": thinking[0].signature,
    }


async def test_pydantic_ai_anthropic_overload_with_and_without_sdk_retries(
    anthropic_standin: AnthropicStandin,
) -> None:
    overloaded = ScriptedError(529, retry_after=0.01)
    anthropic_standin.script(
        Turn(error=overloaded), Turn(text="Recovered."), Turn(error=overloaded)
    )
    async with AnthropicProvider(
        base_url=anthropic_standin.base_url, api_key=anthropic_standin.api_key
    ) as provider:
        model = AnthropicModel(CLAUDE, provider=provider)
        recovered = await Agent(model).run("Hello")
        with pytest.raises(ModelOverloadedError) as raised:
            await Agent(model, model_settings={"max_retries": 0}).run("Hello")

    assert recovered.output == "Recovered."
    assert isinstance(raised.value, ModelHTTPError)
    assert raised.value.status_code == 529
    assert raised.value.retry_after == pytest.approx(0.01)
    assert len(anthropic_standin.model_calls) == 3


async def test_pydantic_ai_anthropic_error_inside_the_stream(
    anthropic_standin: AnthropicStandin,
) -> None:
    anthropic_standin.script(Turn(text="Half an", error=ScriptedError(529, mid_stream=True)))
    async with AnthropicProvider(
        base_url=anthropic_standin.base_url, api_key=anthropic_standin.api_key
    ) as provider:
        agent = Agent(AnthropicModel(CLAUDE, provider=provider), model_settings={"max_retries": 0})
        with pytest.raises(ModelOverloadedError) as raised:
            await agent.run("Hello")

    assert raised.value.in_stream
    assert raised.value.provider_error_type == "overloaded_error"


async def test_pydantic_ai_openai_run_with_a_tool_and_logprobs(
    openai_standin: OpenAIStandin,
) -> None:
    def logprobs_requested(body: dict[str, Any]) -> None:
        assert body["logprobs"] is True

    openai_standin.script(
        Turn(tool_calls=[WEATHER_CALL], expect=logprobs_requested),
        Turn.with_mean_probability("It is sunny in Paris.", 0.8, expect=openai_tool_result_sent),
    )
    settings = OpenAIChatModelSettings(openai_logprobs=True)
    async with OpenAIProvider(
        base_url=openai_standin.base_url, api_key=openai_standin.api_key
    ) as provider:
        agent = weather_agent(OpenAIChatModel(GPT, provider=provider), model_settings=settings)
        result = await agent.run("What is the weather in Paris?")

    assert result.output == "It is sunny in Paris."
    details = result.response.provider_details
    assert details is not None
    logprobs = [entry["logprob"] for entry in details["logprobs"]]
    assert mean_probability(logprobs) == pytest.approx(0.8, abs=1e-6)
    assert [entry["token"] for entry in details["logprobs"]] == tokenize("It is sunny in Paris.")
    assert [call.stream for call in openai_standin.model_calls] == [False, False]


async def test_pydantic_ai_openai_streamed_run_with_reasoning_and_logprobs(
    openai_standin: OpenAIStandin,
) -> None:
    openai_standin.script(
        Turn(thinking="I need the weather tool.", tool_calls=[WEATHER_CALL]),
        Turn.with_mean_probability(
            "It is sunny in Paris.", 0.6, tokens_per_chunk=2, expect=openai_tool_result_sent
        ),
    )
    settings = OpenAIChatModelSettings(openai_logprobs=True)
    async with OpenAIProvider(
        base_url=openai_standin.base_url, api_key=openai_standin.api_key
    ) as provider:
        agent = weather_agent(OpenAIChatModel(GPT, provider=provider), model_settings=settings)
        async with agent.run_stream_events("What is the weather in Paris?") as events:
            collected = [event async for event in events]

    final = collected[-1]
    assert isinstance(final, AgentRunResultEvent)
    first, second = responses(final.result.all_messages())
    assert isinstance(first.parts[0], ThinkingPart)
    assert first.parts[0].content == "I need the weather tool."
    assert first.parts[0].id == "reasoning_content"
    assert isinstance(first.parts[1], ToolCallPart)
    assert isinstance(second.parts[0], TextPart)
    assert second.parts[0].content == "It is sunny in Paris."
    assert second.provider_details is not None
    logprobs = [entry["logprob"] for entry in second.provider_details["logprobs"]]
    assert mean_probability(logprobs) == pytest.approx(0.6, abs=1e-6)
    assert second.usage.input_tokens > 0 and second.usage.output_tokens == 5
    # Pydantic AI sends the reasoning back in the assistant message, in the same field.
    second_request = openai_standin.model_calls[1].body
    assert second_request is not None
    assert second_request["messages"][1]["reasoning_content"] == "I need the weather tool."
    assert second_request["stream_options"] == {"include_usage": True}


async def test_pydantic_ai_leaving_a_streamed_run_closes_the_model_stream(
    openai_standin: OpenAIStandin,
) -> None:
    openai_standin.script(Turn(text="word " * 100, chunk_delay=0.02))
    async with OpenAIProvider(
        base_url=openai_standin.base_url, api_key=openai_standin.api_key
    ) as provider:
        agent = Agent(OpenAIChatModel(GPT, provider=provider))
        async with agent.run_stream_events("Hello") as events:
            async for event in events:
                if isinstance(event, PartDeltaEvent):
                    break

    assert openai_standin.model_calls[0].wait_finished() == "disconnected"


async def test_pydantic_ai_openai_rate_limit_is_retried_by_the_sdk(
    openai_standin: OpenAIStandin,
) -> None:
    limited = ScriptedError(429, retry_after=0.01)
    openai_standin.script(Turn(error=limited), Turn(text="Done."), Turn(error=limited))
    async with OpenAIProvider(
        base_url=openai_standin.base_url, api_key=openai_standin.api_key
    ) as provider:
        model = OpenAIChatModel(GPT, provider=provider)
        recovered = await Agent(model).run("Hello")
        with pytest.raises(ModelRateLimitError) as raised:
            await Agent(model, model_settings={"max_retries": 0}).run("Hello")

    assert recovered.output == "Done."
    assert raised.value.retry_after == pytest.approx(0.01)
    assert raised.value.provider_error_code == "rate_limit_exceeded"
    assert len(openai_standin.model_calls) == 3


async def test_pydantic_ai_reads_the_reasoning_field() -> None:
    with OpenAIStandin(reasoning_field="reasoning") as standin:
        standin.script(Turn(thinking="Short thought.", text="Answer."))
        async with OpenAIProvider(base_url=standin.base_url, api_key=standin.api_key) as provider:
            result = await Agent(OpenAIChatModel("glm-4.5", provider=provider)).run("Hello")

    thinking, text = result.response.parts
    assert isinstance(thinking, ThinkingPart) and thinking.id == "reasoning"
    assert thinking.content == "Short thought."
    assert isinstance(text, TextPart) and text.content == "Answer."


async def test_pydantic_ai_surfaces_a_standin_failure(openai_standin: OpenAIStandin) -> None:
    async with OpenAIProvider(
        base_url=openai_standin.base_url, api_key=openai_standin.api_key
    ) as provider:
        with pytest.raises(ModelServerError, match="script ran out"):
            await Agent(OpenAIChatModel(GPT, provider=provider)).run("Hello")

    assert len(openai_standin.model_calls) == 1
    openai_standin.failures.clear()
