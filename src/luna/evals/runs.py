"""Eval runs: start one (counted once against the plan, its case runs not again), read
it with its results, compare its two sides case by case, cancel it.

An eval run is a durable workflow of its own (:mod:`luna.evals.execution`) queued under
its id, so queuing it twice runs it once. Its status moves only through
:func:`transition`, a compare-and-set that never leaves a finished state.
"""

from __future__ import annotations

import contextlib
import difflib
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.agents.definition import AgentDefinition, ModelChoice
from luna.agents.environments import version_in_environment
from luna.agents.models import Agent, AgentVersion
from luna.agents.service import (
    check_definition_provider,
    check_tools_allowed,
    get_agent_for_workspace,
    version_definition,
    version_of_agent,
)
from luna.budgets.halt import check_runs_allowed
from luna.db.base import utcnow
from luna.db.pagination import Keyset, PageRequest, paginate
from luna.db.scoping import get_in_workspace
from luna.errors import Conflict, LunaError, NotFound, ValidationFailed
from luna.evals.models import (
    EVAL_RUN_FINISHED,
    EvalCase,
    EvalResult,
    EvalRun,
    EvalRunStatus,
    EvalTarget,
    ResultStatus,
)
from luna.evals.schemas import (
    CaseComparison,
    CheckOut,
    EvalComparison,
    EvalResultOut,
    EvalRunCreate,
    EvalRunDetail,
    EvalRunOut,
    EvalRunPage,
    EvalTargetIn,
    EvalTargetOut,
)
from luna.evals.service import case_out, get_suite, suite_cases
from luna.identity.api_keys import Actor
from luna.jobs.client import WorkflowClient
from luna.jobs.engine import QueueSpec
from luna.observability.logging import get_logger
from luna.plans.entitlements import check_entitlement
from luna.providers.service import check_model_available
from luna.runs.dispatch import RunDispatcher, do_cancel_run
from luna.runs.models import FINISHED as RUN_FINISHED
from luna.runs.models import Run, RunStep
from luna.runs.service import check_input
from luna.runs.sweep import BATCH, QUEUED_FOR
from luna.tenancy.service import team_of_workspace

log = get_logger(__name__)

QUEUE_NAME: Final = "luna-evals"
WORKFLOW_NAME: Final = "luna.evals.execute"
EVAL_RUN_KEYSET: Final = Keyset({"created_at": EvalRun.created_at}, id_column=EvalRun.id)


def eval_queue_spec() -> QueueSpec:
    """The queue eval runs wait on for a worker; each then queues its case runs."""
    return QueueSpec(name=QUEUE_NAME, polling_interval_seconds=0.2)


def _missing(eval_run_id: str) -> NotFound:
    return NotFound(f"No eval run {eval_run_id} in this workspace.")


def _refused(message: str, pointer: str) -> ValidationFailed:
    return ValidationFailed(
        message, errors=[{"in": "body", "pointer": pointer, "message": message}]
    )


async def _target(
    session: AsyncSession, agent: Agent, target: EvalTargetIn, index: int, mcp_stdio_allowed: bool
) -> tuple[str, str | None, AgentDefinition]:
    """A target's label, the version its runs record (None for a draft) and what it runs."""
    pointer = f"#/targets/{index}"
    if target.draft is not None:
        if agent.current_version_id is None:
            raise Conflict(f"The agent {agent.name!r} is archived.", reason="agent-archived")
        check_tools_allowed(
            target.draft, mcp_stdio_allowed=mcp_stdio_allowed, at=f"{pointer}/draft"
        )
        await check_definition_provider(
            session,
            agent.workspace_id,
            target.draft,
            at={"in": "body", "pointer": f"{pointer}/draft/model/provider_id"},
        )
        return "draft", None, target.draft
    if target.version is not None:
        at = {"in": "body", "pointer": f"{pointer}/version"}
        version = await version_of_agent(session, agent, target.version, at=at)
        label = f"v{version.number}"
    elif target.environment is not None:
        at = {"in": "body", "pointer": f"{pointer}/environment"}
        found = await session.get(
            AgentVersion, await version_in_environment(session, agent, target.environment, at=at)
        )
        if found is None:  # the foreign key makes this impossible
            raise NotFound(f"Agent {agent.id} has no environment {target.environment!r}.")
        version, label = found, f"{target.environment} (v{found.number})"
    else:
        if agent.status != "active" or agent.current_version_id is None:
            raise Conflict(f"The agent {agent.name!r} is archived.", reason="agent-archived")
        found = await session.get(AgentVersion, agent.current_version_id)
        if found is None:
            raise NotFound(f"No agent {agent.id} in this workspace.")
        version, label = found, f"v{found.number}"
    definition = await version_definition(session=session, version_id=version.id, cache=None)
    if definition is None:  # the foreign key makes this impossible; never run a guess
        raise NotFound(f"No agent {agent.id} in this workspace.")
    return label, version.id, definition


