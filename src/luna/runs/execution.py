"""Executing one run inside its durable workflow.

:func:`execute_run` loads the run and the immutable agent version it was created with,
resolves the workspace's model provider, builds the tenant's Pydantic AI agent from
Luna's own validated definition (never from a tenant-supplied agent spec), and runs it
with DBOS durability: each model request is a checkpointed step, so a run whose worker
dies resumes from its last completed request. Steps are recorded as they happen
(:mod:`luna.runs.recorder`); text and thinking deltas go live to watchers on the bus.

Cancellation is a flag on the run (``cancel_requested_at``) that a watcher polls, and a
bus message that wakes it at once: the agent task is cancelled, which closes the model's
HTTP stream and stops tools.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from dbos import DBOS
from pydantic_ai import Agent, DeferredToolRequests, RetryModelRequest, RunContext
from pydantic_ai.capabilities import AbstractCapability, Instrumentation
from pydantic_ai.durable_exec.dbos import DBOSDurability
from pydantic_ai.exceptions import UsageLimitExceeded
from pydantic_ai.messages import (
    AgentStreamEvent,
    ModelMessagesTypeAdapter,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ThinkingPartDelta,
)
from pydantic_ai.models import Model, ModelRequestContext
from pydantic_ai.models.instrumented import InstrumentationSettings
from pydantic_ai.output import StructuredDict
from pydantic_ai.usage import UsageLimits
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.definition import AgentDefinition
from luna.agents.service import version_definition
from luna.budgets.limits import BudgetExceeded
from luna.errors import LunaError, cause_of_type
from luna.observability.logging import get_logger
from luna.observability.metrics import RUNS_FINISHED
from luna.observability.tracing import continued
from luna.providers.build import ResolvedModel, build_model_settings, close_model
from luna.providers.errors import classify_model_error
from luna.providers.prices import cost_usd
from luna.providers.service import resolve_model
from luna.runs import lifecycle
from luna.runs.budget_guard import BudgetGuard
from luna.runs.counterfactual import RecordedWorld, ServedTools
from luna.runs.models import FINISHED, Run, RunStatus
from luna.runs.recorder import StepRecorder, request_key
from luna.runs.runtime import RunRuntime, current_runtime
from luna.runs.steps import StepRecord, StepWriter
from luna.tools.toolset import build_toolsets, load_tool_context

log = get_logger(__name__)

DURABLE_AGENT_NAME: Final = "luna_run"
CANCEL_POLL_SECONDS: Final = 0.5
FIRST_RETRY_DELAY_SECONDS: Final = 1.0
MAX_RETRY_DELAY_SECONDS: Final = 60.0
# How often a run waiting for one of its team's run slots looks again.
FIRST_SLOT_POLL_SECONDS: Final = 0.25
MAX_SLOT_POLL_SECONDS: Final = 2.0


async def execute_run(run_id: str, segment: int = 0) -> str:
    """Run ``run_id`` to its end (or to a pause for approvals); returns its status.
    ``segment`` > 0 resumes a run after its ``segment``-th approval decision."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        run = await session.get(Run, run_id)
        if run is None:
            log.warning("run to execute is missing", run_id=run_id)
            return "missing"
        definition = await _definition_of(runtime, session, run)
    if run.status in FINISHED or definition is None:
        return run.status
    try:
        return await RunExecution(runtime, run, definition, segment).execute()
    except Exception:
        log.exception("run failed unexpectedly", run_id=run_id)
        error = {"code": "internal-error", "message": "The run failed unexpectedly."}
        return await lifecycle.finish(runtime, run, RunStatus.FAILED, error=error)


async def _definition_of(
    runtime: RunRuntime, session: AsyncSession, run: Run
) -> AgentDefinition | None:
    """What the run executes: its draft when it has one, else its agent version."""
    if run.draft_definition is not None:
        return AgentDefinition.model_validate(run.draft_definition)
    cache = None if runtime.caches is None else runtime.caches.agent_versions
    return await version_definition(session=session, version_id=run.agent_version_id, cache=cache)


