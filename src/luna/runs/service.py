"""A workspace's runs: create and queue, read, list, steps, graph, cancel.

Every run is loaded through :func:`get_run_for_workspace`, which answers NotFound alike
for a run that does not exist and for one of another workspace.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import Any, Final

import jsonschema
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.definition import AgentDefinition, ModelChoice
from luna.agents.environments import version_in_environment
from luna.agents.models import Agent
from luna.agents.schemas import ENVIRONMENT_PATTERN, MAX_VERSION_NUMBER
from luna.agents.service import (
    check_definition_provider,
    check_tools_allowed,
    get_agent_for_workspace,
    version_definition,
    version_of_agent,
)
from luna.budgets.halt import check_runs_allowed
from luna.cache import TwoLevelCache
from luna.db.base import utcnow
from luna.db.ids import new_id
from luna.db.pagination import Keyset, PageRequest, Slice, cursor_error, paginate
from luna.db.scoping import get_in_workspace
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.jobs.leases import live_executors
from luna.plans.entitlements import check_entitlement
from luna.providers.service import check_model_available
from luna.runs.lifecycle import resume_segment, transition
from luna.runs.models import ACTIVE, FINISHED, Run, RunApproval, RunStatus, RunStep
from luna.runs.schemas import ApprovalDecisions, CounterfactualCreate, RunCreate
from luna.security.crypto import Keyring
from luna.tenancy.models import Workspace
from luna.tenancy.service import team_of_workspace

RUN_KEYSET: Final = Keyset({"created_at": Run.created_at}, id_column=Run.id)
# How many recent runs of a version are compared with a new run's input for a cached answer.
CACHE_CANDIDATES: Final = 50
MAX_GRAPH_STEPS: Final = 5000


async def get_run_for_workspace(*, session: AsyncSession, workspace_id: str, run_id: str) -> Run:
    """The workspace's run with this id; NotFound if it is missing or another workspace's."""
    missing = NotFound(f"No run {run_id} in this workspace.")
    return await get_in_workspace(
        session, Run, workspace_id=workspace_id, object_id=run_id, missing=missing
    )


async def create_run(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    agent_id: str,
    request: RunCreate,
    idempotency_key: str | None,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
    definitions: TwoLevelCache | None = None,
    mcp_stdio_allowed: bool = True,
    counterfactual_of: str | None = None,
) -> tuple[Run, bool]:
    """Store a queued run of the agent's current version (or of ``request.version``, or
    of an unsaved ``request.draft``); the run and whether it was created now (False: an
    earlier request with the same Idempotency-Key made it).

    Refused before anything is stored while the workspace's kill switch is engaged (409
    ``runs-halted``), when the agent is archived (409), the input does
    not match the agent's input schema (422), the workspace has no model provider
    the agent can use (409 ``no-provider-configured``, saying how to add one) or the
    team's runs of the day are used up (402); the run is counted in the transaction
    that stores it.
    """
    agent_id, request = pinned(agent_id, request)
    if idempotency_key is not None:
        earlier = await _by_idempotency_key(session, workspace_id, idempotency_key)
        if earlier is not None:
            return _same_request(earlier, agent_id, request), False
    await check_runs_allowed(session, workspace_id)
    agent, version_id, definition = await _runnable_version(
        session, keyring, workspace_id, agent_id, request, definitions, mcp_stdio_allowed
    )
    thread_id = await _thread_of(session, workspace_id, request.thread_id)
    team = await team_of_workspace(session=session, workspace_id=workspace_id)
    await check_entitlement(session=session, team=team, entitlement="runs-per-day", now=now)
    cached = None
    if (
        definition.cache_ttl_seconds
        and request.draft is None
        and request.thread_id is None
        and counterfactual_of is None
    ):
        since = now - timedelta(seconds=definition.cache_ttl_seconds)
        cached = await _cached_answer(session, workspace_id, version_id, request.input, since)
    run_id = new_id("run")
    run = Run(
        id=run_id,
        workspace_id=workspace_id,
        agent_id=agent.id,
        agent_version_id=version_id,
        status=RunStatus.QUEUED,
        input={"value": request.input},
        draft_definition=None if request.draft is None else request.draft.model_dump(mode="json"),
        idempotency_key=idempotency_key,
        created_by_user_id=user_id,
        api_key_id=api_key_id,
        thread_id=thread_id or run_id,
        created_at=now,
        counterfactual_of_run_id=counterfactual_of,
        environment=None if counterfactual_of else request.environment,
    )
    session.add(run)
    if cached is not None:
        await _answer_from_cache(session, run, cached, now)
    try:
        await session.commit()
    except IntegrityError:  # the same key, concurrently: answer with the winner's run
        await session.rollback()
        earlier = await _by_idempotency_key(session, workspace_id, idempotency_key or "")
        if earlier is None:
            raise
        return _same_request(earlier, agent_id, request), False
    if cached is not None:
        await session.refresh(run)
    return run, True


async def _cached_answer(
    session: AsyncSession,
    workspace_id: str,
    version_id: str,
    value: str | dict[str, Any],
    since: datetime,
) -> Run | None:
    """The newest run of this version on this input, begun afresh (no thread before it)
    since ``since``, that succeeded by calling the model; None when there is none."""
    candidates = await session.scalars(
        select(Run)
        .where(
            Run.workspace_id == workspace_id,
            Run.agent_version_id == version_id,
            Run.status == RunStatus.SUCCEEDED,
            Run.created_at >= since,
            Run.cached_from_run_id.is_(None),
            Run.thread_id == Run.id,
        )
        .order_by(Run.created_at.desc(), Run.id.desc())
        .limit(CACHE_CANDIDATES)
    )
    # A draft's run ran another definition than the version's; JSON null is not SQL NULL,
    # so that is told here rather than in the query.
    return next(
        (
            run
            for run in candidates
            if run.draft_definition is None and run.input.get("value") == value
        ),
        None,
    )


async def _answer_from_cache(session: AsyncSession, run: Run, cached: Run, now: datetime) -> None:
    """Finish the new run with the cached run's answer and a copy of its steps (so it
    replays like any run), costing nothing; what the answer cost then is recorded as
    saved. The caller commits."""
    await session.flush()
    steps = list(
        await session.scalars(
            select(RunStep).where(RunStep.run_id == cached.id).order_by(RunStep.sequence)
        )
    )
    new_ids = {step.id: new_id("stp") for step in steps}
    session.add_all(
        RunStep(
            id=new_ids[step.id],
            run_id=run.id,
            workspace_id=run.workspace_id,
            sequence=step.sequence,
            key=step.key,
            parent_step_id=new_ids.get(step.parent_step_id or ""),
            kind=step.kind,
            status=step.status,
            name=step.name,
            content=step.content,
            started_at=now,
            ended_at=now,
            latency_ms=0.0,
            confidence=step.confidence,
        )
        for step in steps
    )
    await transition(session, run.id, to=RunStatus.RUNNING, started_at=now)
    await transition(
        session,
        run.id,
        to=RunStatus.SUCCEEDED,
        finished_at=now,
        output=cached.output,
        messages=cached.messages,
        provider_id=cached.provider_id,
        model=cached.model,
        step_count=cached.step_count,
        cached_from_run_id=cached.id,
        saved_tokens_in=cached.tokens_in,
        saved_tokens_out=cached.tokens_out,
        saved_cost_usd=cached.cost_usd,
    )


async def create_counterfactual(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    run_id: str,
    request: CounterfactualCreate,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
    mcp_stdio_allowed: bool = True,
) -> Run:
    """A queued replay of a finished run's input on another version, an environment's
    version or a draft (the agent's current version when none is named), whose tools
    are answered with the original's recorded results. Refused with 409 while the
    original is still under way."""
    original = await get_run_for_workspace(
        session=session, workspace_id=workspace_id, run_id=run_id
    )
    if original.status not in FINISHED:
        raise Conflict(
            "This run has not finished: replay it once its tool results are all recorded.",
            reason="run-not-finished",
        )
    as_run = RunCreate(
        input=original.input.get("value", ""),
        version=request.version,
        environment=request.environment,
        draft=request.draft,
    )
    run, _ = await create_run(
        session=session,
        keyring=keyring,
        workspace_id=workspace_id,
        agent_id=original.agent_id,
        request=as_run,
        idempotency_key=None,
        user_id=user_id,
        api_key_id=api_key_id,
        now=now,
        mcp_stdio_allowed=mcp_stdio_allowed,
        counterfactual_of=original.id,
    )
    return run


async def create_node_run(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    prompt: str,
    model: ModelChoice | None,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
    chain_run_id: str | None = None,
    traceparent: str | None = None,
) -> Run:
    """A queued run of a chain node's agent on ``prompt`` (on ``model`` in place of the
    agent's own, when given), in the caller's transaction (not committed). The chain run
    was counted against the plan once; its node runs are not counted again. Refused, as
    a run would be, for an archived agent, an input its schema refuses or no provider."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    if agent.status != "active" or agent.current_version_id is None:
        raise Conflict(f"The agent {agent.name!r} is archived.", reason="agent-archived")
    definition = await version_definition(
        session=session, version_id=agent.current_version_id, cache=None
    )
    if definition is None:  # the foreign key makes this impossible; never run a guess
        raise NotFound(f"No agent {agent_id} in this workspace.")
    draft = None
    if model is not None:
        definition = definition.model_copy(update={"model": model})
        draft = definition.model_dump(mode="json")
    check_input(definition, prompt)
    await check_model_available(session=session, workspace_id=workspace_id, choice=definition.model)
    run_id = new_id("run")
    run = Run(
        id=run_id,
        workspace_id=workspace_id,
        agent_id=agent.id,
        agent_version_id=agent.current_version_id,
        status=RunStatus.QUEUED,
        input={"value": prompt},
        draft_definition=draft,
        created_by_user_id=user_id,
        api_key_id=api_key_id,
        thread_id=run_id,
        chain_run_id=chain_run_id,
        traceparent=traceparent,
        created_at=now,
    )
    session.add(run)
    await session.flush()
    return run


def create_evaluation_run(
    *,
    session: AsyncSession,
    agent: Agent,
    version_id: str,
    draft: AgentDefinition | None,
    prompt: str,
    eval_run_id: str,
    user_id: str | None,
    api_key_id: str | None,
    now: datetime,
) -> Run:
    """A queued run of one case of an eval run: ``version_id``, or ``draft`` in its
    place, on ``prompt``, in the caller's transaction (not committed). The eval run was
    counted against the plan once; its case runs are not counted again."""
    run_id = new_id("run")
    run = Run(
        id=run_id,
        workspace_id=agent.workspace_id,
        agent_id=agent.id,
        agent_version_id=version_id,
        status=RunStatus.QUEUED,
        input={"value": prompt},
        draft_definition=None if draft is None else draft.model_dump(mode="json"),
        created_by_user_id=user_id,
        api_key_id=api_key_id,
        thread_id=run_id,
        eval_run_id=eval_run_id,
        created_at=now,
    )
    session.add(run)
    return run


async def _runnable_version(
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    agent_id: str,
    request: RunCreate,
    definitions: TwoLevelCache | None,
    mcp_stdio_allowed: bool,
) -> tuple[Agent, str, AgentDefinition]:
    """The agent, the id of the version the run records and the definition it runs, once
    the agent may run on this input and a provider. A draft is checked as a saved
    definition would be."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    if agent.status != "active" or agent.current_version_id is None:
        raise Conflict("This agent is archived; activate it to run it.", reason="agent-archived")
    version_id = agent.current_version_id
    if request.version is not None:
        version_id = (await version_of_agent(session, agent, request.version, at=_VERSION_AT)).id
    elif request.environment is not None:
        version_id = await version_in_environment(
            session, agent, request.environment, at=_ENVIRONMENT_AT
        )
    definition: AgentDefinition | None = request.draft
    if definition is None:
        definition = await version_definition(
            session=session, version_id=version_id, cache=definitions
        )
    else:
        check_tools_allowed(definition, mcp_stdio_allowed=mcp_stdio_allowed, at="#/draft")
        await check_definition_provider(session, workspace_id, definition, at=_DRAFT_PROVIDER_AT)
    if definition is None:  # the foreign key makes this impossible; never run a guess
        raise NotFound(f"No agent {agent_id} in this workspace.")
    check_input(definition, request.input)
    await check_model_available(session=session, workspace_id=workspace_id, choice=definition.model)
    return agent, version_id, definition


_VERSION_AT: Final = {"in": "body", "pointer": "#/version"}
_ENVIRONMENT_AT: Final = {"in": "body", "pointer": "#/environment"}
_PIN_AT: Final = {"in": "path", "name": "agent_id"}
_ENVIRONMENT_NAME: Final = re.compile(ENVIRONMENT_PATTERN)


def pinned(agent_id: str, request: RunCreate) -> tuple[str, RunCreate]:
    """The agent and the request of ``agt_...@3`` (a version) or ``agt_...@production``
    (an environment): the pin moves into the request. 422 for a pin that is neither, or
    one given beside a version, environment or draft in the body."""
    base, at, pin = agent_id.partition("@")
    if not at:
        return agent_id, request
    if request.version is not None or request.environment is not None or request.draft:
        message = "The agent is pinned in the path; send no version, environment or draft."
        raise ValidationFailed(message, errors=[{**_PIN_AT, "message": message}])
    if pin.isdigit() and 1 <= int(pin) <= MAX_VERSION_NUMBER:
        return base, request.model_copy(update={"version": int(pin)})
    if _ENVIRONMENT_NAME.match(pin):
        return base, request.model_copy(update={"environment": pin})
    message = f"{pin!r} after @ is neither a version number nor an environment name."
    raise ValidationFailed(message, errors=[{**_PIN_AT, "message": message}])


_DRAFT_PROVIDER_AT: Final = {"in": "body", "pointer": "#/draft/model/provider_id"}


def check_input(definition: AgentDefinition, value: str | dict[str, Any]) -> None:
    """Refuse an input that does not match the agent's input schema, and an empty or
    blank one where the agent has no schema to say it may be empty."""
    if definition.input_schema is None:
        if not (value.strip() if isinstance(value, str) else value):
            raise ValidationFailed(
                "A run needs an input: there is nothing to send to the model.",
                errors=[{"in": "body", "pointer": "#/input", "message": "Write a prompt."}],
            )
        return
    if not isinstance(value, dict):
        raise ValidationFailed(
            "This agent takes an object input matching its input schema.",
            errors=[{"in": "body", "pointer": "#/input", "message": "Send a JSON object."}],
        )
    validator = jsonschema.Draft202012Validator(definition.input_schema)
    errors = [
        {
            "in": "body",
            "pointer": "#/input/" + "/".join(map(str, error.path)),
            "message": error.message,
        }
        for error in validator.iter_errors(value)
    ]
    if errors:
        raise ValidationFailed("The input does not match the agent's input schema.", errors=errors)


async def _by_idempotency_key(session: AsyncSession, workspace_id: str, key: str) -> Run | None:
    return await session.scalar(
        select(Run).where(Run.workspace_id == workspace_id, Run.idempotency_key == key)
    )


def _same_request(earlier: Run, agent_id: str, request: RunCreate) -> Run:
    if earlier.agent_id != agent_id or earlier.input.get("value") != request.input:
        raise Conflict(
            "This Idempotency-Key was used for a different run request.",
            reason="idempotency-key-reused",
            run_id=earlier.id,
        )
    return earlier


async def _thread_of(session: AsyncSession, workspace_id: str, thread_id: str | None) -> str | None:
    if thread_id is None:
        return None
    first = await session.scalar(
        select(Run.thread_id).where(Run.workspace_id == workspace_id, Run.id == thread_id)
    )
    if first is None:
        raise ValidationFailed(
            f"No thread {thread_id} in this workspace.",
            errors=[{"in": "body", "pointer": "#/thread_id", "message": "Unknown thread."}],
        )
    return first


async def list_runs(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str | None,
    status: str | None,
    sort: str,
    page: PageRequest,
    thread_id: str | None = None,
) -> Slice[Run]:
    """A page of the workspace's runs, optionally of one agent, thread or status."""
    statement = select(Run).where(Run.workspace_id == workspace_id)
    if agent_id is not None:
        statement = statement.where(Run.agent_id == agent_id)
    if thread_id is not None:
        statement = statement.where(Run.thread_id == thread_id)
    if status is not None:
        statement = statement.where(Run.status == status)
    return await paginate(session, statement, keyset=RUN_KEYSET, sort=sort, page=page)


async def list_steps(
    *, session: AsyncSession, workspace_id: str, run_id: str, page: PageRequest
) -> tuple[list[RunStep], str | None]:
    """A page of a run's steps in order; the cursor is the last sequence seen."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    after = _sequence_cursor(page.cursor)
    steps = await steps_after(session=session, run_id=run.id, after=after, limit=page.limit + 1)
    more = len(steps) > page.limit
    steps = steps[: page.limit]
    return steps, (str(steps[-1].sequence) if more and steps else None)


def _sequence_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 10:
        raise cursor_error("This cursor is not the sequence of a step.")
    return int(cursor)


async def steps_after(
    *, session: AsyncSession, run_id: str, after: int, limit: int
) -> list[RunStep]:
    """The run's steps whose sequence follows ``after``, in order."""
    found = await session.scalars(
        select(RunStep)
        .where(RunStep.run_id == run_id, RunStep.sequence > after)
        .order_by(RunStep.sequence)
        .limit(limit)
    )
    return list(found)


async def get_graph(
    *, session: AsyncSession, workspace_id: str, run_id: str
) -> tuple[Run, list[RunStep], list[tuple[str, str, str]]]:
    """A run, its steps and the causal edges between them (source id, target id, kind)."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    steps = await steps_after(session=session, run_id=run.id, after=0, limit=MAX_GRAPH_STEPS)
    return run, steps, graph_edges(steps)


def graph_edges(steps: list[RunStep]) -> list[tuple[str, str, str]]:
    """Parent edges, and "next" edges from what a model request was answering: the
    results of the previous request's tool calls (or the previous request itself)."""
    edges = [(step.parent_step_id, step.id, "parent") for step in steps if step.parent_step_id]
    by_id = {step.id: step for step in steps}
    results_of: dict[str, list[str]] = {}
    for step in steps:
        answered = _request_of(step, by_id) if step.kind == "tool_result" else None
        if answered is not None:
            results_of.setdefault(answered, []).append(step.id)
    requests = [step for step in steps if step.kind == "model_request"]
    for request in requests:
        previous = request.parent_step_id
        for result in results_of.get(previous or "", []):
            edges.append((result, request.id, "next"))
    last = requests[-1].id if requests else None
    for step in steps:
        if step.kind in ("final", "error", "approval") and last and not step.parent_step_id:
            edges.append((last, step.id, "next"))
    return [(source, target, kind) for source, target, kind in edges if source]


def _request_of(step: RunStep, by_id: dict[str, RunStep]) -> str | None:
    """The model request whose tool call a result answers: its call's parent, or, for a
    call that waited for approval, the call's parent above the decision and the approval."""
    current = by_id.get(step.parent_step_id or "")
    for _ in range(4):  # result -> decision -> approval -> call -> request
        if current is None:
            return None
        if current.kind == "model_request":
            return current.id
        current = by_id.get(current.parent_step_id or "")
    return None


async def cancel_run(
    *, session: AsyncSession, workspace_id: str, run_id: str, now: datetime, lease_seconds: float
) -> Run:
    """Ask a run to stop. A queued or paused run, or a running one that no live worker
    holds (its worker is gone), ends cancelled at once; a running one is stopped by its
    worker within moments. A finished run is refused with 409."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    if run.status in FINISHED:
        raise Conflict(f"This run has already {run.status}.", reason="run-finished")
    cancelled = False
    if run.status != RunStatus.RUNNING or not await _held_by_live_worker(
        session, run, lease_seconds=lease_seconds
    ):
        cancelled = await transition(
            session,
            run.id,
            to=RunStatus.CANCELLED,
            cancel_requested_at=now,
            finished_at=now,
            error={"code": "cancelled", "message": "The run was cancelled."},
        )
    if not cancelled:  # its worker stops it, or it finished meanwhile
        await session.execute(
            update(Run)
            .where(Run.id == run.id, Run.status.not_in(FINISHED))
            .values(cancel_requested_at=now)
        )
    await session.commit()
    return await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)


async def _held_by_live_worker(session: AsyncSession, run: Run, *, lease_seconds: float) -> bool:
    if run.executor_id is None:
        return False
    # Leases are renewed on the wall clock, whatever clock the caller's request uses.
    live = await live_executors(
        session, [run.executor_id], now=utcnow(), lease_seconds=lease_seconds
    )
    return bool(live)


async def list_approvals(
    *, session: AsyncSession, workspace_id: str, run_id: str
) -> list[RunApproval]:
    """The tool calls the run paused on, pending or decided."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    found = await session.scalars(
        select(RunApproval).where(RunApproval.run_id == run.id).order_by(RunApproval.created_at)
    )
    return list(found)