async def _check_runnable(
    session: AsyncSession,
    workspace_id: str,
    cases: list[EvalCase],
    targets: list[tuple[str, str | None, AgentDefinition]],
    judge: ModelChoice | None,
) -> None:
    """Refuse a target whose model has no provider, or a case its input schema refuses."""
    for label, _, definition in targets:
        await check_model_available(
            session=session, workspace_id=workspace_id, choice=definition.model
        )
        for case in cases:
            try:
                check_input(definition, case.input)
            except ValidationFailed as error:
                raise _refused(
                    f"The case {case.name!r} does not suit {label}: {error.detail}", "#/suite_id"
                ) from None
    if judge is not None:
        await check_model_available(session=session, workspace_id=workspace_id, choice=judge)


async def start_eval_run(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    workspace_id: str,
    agent_id: str,
    request: EvalRunCreate,
    idempotency_key: str | None,
    actor: Actor,
    billable: bool,
    mcp_stdio_allowed: bool,
    now: datetime,
) -> tuple[EvalRun, bool]:
    """Store a queued eval run of the suite against its targets and queue its workflow;
    the eval run and whether it was made now (False: an earlier request with the same
    Idempotency-Key made it). Refused before anything is stored when a case's input does
    not suit a target or a target's model has no provider."""
    if idempotency_key is not None:
        earlier = await _by_idempotency_key(session, workspace_id, idempotency_key)
        if earlier is not None:
            return earlier, False
    await check_runs_allowed(session, workspace_id)
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    suite = await get_suite(session, workspace_id, request.suite_id)
    if suite.agent_id != agent.id:
        raise _refused(f"The suite {suite.id} is another agent's.", "#/suite_id")
    cases = await suite_cases(session, suite.id)
    if not cases:
        raise _refused(f"The suite {suite.id} has no case to run.", "#/suite_id")
    targets = [
        await _target(session, agent, target, index, mcp_stdio_allowed)
        for index, target in enumerate(request.targets)
    ]
    await _check_runnable(session, workspace_id, cases, targets, request.judge)
    team = await team_of_workspace(session=session, workspace_id=workspace_id)
    await check_entitlement(session=session, team=team, entitlement="runs-per-day", now=now)
    eval_run = EvalRun(
        workspace_id=workspace_id,
        agent_id=agent.id,
        suite_id=suite.id,
        suite_revision=suite.revision,
        status=EvalRunStatus.QUEUED,
        cases=[case_out(case).model_dump(mode="json") for case in cases],
        judge=None if request.judge is None else request.judge.model_dump(mode="json"),
        billable=billable,
        idempotency_key=idempotency_key,
        created_by_user_id=actor.user_id,
        api_key_id=actor.api_key_id,
        created_at=now,
    )
    session.add(eval_run)
    await session.flush()
    session.add_all(
        EvalTarget(
            eval_run_id=eval_run.id,
            position=position,
            workspace_id=workspace_id,
            label=label,
            agent_version_id=version_id,
            draft_definition=None if version_id else definition.model_dump(mode="json"),
        )
        for position, (label, version_id, definition) in enumerate(targets)
    )
    actor.record(
        session,
        action="eval_run.started",
        target_type="eval_suite",
        target_id=suite.id,
        data={"eval_run_id": eval_run.id, "targets": [label for label, _, _ in targets]},
    )
    try:
        await session.commit()
    except IntegrityError:  # the same key, concurrently: answer with the winner's
        await session.rollback()
        earlier = await _by_idempotency_key(session, workspace_id, idempotency_key or "")
        if earlier is None:
            raise
        return earlier, False
    await enqueue_eval_run(workflows, eval_run)
    return eval_run, True


