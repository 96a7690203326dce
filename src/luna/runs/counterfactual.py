"""Counterfactual replays: a past run's input run again, on another version or a draft,
in the same world: each tool call the new run makes is answered with the result the
original run recorded for the same tool and arguments, and no tool executes again, so
no side effect (a request sent, a ticket filed) is repeated.

A call the original never made has no recorded answer: the tool is not run, and the
model is told so in the tool's result, so that the replay goes on and shows where the
versions part ways. Calls are matched by tool name and arguments; a call made several
times gets the original's results in the order they came.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic_ai import ModelRetry, RunContext
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.messages import ToolCallPart
from pydantic_ai.tools import ToolDefinition
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.runs.models import RunStep

NOT_RECORDED: Final = (
    "This is a counterfactual replay of an earlier run: tools do not run again, and the "
    "earlier run made no call to {tool} with these arguments, so there is no result to "
    "give. Go on without it."
)

CallKey = tuple[str, str]


def call_key(tool_name: str, arguments: Mapping[str, Any]) -> CallKey:
    """A tool call's identity: its tool and its arguments, in a canonical order."""
    return tool_name, json.dumps(arguments, sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class RecordedWorld:
    """The tool results of one run, by call, in the order they came."""

    run_id: str
    results: dict[CallKey, deque[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    served: int = 0
    unrecorded: int = 0

    @classmethod
    async def of_run(cls, session: AsyncSession, run_id: str) -> RecordedWorld:
        """The recorded results of ``run_id``'s tool calls (their ``tool_result`` steps
        under their ``tool_call`` steps)."""
        steps = list(
            await session.scalars(
                select(RunStep)
                .where(RunStep.run_id == run_id, RunStep.kind.in_(("tool_call", "tool_result")))
                .order_by(RunStep.sequence)
            )
        )
        calls = {step.id: step for step in steps if step.kind == "tool_call"}
        world = cls(run_id=run_id)
        for step in steps:
            call = calls.get(step.parent_step_id or "")
            if step.kind != "tool_result" or call is None:
                continue
            arguments = call.content.get("arguments") or {}
            world.results[call_key(call.name or "", arguments)].append(dict(step.content))
        return world

    def answer(self, tool_name: str, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
        """The next recorded result of this call (``{"result": ...}``, ``{"retry": ...}``
        or ``{"error": ...}``), or None when the original made no such call."""
        recorded = self.results.get(call_key(tool_name, arguments))
        if not recorded:
            self.unrecorded += 1
            return None
        self.served += 1
        return recorded.popleft()


@dataclass(kw_only=True)
class ServedTools(AbstractCapability[None]):
    """Answers every tool call from a :class:`RecordedWorld` instead of running it."""

    world: RecordedWorld

    @classmethod
    def get_serialization_name(cls) -> str | None:
        return None

    async def wrap_tool_execute(
        self,
        ctx: RunContext[None],
        *,
        call: ToolCallPart,
        tool_def: ToolDefinition,
        args: Any,
        handler: Callable[[Any], Any],
    ) -> Any:
        recorded = self.world.answer(call.tool_name, call.args_as_dict())
        if recorded is None:
            return NOT_RECORDED.format(tool=call.tool_name)
        if "result" in recorded:
            return recorded["result"]
        # The original's call failed: the model hears the same failure.
        raise ModelRetry(str(recorded.get("retry") or recorded.get("error") or "failed"))