@dataclass
class RunExecution:
    """One attempt at executing a run (a recovered run makes another)."""

    runtime: RunRuntime
    run: Run
    definition: AgentDefinition
    segment: int = 0

    def __post_init__(self) -> None:
        self.writer = StepWriter(
            session_factory=self.runtime.session_factory,
            bus=self.runtime.bus,
            run_id=self.run.id,
            workspace_id=self.run.workspace_id,
        )
        self.cancel_requested = False
        self.recorder: StepRecorder | None = None
        self.guard: BudgetGuard | None = None
        self.resolved: ResolvedModel | None = None

    async def execute(self) -> str:
        """Execute the run and store how it ended (counted in the metrics), in the trace
        of the request that made it."""
        with continued(self.run.traceparent):
            status = await self._execute()
        provider, model = (
            (self.resolved.kind, self.resolved.model_name) if self.resolved else ("none", "none")
        )
        RUNS_FINISHED.labels(status, provider, model).inc()
        return status

    async def _execute(self) -> str:
        if self.run.cancel_requested_at is not None:
            return await self._end_cancelled()
        try:
            resolved = await self._resolve_model()
        except LunaError as error:
            return await self._end_failed(error.code, error.detail)
        self.resolved = resolved
        if not await self._wait_for_slot(resolved):
            return await self._end_cancelled()
        model = self.runtime.build_model(resolved)
        try:
            agent = await self._build_agent(resolved, model)
        except LunaError as error:  # a tool the operator does not allow, say
            await close_model(model)
            return await self._end_failed(error.code, error.detail)
        try:
            return await self._run_agent(agent)
        finally:
            await close_model(model)

    async def _wait_for_slot(self, resolved: ResolvedModel) -> bool:
        """Start once the team's plan has a run slot free (``False``: cancelled while
        waiting). The run stays queued meanwhile; the waits are durable, so a recovered
        run does not wait again for the time it already waited."""
        delay = FIRST_SLOT_POLL_SECONDS
        while not await lifecycle.claim_run_slot(self.runtime, self.run, resolved):
            if await lifecycle.cancel_requested(self.runtime, self.run.id):
                return False
            await durable_sleep(delay)
            delay = min(delay * 2, MAX_SLOT_POLL_SECONDS)
        return True

    async def _run_agent(self, agent: Agent[None, Any]) -> str:
        try:
            result = await self._run_watched(agent)
        except asyncio.CancelledError:
            if not self.cancel_requested:
                raise
            return await self._end_cancelled()
        except UsageLimitExceeded as error:
            return await self._end_failed("too-many-model-requests", str(error))
        except Exception as error:  # noqa: BLE001  (any failure ends the run, classified)
            return await self._end_with_error(error)
        return await self._end_with_output(result.output, result.all_messages())

    async def _resolve_model(self) -> ResolvedModel:
        async with self.runtime.session_factory() as session:
            return await resolve_model(
                session=session,
                keyring=self.runtime.keyring,
                workspace_id=self.run.workspace_id,
                choice=self.definition.model,
                allow_private_networks=self.runtime.settings.providers_private_networks_allowed,
            )

    async def _build_agent(self, resolved: ResolvedModel, model: Model) -> Agent[None, Any]:
        settings = self.runtime.settings
        context = await load_tool_context(
            session_factory=self.runtime.session_factory,
            workspace_id=self.run.workspace_id,
            settings=settings,
        )

        def cost(tokens_in: int, tokens_out: int) -> Decimal:
            return cost_usd(
                kind=resolved.kind,
                model_name=resolved.model_name,
                input_tokens=tokens_in,
                output_tokens=tokens_out,
            )

        recorder = StepRecorder(
            writer=self.writer, clock=self.runtime.clock, cost=cost, prefix=self.prefix
        )
        self.recorder = recorder
        self.guard = BudgetGuard(
            run_id=self.run.id,
            cost=cost,
            bus=self.runtime.bus,
            instructions=self.definition.instructions,
        )
        retries = ProviderRetries(
            writer=self.writer,
            clock=self.runtime.clock,
            limit=settings.run_model_retries,
            prefix=self.prefix,
        )
        served = await self._recorded_world()
        return Agent(
            model,
            name=DURABLE_AGENT_NAME,
            instructions=self.definition.instructions,
            output_type=self._output_type(),
            toolsets=build_toolsets(self.definition, context=context),
            model_settings=build_model_settings(resolved),
            capabilities=[
                self.guard,
                recorder,
                *served,
                retries,
                *self._instrumentation(),
                DBOSDurability(event_stream_handler=self._publish_deltas),
            ],
        )

    def _instrumentation(self) -> list[Instrumentation]:
        """Pydantic AI's spans of the run (agent, model requests, tool calls), with
        prompts and answers only when the operator asks for them; none without tracing."""
        provider = self.runtime.tracer_provider
        if provider is None:
            return []
        settings = InstrumentationSettings(
            tracer_provider=provider,
            include_content=self.runtime.settings.otel_capture_content,
            include_binary_content=False,
        )
        return [Instrumentation(settings=settings)]

    async def _recorded_world(self) -> list[ServedTools]:
        """For a counterfactual replay, what answers its tools: the original's results."""
        original = self.run.counterfactual_of_run_id
        if original is None:
            return []
        async with self.runtime.session_factory() as session:
            world = await RecordedWorld.of_run(session, original)
        return [ServedTools(world=world)]

    def _output_type(self) -> Any:
        output: Any = str
        if self.definition.output_schema is not None:
            output = StructuredDict(self.definition.output_schema, name="output")
        if any(tool.requires_approval for tool in self.definition.tools) or any(
            server.tools_requiring_approval for server in self.definition.mcp_servers
        ):
            return [output, DeferredToolRequests]
        return output

    @property
    def prefix(self) -> str:
        """What this segment's step keys start with (model requests count anew)."""
        return f"s{self.segment}:" if self.segment else ""

    async def _run_watched(self, agent: Agent[None, Any]) -> Any:
        limits = UsageLimits(request_limit=self.runtime.settings.run_max_model_requests)
        if self.segment:
            decisions = await lifecycle.approval_decisions(self.runtime, self.run.id)
            resumed = await lifecycle.resumption(
                self.runtime, self.run.id, list(decisions.approvals)
            )
            if self.recorder is not None:
                self.recorder.decisions = resumed.decisions
                self.recorder.continues_from = resumed.continues_from
            history = ModelMessagesTypeAdapter.validate_python(self.run.messages or [])
            run = agent.run(
                message_history=history, deferred_tool_results=decisions, usage_limits=limits
            )
        else:
            earlier = await lifecycle.thread_history(self.runtime, self.run)
            run = agent.run(
                prompt_of(self.run.input),
                message_history=ModelMessagesTypeAdapter.validate_python(earlier) or None,
                usage_limits=limits,
            )
        task = asyncio.create_task(run)
        watcher = asyncio.create_task(self._watch_for_cancel(task))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise
        finally:
            watcher.cancel()

    async def _watch_for_cancel(self, task: asyncio.Task[Any]) -> None:
        """Cancel the agent task once cancellation is asked for: at once on a ``cancel``
        message of the bus, and by polling the run (another process may have asked)."""
        async with self.runtime.bus.subscribe(self.run.id) as messages:
            while not task.done():
                try:
                    message = await asyncio.wait_for(messages.get(), CANCEL_POLL_SECONDS)
                except TimeoutError:
                    message = {"type": "poll"}
                if message.get("type") not in ("cancel", "poll"):
                    continue  # this run's own step and status news
                if await lifecycle.cancel_requested(self.runtime, self.run.id):
                    self.cancel_requested = True
                    task.cancel()
                    return

    async def _publish_deltas(
        self, ctx: RunContext[None], events: AsyncIterable[AgentStreamEvent]
    ) -> None:
        async for event in events:
            delta = live_delta(event)
            if delta is not None:
                kind, text = delta
                index = event.index  # type: ignore[union-attr]
                message = {"type": "delta", "request": ctx.run_step, "part": index}
                await self.runtime.bus.publish(self.run.id, {**message, "kind": kind, "text": text})

    async def _end_with_output(self, output: Any, messages: list[Any]) -> str:
        history = json.loads(ModelMessagesTypeAdapter.dump_json(messages))
        if isinstance(output, DeferredToolRequests):
            await lifecycle.record_approvals(self.runtime, self.writer, self.run, output)
            return await lifecycle.finish(
                self.runtime, self.run, RunStatus.WAITING_APPROVAL, messages=history
            )
        value = output if isinstance(output, str) else dict(output)
        body = {"text": value} if isinstance(value, str) else {"data": value}
        await self.writer.write(
            StepRecord(key="final", kind="final", started_at=self.runtime.clock(), content=body)
        )
        return await lifecycle.finish(
            self.runtime, self.run, RunStatus.SUCCEEDED, output=body, messages=history
        )

    async def _end_with_error(self, error: Exception) -> str:
        over_budget = cause_of_type(error, BudgetExceeded)
        if over_budget is not None:
            return await self._end_over_budget(over_budget)
        failure = classify_model_error(error)
        if failure is not None:
            return await self._end_failed(failure.code, failure.message, status=failure.status)
        refusal = cause_of_type(error, LunaError)
        if refusal is not None:  # e.g. an MCP server at an address the workspace may not reach
            return await self._end_failed(refusal.code, refusal.detail)
        log.exception("run failed", run_id=self.run.id)
        return await self._end_failed("internal-error", "The run failed unexpectedly.")

    async def _end_failed(
        self, code: str, message: str, *, output: dict[str, Any] | None = None, **extra: Any
    ) -> str:
        """End the run failed, with an ``error`` step saying why (and ``output``, the part
        of an answer it had, if any)."""
        error = {"code": code, "message": message, **extra}
        await self.writer.write(
            StepRecord(
                key="error",
                kind="error",
                status="error",
                started_at=self.runtime.clock(),
                content=error,
            )
        )
        return await lifecycle.finish(
            self.runtime, self.run, RunStatus.FAILED, output=output, error=error
        )

    async def _end_over_budget(self, error: BudgetExceeded) -> str:
        """Stop before the request that would cross a budget, keeping what the model had
        answered so far as the run's (partial) output."""
        partial = "" if self.guard is None else self.guard.partial
        output = {"text": partial, "partial": True} if partial else None
        return await self._end_failed(error.code, error.detail, output=output, **error.data)

    async def _end_cancelled(self) -> str:
        error = {"code": "cancelled", "message": "The run was cancelled."}
        return await lifecycle.finish(self.runtime, self.run, RunStatus.CANCELLED, error=error)


