"""The scripting model of the provider stand-ins: what the model answers, one turn per request.

A script is a list of `Turn`s, consumed in order: each model request takes the next turn. A
tool-calling run is two turns (the tool call, then the final text once the tool result is back).
Both stand-ins read the same turns and render them in their own wire format.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RequestCheck = Callable[[dict[str, Any]], None]
"""Checks the parsed JSON body of the request a turn answers, failing with AssertionError."""

DEFAULT_TOKEN_PROBABILITY = 0.9
"""The probability each text token gets when logprobs are asked for but the turn scripts none."""

_TOKEN_PATTERN = re.compile(r"\s*\S+|\s+")


def tokenize(text: str) -> list[str]:
    """Split text into word tokens that carry their leading whitespace; they join back to `text`."""
    return _TOKEN_PATTERN.findall(text)


def count_tokens(text: str) -> int:
    return len(tokenize(text))


def group(items: Sequence[str], size: int) -> list[str]:
    """Join consecutive items `size` at a time: the deltas a stream sends."""
    return ["".join(items[start : start + size]) for start in range(0, len(items), size)]


def logprobs_for_mean_probability(count: int, mean_probability: float) -> list[float]:
    """`count` log-probabilities around the target whose probabilities average exactly to it."""
    if not 0.0 < mean_probability <= 1.0:
        raise ValueError(f"mean_probability must be in (0, 1], not {mean_probability}")
    spread = min(mean_probability, 1.0 - mean_probability) / 2
    probabilities = [
        mean_probability + spread if index % 2 == 0 else mean_probability - spread
        for index in range(count)
    ]
    if count % 2:
        probabilities[-1] = mean_probability
    return [math.log(probability) for probability in probabilities]


def request_input_tokens(body: Mapping[str, Any]) -> int:
    """A sensible prompt size: the word tokens of every string in the system, messages, tools."""
    strings = _strings_in([body.get("system"), body.get("messages"), body.get("tools")])
    return max(1, sum(count_tokens(string) for string in strings))


def _strings_in(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)


@dataclass(frozen=True)
class ToolCall:
    """A function tool the model calls; `id` defaults to a fresh provider-style id."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None

    @property
    def arguments_json(self) -> str:
        return json.dumps(dict(self.arguments))


@dataclass(frozen=True)
class Usage:
    """Token counts a turn reports instead of the computed ones."""

    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class ScriptedError:
    """An error the provider answers instead of a response.

    `type` (and for OpenAI `code`) default to what the provider sends for `status`; `message`
    defaults to the provider's wording. With `mid_stream`, a streaming request first gets a 200
    and the turn's content, then the provider's in-stream error event; a non-streaming one gets
    the status as usual.
    """

    status: int
    type: str | None = None
    message: str | None = None
    code: str | None = None
    retry_after: float | None = None
    mid_stream: bool = False


@dataclass(frozen=True)
class Turn:
    """What the model answers to one request.

    - `thinking`: Anthropic thinking block / OpenAI-compatible `reasoning_content`.
    - `text`: the answer text; `tool_calls`: function calls, after the text.
    - `usage`: reported token counts; by default the input is counted from the request and the
      output from the thinking, text and tool arguments.
    - `logprobs`: one log-probability per text token (see `tokenize`), sent by the OpenAI
      stand-in when the request asks for logprobs; `Turn.with_mean_probability` scripts them.
    - `error`: answer this error instead (a `mid_stream` error streams the content first).
    - `first_byte_delay`: seconds before the response starts; `chunk_delay`: seconds between
      streamed events; `tokens_per_chunk`: how many tokens each streamed delta carries.
    - `truncated`: stop for the token limit (`max_tokens` / `length`) instead of naturally.
    - `expect`: checks the parsed request body; a failing check answers a 500 and fails the test.
    """

    text: str = ""
    thinking: str = ""
    tool_calls: Sequence[ToolCall] = ()
    usage: Usage | None = None
    logprobs: Sequence[float] | None = None
    error: ScriptedError | None = None
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0
    tokens_per_chunk: int = 1
    truncated: bool = False
    expect: RequestCheck | None = None

    def __post_init__(self) -> None:
        if self.tokens_per_chunk < 1:
            raise ValueError("tokens_per_chunk must be at least 1")
        if self.first_byte_delay < 0 or self.chunk_delay < 0:
            raise ValueError("delays cannot be negative")
        if self.logprobs is not None:
            if len(self.logprobs) != len(self.text_tokens):
                counts = f"{len(self.logprobs)} logprobs for {len(self.text_tokens)} text tokens"
                raise ValueError(f"one logprob per text token is needed: {counts}")
            if any(logprob > 0 for logprob in self.logprobs):
                raise ValueError("a log-probability cannot be positive")

    @classmethod
    def with_mean_probability(cls, text: str, mean_probability: float, **options: Any) -> Turn:
        """A text turn whose token probabilities average to `mean_probability`."""
        logprobs = logprobs_for_mean_probability(len(tokenize(text)), mean_probability)
        return cls(text=text, logprobs=logprobs, **options)

    @property
    def text_tokens(self) -> list[str]:
        return tokenize(self.text)

    def token_logprobs(self) -> list[float]:
        """The scripted log-probability of each text token, or the default one."""
        if self.logprobs is not None:
            return list(self.logprobs)
        return [math.log(DEFAULT_TOKEN_PROBABILITY)] * len(self.text_tokens)

    def text_deltas(self) -> list[str]:
        return group(self.text_tokens, self.tokens_per_chunk)

    def thinking_deltas(self) -> list[str]:
        return group(tokenize(self.thinking), self.tokens_per_chunk)

    def argument_deltas(self, call: ToolCall) -> list[str]:
        return group(tokenize(call.arguments_json), self.tokens_per_chunk)

    def usage_for(self, body: Mapping[str, Any]) -> Usage:
        """The usage this turn reports for a request: scripted, or computed."""
        if self.usage is not None:
            return self.usage
        output = count_tokens(self.thinking) + count_tokens(self.text)
        output += sum(count_tokens(call.arguments_json) for call in self.tool_calls)
        return Usage(input_tokens=request_input_tokens(body), output_tokens=max(1, output))
