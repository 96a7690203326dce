"""Budgets inside a run: before each model request, what the request would spend is
estimated and held against every budget the run is under; one it would cross stops the
run there, with a ``budget-exceeded`` error and what the model had answered so far.

Both looks at the database are DBOS steps, so a recovered run replays the decisions it
made (the spend they saw has grown since) instead of judging again. A run under no
budget makes one step, and nothing more per request. A run whose workflow an earlier
release started (before budgets) is recovered without them, as it ran. Each look sends
what is left of each budget on the run's live stream (a ``budget`` event).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from dbos import DBOS
from pydantic_ai import RunContext
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestContext
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from luna.budgets.limits import (
    ALERT_LEVELS,
    BudgetExceeded,
    Spend,
    Standing,
    exceeded,
    period_start,
)
from luna.budgets.models import BudgetScope
from luna.budgets.service import alert_once, limits_for_run
from luna.runs.bus import RunBus
from luna.runs.models import Run
from luna.runs.recorder import CostFunction
from luna.runs.runtime import current_runtime
from luna.runs.spend import standing_for_run

# The DBOS patch that marks the run workflows holding their requests to budgets.
BUDGETS_PATCH = "luna.runs.budgets"
# Characters per token when a request's size must be guessed before it is sent.
CHARS_PER_TOKEN = 4


def approximate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _part_text(part: object) -> str:
    if isinstance(part, ToolCallPart):
        return part.tool_name + part.args_as_json_str()
    content = getattr(part, "content", None)
    if isinstance(content, str):
        return content
    return json.dumps(to_jsonable_python(content, fallback=str), ensure_ascii=False)


def estimate_request_tokens(messages: list[ModelMessage], instructions: str) -> int:
    """The input tokens of a request of ``messages``: what the provider counted for the
    last answered request, with that answer and what came after it added (tool results,
    the prompt) at about four characters a token; the whole conversation the first time."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ModelResponse) and message.usage.input_tokens:
            usage = message.usage
            later = messages[index + 1 :]
            return (
                usage.input_tokens
                + usage.output_tokens
                + sum(approximate_tokens(_part_text(p)) for m in later for p in m.parts)
            )
    return approximate_tokens(instructions) + sum(
        approximate_tokens(_part_text(part)) for message in messages for part in message.parts
    )


def partial_text(messages: list[ModelMessage]) -> str:
    """The text of the model's last answer to this prompt (empty when it had none; an
    earlier run's answer in a conversation's history is not this run's)."""
    for message in reversed(messages):
        if isinstance(message, ModelResponse):
            return "".join(part.content for part in message.parts if isinstance(part, TextPart))
        if any(isinstance(part, UserPromptPart) for part in message.parts):
            break
    return ""


async def budgets_apply_to_this_run(run_id: str) -> bool:
    """:func:`budgets_apply`, in a run whose workflow began under budgets: a workflow
    started by an earlier release has no such steps, so it replays as it ran (a DBOS
    patch marks the runs that do)."""
    if DBOS.workflow_id is not None and not await DBOS.patch_async(BUDGETS_PATCH):
        return False
    return await budgets_apply(run_id)


@DBOS.step(name="luna.runs.budgets_apply")
async def budgets_apply(run_id: str) -> bool:
    """Whether any budget of the run's workspace applies to the run."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        run = await session.get(Run, run_id)
        if run is None:
            return False
        limits = await limits_for_run(
            session, workspace_id=run.workspace_id, agent_id=run.agent_id, api_key_id=run.api_key_id
        )
    return bool(limits)


@DBOS.step(name="luna.runs.budget_check")
async def check_budgets(
    run_id: str, estimate_tokens: int, estimate_cost_usd: str
) -> dict[str, Any]:
    """How each budget of the run stands, and the first one a request of this estimate
    would cross (None: it may go ahead). Period budgets at 80 % and 100 % alert."""
    runtime = current_runtime()
    now = runtime.clock()
    estimate = Spend(estimate_tokens, Decimal(estimate_cost_usd))
    async with runtime.session_factory() as session:
        run = await session.get(Run, run_id)
        if run is None:
            return {"budgets": [], "exceeded": None}
        limits = await limits_for_run(
            session, workspace_id=run.workspace_id, agent_id=run.agent_id, api_key_id=run.api_key_id
        )
        standings = [await standing_for_run(session, limit, run=run, now=now) for limit in limits]
        crossing = next((standing for standing in standings if standing.crossed_by(estimate)), None)
        # An alert already told rolls its insert back, which expires ``run``: use ids.
        workspace_id, run_id = run.workspace_id, run.id
        for standing in standings:
            await _alert(session, standing, workspace_id, run_id, now, crossed=standing is crossing)
    error = None if crossing is None else exceeded(crossing, estimate)
    return {
        "budgets": [standing.summary() for standing in standings],
        "exceeded": None if error is None else {"detail": error.detail, **error.data},
    }


async def _alert(
    session: AsyncSession,
    standing: Standing,
    workspace_id: str,
    run_id: str,
    now: datetime,
    *,
    crossed: bool,
) -> None:
    """Tell of a period budget at 80 % or 100 % (crossing counts as 100), once a period;
    the lower mark is passed silently when the higher one is told."""
    if standing.limit.scope == BudgetScope.RUN:
        return
    used = 100 if crossed else standing.used_percent()
    reached = [level for level in ALERT_LEVELS if used >= level]
    start = period_start(standing.limit.scope, now)
    if not reached or start is None:
        return
    for level in reached:
        await alert_once(
            session,
            limit=standing.limit,
            workspace_id=workspace_id,
            period_start=start,
            level=level,
            run_id=run_id,
            notify=level == reached[-1],
        )


@dataclass(kw_only=True)
class BudgetGuard(AbstractCapability[None]):
    """Holds each model request of a run to the run's budgets (see the module)."""

    run_id: str
    cost: CostFunction
    bus: RunBus
    instructions: str
    partial: str = ""
    _applies: bool | None = None

    @classmethod
    def get_serialization_name(cls) -> str | None:
        return None

    async def before_model_request(
        self, ctx: RunContext[None], request_context: ModelRequestContext
    ) -> ModelRequestContext:
        if self._applies is None:
            self._applies = await budgets_apply_to_this_run(self.run_id)
        if not self._applies:
            return request_context
        tokens = estimate_request_tokens(request_context.messages, self.instructions)
        verdict = await check_budgets(self.run_id, tokens, str(self.cost(tokens, 0)))
        message = {"type": "budget", "request": ctx.run_step, "budgets": verdict["budgets"]}
        await self.bus.publish(self.run_id, message)
        stop = verdict["exceeded"]
        if stop is not None:
            self.partial = partial_text(request_context.messages)
            raise BudgetExceeded(stop["detail"], budget=stop["budget"], estimate=stop["estimate"])
        return request_context