async def enqueue_eval_run(workflows: WorkflowClient, eval_run: EvalRun) -> None:
    """Queue the eval run's workflow; a failure leaves it queued for the sweep."""
    try:
        await workflows.enqueue(
            eval_run.id, queue=QUEUE_NAME, workflow=WORKFLOW_NAME, workflow_id=eval_run.id
        )
    except Exception as error:  # noqa: BLE001  (the worker's sweep queues it later)
        log.error("eval run not enqueued", eval_run_id=eval_run.id, error=repr(error))


async def enqueue_stranded_eval_runs(
    *, session_factory: async_sessionmaker[AsyncSession], workflows: WorkflowClient
) -> int:
    """Queue the eval runs left queued for longer than the runs' sweep waits (their
    process died between storing and queuing them); how many there were."""
    async with session_factory() as session:
        stranded = list(
            await session.scalars(
                select(EvalRun)
                .where(
                    EvalRun.status == EvalRunStatus.QUEUED,
                    EvalRun.created_at < utcnow() - QUEUED_FOR,
                )
                .order_by(EvalRun.created_at)
                .limit(BATCH)
            )
        )
    for eval_run in stranded:
        await enqueue_eval_run(workflows, eval_run)
    return len(stranded)


async def _by_idempotency_key(session: AsyncSession, workspace_id: str, key: str) -> EvalRun | None:
    return await session.scalar(
        select(EvalRun).where(EvalRun.workspace_id == workspace_id, EvalRun.idempotency_key == key)
    )


async def get_eval_run(
    session: AsyncSession, workspace_id: str, agent_id: str, eval_run_id: str
) -> EvalRun:
    """The workspace's eval run of ``agent_id``; NotFound for any other."""
    found = await get_in_workspace(
        session,
        EvalRun,
        workspace_id=workspace_id,
        object_id=eval_run_id,
        missing=_missing(eval_run_id),
    )
    if found.agent_id != agent_id:
        raise _missing(eval_run_id)
    return found


async def _targets(
    session: AsyncSession, eval_run_ids: list[str]
) -> dict[str, list[EvalTargetOut]]:
    rows = await session.execute(
        select(EvalTarget, AgentVersion.number)
        .outerjoin(AgentVersion, AgentVersion.id == EvalTarget.agent_version_id)
        .where(EvalTarget.eval_run_id.in_(eval_run_ids))
        .order_by(EvalTarget.eval_run_id, EvalTarget.position)
    )
    found: dict[str, list[EvalTargetOut]] = {run_id: [] for run_id in eval_run_ids}
    for target, number in rows.all():
        found[target.eval_run_id].append(
            EvalTargetOut(
                position=target.position,
                label=target.label,
                version=number,
                cases_done=target.cases_done,
                cases_passed=target.cases_passed,
                pass_rate=target.pass_rate,
                mean_score=target.mean_score,
                tokens_in=target.tokens_in,
                tokens_out=target.tokens_out,
                cost_usd=target.cost_usd,
                mean_latency_ms=target.mean_latency_ms,
                mean_confidence=target.mean_confidence,
            )
        )
    return found


def _out(eval_run: EvalRun, targets: list[EvalTargetOut]) -> dict[str, Any]:
    return {
        "id": eval_run.id,
        "agent_id": eval_run.agent_id,
        "suite_id": eval_run.suite_id,
        "suite_revision": eval_run.suite_revision,
        "status": eval_run.status,
        "case_count": len(eval_run.cases),
        "billable": eval_run.billable,
        "targets": targets,
        "error": eval_run.error,
        "created_at": eval_run.created_at,
        "started_at": eval_run.started_at,
        "finished_at": eval_run.finished_at,
    }