@dataclass(kw_only=True)
class ProviderRetries(AbstractCapability[None]):
    """Retries a model request the provider says may be retried, waiting as it asks
    (durably: a recovered run does not wait again), and records each retry as a step."""

    writer: StepWriter
    clock: Callable[[], datetime]
    limit: int
    prefix: str = ""

    @classmethod
    def get_serialization_name(cls) -> str | None:
        return None

    async def on_model_request_error(
        self, ctx: RunContext[None], *, request_context: ModelRequestContext, error: Exception
    ) -> Any:
        failure = classify_model_error(error)
        attempt = request_context.attempt
        if failure is None or not failure.retryable or attempt > self.limit:
            raise error
        delay = failure.retry_after_seconds or FIRST_RETRY_DELAY_SECONDS * 2 ** (attempt - 1)
        delay = min(delay, MAX_RETRY_DELAY_SECONDS)
        await self.writer.write(
            StepRecord(
                key=f"{request_key(self.prefix, ctx.run_step)}/attempt:{attempt}",
                kind="error",
                status="retrying",
                started_at=self.clock(),
                parent_key=None,
                content={"code": failure.code, "message": failure.message, "retry_in": delay},
            )
        )
        await durable_sleep(delay)
        raise RetryModelRequest()


async def durable_sleep(seconds: float) -> None:
    """Sleep; inside a workflow, durably (a recovered run skips a completed sleep)."""
    if DBOS.workflow_id is not None:
        await DBOS.sleep_async(seconds)
    else:
        await asyncio.sleep(seconds)


def prompt_of(run_input: dict[str, Any]) -> str:
    """The user prompt of a run's input: its text, or its object as JSON."""
    value = run_input.get("value")
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def live_delta(event: AgentStreamEvent) -> tuple[str, str] | None:
    """The kind and text of a streamed text or thinking fragment, if ``event`` is one."""
    if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart | ThinkingPart):
        kind = "text" if isinstance(event.part, TextPart) else "thinking"
        return (kind, event.part.content) if event.part.content else None
    if isinstance(event, PartDeltaEvent):
        if isinstance(event.delta, TextPartDelta):
            return "text", event.delta.content_delta
        if isinstance(event.delta, ThinkingPartDelta) and event.delta.content_delta:
            return "thinking", event.delta.content_delta
    return None