async def decide_approvals(
    *,
    session: AsyncSession,
    workspace_id: str,
    run_id: str,
    decisions: ApprovalDecisions,
    user_id: str | None,
    now: datetime,
) -> tuple[Run, list[RunApproval], int | None]:
    """Record decisions on a paused run's tool calls; the run, the approvals decided now,
    and the segment to resume with once none is pending (None while some still are).

    Refused with 409 for a run that is not waiting for approvals and 422 for a call
    that is not pending on it."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    if run.status != "waiting_approval":
        raise Conflict("This run is not waiting for approvals.", reason="run-not-waiting")
    pending = {
        approval.tool_call_id: approval
        for approval in await list_approvals(
            session=session, workspace_id=workspace_id, run_id=run_id
        )
        if approval.status == "pending"
    }
    _check_decisions(decisions, pending)
    decided = []
    for decision in decisions.decisions:
        approval = pending.pop(decision.tool_call_id)
        approval.status = "approved" if decision.approved else "rejected"
        approval.reason, approval.decided_by_user_id, approval.decided_at = (
            decision.reason,
            user_id,
            now,
        )
        decided.append(approval)
    segment = None
    if not pending:
        await transition(session, run.id, to=RunStatus.QUEUED)
    await session.flush()
    if not pending:
        segment = await resume_segment(session, run.id)
    await session.commit()
    return run, decided, segment


def _check_decisions(decisions: ApprovalDecisions, pending: dict[str, RunApproval]) -> None:
    ids = [decision.tool_call_id for decision in decisions.decisions]
    errors = [
        {
            "in": "body",
            "pointer": f"#/decisions/{index}/tool_call_id",
            "message": "Not a tool call pending on this run, or listed twice.",
        }
        for index, tool_call_id in enumerate(ids)
        if tool_call_id not in pending or ids.count(tool_call_id) > 1
    ]
    if errors:
        raise ValidationFailed("Some decisions name no pending tool call.", errors=errors)


BeforeDeleting = Callable[[AsyncSession, list[Run]], Awaitable[None]]


async def delete_finished_runs(
    *,
    session: AsyncSession,
    team_id: str,
    created_before: datetime,
    limit: int,
    before_deleting: BeforeDeleting,
) -> int:
    """Delete up to ``limit`` of the team's finished runs created before
    ``created_before``, oldest first, and return how many. ``before_deleting`` sees them
    first in the same transaction (retention rolls their usage up); the caller commits."""
    runs = list(
        await session.scalars(
            select(Run)
            .join(Workspace, Workspace.id == Run.workspace_id)
            .where(
                Workspace.team_id == team_id,
                Run.status.in_(FINISHED),
                Run.created_at < created_before,
            )
            .order_by(Run.created_at, Run.id)
            .limit(limit)
        )
    )
    if runs:
        await before_deleting(session, runs)
        await session.execute(delete(Run).where(Run.id.in_([run.id for run in runs])))
    return len(runs)


async def count_active_runs(*, session: AsyncSession, team_ids: Collection[str]) -> dict[str, int]:
    """How many runs are queued or running in each of the teams that has any."""
    if not team_ids:
        return {}
    rows = await session.execute(
        select(Workspace.team_id, func.count())
        .join(Run, Run.workspace_id == Workspace.id)
        .where(Workspace.team_id.in_(team_ids), Run.status.in_(ACTIVE))
        .group_by(Workspace.team_id)
    )
    return {team_id: count for team_id, count in rows}