async def eval_run_out(session: AsyncSession, eval_run: EvalRun) -> EvalRunOut:
    return EvalRunOut(**_out(eval_run, (await _targets(session, [eval_run.id]))[eval_run.id]))


async def _results(session: AsyncSession, eval_run: EvalRun) -> list[EvalResultOut]:
    names = {case["id"]: case["name"] for case in eval_run.cases}
    found = await session.scalars(
        select(EvalResult)
        .where(EvalResult.eval_run_id == eval_run.id)
        .order_by(EvalResult.position, EvalResult.target)
    )
    return [
        EvalResultOut(
            case_id=result.case_id,
            case_name=names.get(result.case_id, ""),
            position=result.position,
            target=result.target,
            run_id=result.run_id,
            status=result.status,
            score=result.score,
            checks=[CheckOut.model_validate(check) for check in result.checks],
            output=result.output,
            error=result.error,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            cost_usd=result.cost_usd,
            latency_ms=result.latency_ms,
            confidence=result.confidence,
        )
        for result in found
    ]


async def eval_run_detail(
    *, session: AsyncSession, workspace_id: str, agent_id: str, eval_run_id: str
) -> EvalRunDetail:
    """The eval run with its targets' aggregates and every case's result so far."""
    eval_run = await get_eval_run(session, workspace_id, agent_id, eval_run_id)
    targets = (await _targets(session, [eval_run.id]))[eval_run.id]
    return EvalRunDetail(**_out(eval_run, targets), results=await _results(session, eval_run))


async def list_eval_runs(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    suite_id: str | None,
    page: PageRequest,
) -> EvalRunPage:
    """The agent's eval runs (of one suite, when named), newest first."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    statement = select(EvalRun).where(
        EvalRun.workspace_id == workspace_id, EvalRun.agent_id == agent.id
    )
    if suite_id is not None:
        statement = statement.where(EvalRun.suite_id == suite_id)
    found = await paginate(
        session, statement, keyset=EVAL_RUN_KEYSET, sort="-created_at", page=page
    )
    eval_runs = [eval_run for (eval_run,) in found.rows]
    targets = await _targets(session, [eval_run.id for eval_run in eval_runs])
    return EvalRunPage(
        items=[EvalRunOut(**_out(eval_run, targets[eval_run.id])) for eval_run in eval_runs],
        next_cursor=found.next_cursor,
    )


async def compare(
    *, session: AsyncSession, workspace_id: str, agent_id: str, eval_run_id: str
) -> EvalComparison:
    """The two sides of an eval run case by case: their results, whether they differ, the
    diff of their answers and of their runs' steps. 409 for an eval run of one target."""
    eval_run = await get_eval_run(session, workspace_id, agent_id, eval_run_id)
    targets = (await _targets(session, [eval_run.id]))[eval_run.id]
    if len(targets) != 2:
        raise Conflict(
            "This eval run has one target: there is nothing to compare it with.",
            reason="nothing-to-compare",
        )
    by_case: dict[str, list[EvalResultOut]] = {}
    for result in await _results(session, eval_run):
        by_case.setdefault(result.case_id, []).append(result)
    steps = await _step_lines(
        session, [result.run_id for sides in by_case.values() for result in sides if result.run_id]
    )
    cases = []
    for case in eval_run.cases:
        sides = sorted(by_case.get(case["id"], []), key=lambda result: result.target)
        if len(sides) != 2:
            continue
        first, second = sides
        output_diff = "\n".join(
            difflib.unified_diff(
                (first.output or "").splitlines(),
                (second.output or "").splitlines(),
                fromfile=targets[0].label,
                tofile=targets[1].label,
                lineterm="",
            )
        )
        step_diff = [
            line
            for line in difflib.ndiff(
                steps.get(first.run_id or "", []), steps.get(second.run_id or "", [])
            )
            if not line.startswith("?")
        ]
        verdict_changed = (first.status == "passed") != (second.status == "passed")
        cases.append(
            CaseComparison(
                case_id=case["id"],
                case_name=case["name"],
                position=first.position,
                input=case["input"],
                sides=sides,
                differs=verdict_changed or (first.output or "") != (second.output or ""),
                verdict_changed=verdict_changed,
                output_diff=output_diff,
                step_diff=[line.rstrip("\n") for line in step_diff],
            )
        )
    return EvalComparison(
        eval_run_id=eval_run.id,
        targets=targets,
        cases=cases,
        differing=sum(case.differs for case in cases),
        improved=sum(
            case.sides[1].status == "passed" and case.sides[0].status != "passed" for case in cases
        ),
        regressed=sum(
            case.sides[0].status == "passed" and case.sides[1].status != "passed" for case in cases
        ),
    )


