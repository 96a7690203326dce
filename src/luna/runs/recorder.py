"""Turning an agent run into recorded steps, as it happens.

:class:`StepRecorder` is a Pydantic AI capability. Its hooks run in the workflow's own
code (outside the durable model steps), so when a recovered run replays them with the
model responses DBOS saved, they write the same keys again and the writer skips them.

For each model request it stores a ``model_request`` step (latency, tokens, cost and
the confidence figure), then one step per part of the response (``thinking``, ``text``,
``tool_call``); each tool execution becomes a ``tool_result`` step under its call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic_ai import ModelRetry, RunContext
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.exceptions import ApprovalRequired, CallDeferred
from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from pydantic_ai.models import ModelRequestContext
from pydantic_ai.tools import ToolDefinition
from pydantic_core import to_jsonable_python

from luna.observability.metrics import MODEL_REQUEST_SECONDS, MODEL_TOKENS
from luna.runs.steps import StepRecord, StepWriter

CostFunction = Callable[[int, int], Decimal]
OUTPUT_TOOL_NAME = "final_result"


def request_key(prefix: str, request: int) -> str:
    """The key of a run's ``request``-th model request."""
    return f"{prefix}req:{request}"


def call_key(prefix: str, request: int, tool_call_id: str) -> str:
    """The key of a tool call the ``request``-th model response asked for."""
    return f"{request_key(prefix, request)}/call:{tool_call_id}"


def confidence_of(response: ModelResponse) -> float | None:
    """The mean token probability of a response, when the provider sent log-probabilities."""
    logprobs = (response.provider_details or {}).get("logprobs")
    if not isinstance(logprobs, list):
        return None
    values = [item.get("logprob") for item in logprobs if isinstance(item, dict)]
    probabilities = [math.exp(value) for value in values if isinstance(value, int | float)]
    if not probabilities:
        return None
    return round(sum(probabilities) / len(probabilities), 6)


def _jsonable(value: Any) -> Any:
    return to_jsonable_python(value, fallback=str)


def _new_request_parts(request_context: ModelRequestContext) -> list[dict[str, Any]]:
    """What this request adds to the conversation: the prompt, tool returns, retries."""
    last = request_context.messages[-1] if request_context.messages else None
    if not isinstance(last, ModelRequest):
        return []
    return [
        {
            "kind": part.part_kind,
            "content": _jsonable(getattr(part, "content", None)),
            **({"tool_name": part.tool_name} if hasattr(part, "tool_name") else {}),
        }
        for part in last.parts
    ]


@dataclass(kw_only=True)
class StepRecorder(AbstractCapability[None]):
    """Records a run's model requests, response parts and tool results as steps."""

    writer: StepWriter
    clock: Callable[[], datetime]
    cost: CostFunction
    prefix: str = ""
    # In a resumed segment: each decided call's decision step, by the call's id, and the
    # request whose calls paused the run (the segment's first request continues it).
    decisions: dict[str, str] = field(default_factory=dict)
    continues_from: str | None = None
    _started: dict[int, datetime] = field(default_factory=dict, repr=False)

    @classmethod
    def get_serialization_name(cls) -> str | None:
        return None

    async def before_model_request(
        self, ctx: RunContext[None], request_context: ModelRequestContext
    ) -> ModelRequestContext:
        self._started.setdefault(ctx.run_step, self.clock())
        return request_context

    async def after_model_request(
        self,
        ctx: RunContext[None],
        *,
        request_context: ModelRequestContext,
        response: ModelResponse,
    ) -> ModelResponse:
        await self.record_response(ctx.run_step, request_context, response)
        return response

    async def record_response(
        self, request: int, request_context: ModelRequestContext, response: ModelResponse
    ) -> None:
        """Store the model request and each part of its response."""
        started = self._started.pop(request, None) or self.clock()
        ended = self.clock()
        key = request_key(self.prefix, request)
        usage = response.usage
        confidence = confidence_of(response)
        records = [
            StepRecord(
                key=key,
                kind="model_request",
                name=response.model_name,
                started_at=started,
                ended_at=ended,
                parent_key=request_key(self.prefix, request - 1)
                if request > 1
                else self.continues_from,
                content={
                    "request": _new_request_parts(request_context),
                    "finish_reason": response.finish_reason,
                    "model": response.model_name,
                    "provider": response.provider_name,
                },
                tokens_in=usage.input_tokens,
                tokens_out=usage.output_tokens,
                cost_usd=self.cost(usage.input_tokens, usage.output_tokens),
                confidence=confidence,
            )
        ]
        for index, part in enumerate(response.parts):
            record = self._part_record(request, index, part, ended, confidence)
            if record is not None:
                records.append(record)
        written = await self.writer.write_all(records)
        if written[0] is not None:  # new, not a recovered run's replay
            labels = (response.provider_name or "unknown", response.model_name or "unknown")
            MODEL_REQUEST_SECONDS.labels(*labels).observe((ended - started).total_seconds())
            MODEL_TOKENS.labels("in", *labels).inc(usage.input_tokens)
            MODEL_TOKENS.labels("out", *labels).inc(usage.output_tokens)

    def _part_record(
        self,
        request: int,
        index: int,
        part: object,
        answered: datetime,
        confidence: float | None,
    ) -> StepRecord | None:
        """A part of the model's answer, stored at the moment its request ended: the wait
        belongs to the model request, so a text or a tool call takes no time of its own
        (a tool's execution is timed by its result)."""
        parent = request_key(self.prefix, request)
        if isinstance(part, ThinkingPart | TextPart):
            return StepRecord(
                key=f"{parent}/part:{index}",
                kind="thinking" if isinstance(part, ThinkingPart) else "text",
                content={"text": part.content},
                confidence=confidence if isinstance(part, TextPart) else None,
                started_at=answered,
                ended_at=answered,
                parent_key=parent,
            )
        if isinstance(part, ToolCallPart) and part.tool_name != OUTPUT_TOOL_NAME:
            return StepRecord(
                key=call_key(self.prefix, request, part.tool_call_id),
                kind="tool_call",
                name=part.tool_name,
                content={"tool_call_id": part.tool_call_id, "arguments": part.args_as_dict()},
                started_at=answered,
                ended_at=answered,
                parent_key=parent,
            )
        return None

    async def wrap_tool_execute(
        self,
        ctx: RunContext[None],
        *,
        call: ToolCallPart,
        tool_def: ToolDefinition,
        args: Any,
        handler: Any,
    ) -> Any:
        started = self.clock()
        parent = self.decisions.get(call.tool_call_id) or call_key(
            self.prefix, ctx.run_step, call.tool_call_id
        )
        try:
            result = await handler(args)
        except (ApprovalRequired, CallDeferred):
            raise
        except ModelRetry as retry:
            await self._tool_result(parent, call, started, {"retry": retry.message}, "error")
            raise
        except Exception as error:
            await self._tool_result(parent, call, started, {"error": str(error)}, "error")
            raise
        await self._tool_result(parent, call, started, {"result": _jsonable(result)}, "done")
        return result

    async def _tool_result(
        self,
        parent: str,
        call: ToolCallPart,
        started: datetime,
        content: dict[str, Any],
        status: str,
    ) -> None:
        await self.writer.write(
            StepRecord(
                key=f"{parent}/result",
                kind="tool_result",
                name=call.tool_name,
                started_at=started,
                ended_at=self.clock(),
                parent_key=parent,
                status="error" if status == "error" else "done",
                content={"tool_call_id": call.tool_call_id, **content},
            )
        )