async def _step_lines(session: AsyncSession, run_ids: list[str]) -> dict[str, list[str]]:
    """Each run's steps as ``kind name`` lines, in order: the shape of its graph."""
    lines: dict[str, list[str]] = {}
    rows = await session.execute(
        select(RunStep.run_id, RunStep.kind, RunStep.name)
        .where(RunStep.run_id.in_(run_ids))
        .order_by(RunStep.run_id, RunStep.sequence)
    )
    for run_id, kind, name in rows.all():
        lines.setdefault(run_id, []).append(f"{kind} {name}" if name else kind)
    return lines


async def transition(
    session: AsyncSession, eval_run_id: str, to: EvalRunStatus, **values: Any
) -> bool:
    """Move an eval run that has not finished to ``to``; False when it had finished
    already (a cancel got there first). The caller commits."""
    moved = await session.execute(
        update(EvalRun)
        .where(EvalRun.id == eval_run_id, EvalRun.status.not_in(EVAL_RUN_FINISHED))
        .values(status=to, **values)
        .returning(EvalRun.id)
    )
    return moved.first() is not None


async def cancel_eval_run(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    dispatcher: RunDispatcher,
    workspace_id: str,
    agent_id: str,
    eval_run_id: str,
    actor: Actor,
    now: datetime,
    lease_seconds: float,
) -> EvalRun:
    """Stop an eval run: it ends cancelled, its case runs under way are cancelled and its
    workflow stops. A finished one is refused."""
    eval_run = await get_eval_run(session, workspace_id, agent_id, eval_run_id)
    if eval_run.status in EVAL_RUN_FINISHED:
        raise Conflict(f"This eval run has already {eval_run.status}.", reason="eval-run-finished")
    error = {"code": "cancelled", "message": "The eval run was cancelled."}
    await transition(session, eval_run.id, EvalRunStatus.CANCELLED, finished_at=now, error=error)
    actor.record(
        session,
        action="eval_run.cancelled",
        target_type="eval_suite",
        target_id=eval_run.suite_id,
        data={"eval_run_id": eval_run.id},
    )
    await session.commit()
    await workflows.cancel(eval_run.id)
    pending = await session.scalars(
        select(Run.id).where(Run.eval_run_id == eval_run.id, Run.status.not_in(RUN_FINISHED))
    )
    for run_id in list(pending):
        with contextlib.suppress(Conflict, LunaError):  # it finished meanwhile
            await do_cancel_run(
                dispatcher=dispatcher,
                session=session,
                workspace_id=workspace_id,
                run_id=run_id,
                now=now,
                lease_seconds=lease_seconds,
            )
    await session.refresh(eval_run)
    return eval_run


async def mark_results_cancelled(session: AsyncSession, eval_run_id: str) -> None:
    """Results still pending when their eval run was cancelled end ``errored``."""
    await session.execute(
        update(EvalResult)
        .where(EvalResult.eval_run_id == eval_run_id, EvalResult.status == ResultStatus.PENDING)
        .values(status=ResultStatus.ERRORED, error="The eval run was cancelled.")
    )
