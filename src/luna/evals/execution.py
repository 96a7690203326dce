"""The eval run workflow: queue a run per case and target, judge each as it finishes,
then sum each target up.

The case runs are ordinary runs on the run queue (recorded, replayable, metered, held
to the workspace's concurrency and budgets), marked with the eval run's id. Every
decision is a DBOS step, and the case runs are queued as the workflow's children, so a
worker that dies mid-evaluation is recovered without running a case again or judging
one twice (only results still pending are judged).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from statistics import fmean
from typing import Any

from dbos import DBOS
from pydantic_ai.models import Model
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.definition import AgentDefinition, ModelChoice
from luna.agents.models import Agent
from luna.agents.service import version_definition
from luna.db.base import utcnow
from luna.evals.models import (
    EVAL_RUN_FINISHED,
    EvalResult,
    EvalRun,
    EvalRunStatus,
    EvalTarget,
    ResultStatus,
)
from luna.evals.runs import WORKFLOW_NAME, mark_results_cancelled, transition
from luna.evals.schemas import CaseChecks
from luna.evals.scoring import CaseRun, RecordedCall, judge_case
from luna.evals.service import answer_text
from luna.observability.logging import get_logger
from luna.providers.build import close_model
from luna.providers.service import resolve_model
from luna.runs.models import FINISHED as RUN_FINISHED
from luna.runs.models import Run, RunStatus, RunStep
from luna.runs.queue import enqueue_run_from_workflow
from luna.runs.runtime import current_runtime
from luna.runs.service import create_evaluation_run

log = get_logger(__name__)


@DBOS.workflow(name=WORKFLOW_NAME)
async def execute_eval_workflow(eval_run_id: str) -> str:
    """Run an eval run's cases to the end; returns the eval run's status."""
    started = await _start(eval_run_id)
    if "status" in started:
        return str(started["status"])
    for run_id in started["run_ids"]:
        await enqueue_run_from_workflow(run_id=run_id, workspace_id=started["workspace_id"])
    while True:
        look = await _judge_finished(eval_run_id)
        if look["stopped"]:
            return EvalRunStatus.CANCELLED
        if not look["pending"]:
            break
        await DBOS.sleep_async(current_runtime().settings.eval_poll_seconds)
    return await _finish(eval_run_id)


@DBOS.step(name="luna.evals.start")
async def _start(eval_run_id: str) -> dict[str, Any]:
    """Mark the eval run running and store a queued run for every case and target (once:
    a step that ran before a crash finds them); their ids, or the eval run's status when
    there is nothing to do."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        eval_run = await session.get(EvalRun, eval_run_id)
        if eval_run is None:
            log.warning("eval run to execute is missing", eval_run_id=eval_run_id)
            return {"status": "missing"}
        if eval_run.status in EVAL_RUN_FINISHED:
            return {"status": eval_run.status}
        existing = list(
            await session.scalars(
                select(EvalResult.run_id).where(EvalResult.eval_run_id == eval_run.id)
            )
        )
        if not existing:
            await _create_case_runs(session, eval_run)
        moved = await transition(
            session, eval_run.id, EvalRunStatus.RUNNING, started_at=eval_run.started_at or utcnow()
        )
        if not moved:  # cancelled meanwhile: no case run is stored, none runs
            await session.rollback()
            return {"status": EvalRunStatus.CANCELLED}
        await session.commit()
        run_ids = await session.scalars(
            select(EvalResult.run_id)
            .where(EvalResult.eval_run_id == eval_run.id)
            .order_by(EvalResult.position, EvalResult.target)
        )
        return {
            "workspace_id": eval_run.workspace_id,
            "run_ids": [str(run_id) for run_id in run_ids],
        }


async def _create_case_runs(session: AsyncSession, eval_run: EvalRun) -> None:
    agent = await session.get(Agent, eval_run.agent_id)
    if agent is None:  # deleted with its eval runs; nothing to do
        return
    targets = list(
        await session.scalars(
            select(EvalTarget)
            .where(EvalTarget.eval_run_id == eval_run.id)
            .order_by(EvalTarget.position)
        )
    )
    now = utcnow()
    for position, case in enumerate(eval_run.cases):
        for target in targets:
            draft = (
                None
                if target.draft_definition is None
                else AgentDefinition.model_validate(target.draft_definition)
            )
            run = create_evaluation_run(
                session=session,
                agent=agent,
                version_id=target.agent_version_id or agent.current_version_id or "",
                draft=draft,
                prompt=case["input"],
                eval_run_id=eval_run.id,
                user_id=eval_run.created_by_user_id,
                api_key_id=eval_run.api_key_id,
                now=now,
            )
            session.add(
                EvalResult(
                    eval_run_id=eval_run.id,
                    workspace_id=eval_run.workspace_id,
                    target=target.position,
                    case_id=case["id"],
                    position=position,
                    run_id=run.id,
                )
            )


@DBOS.step(name="luna.evals.judge")
async def _judge_finished(eval_run_id: str) -> dict[str, Any]:
    """Judge every pending result whose run has finished; how many are still pending, and
    whether the eval run was stopped meanwhile."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        eval_run = await session.get(EvalRun, eval_run_id)
        if eval_run is None or eval_run.status in EVAL_RUN_FINISHED:
            if eval_run is not None:
                await mark_results_cancelled(session, eval_run.id)
                await session.commit()
            return {"stopped": True, "pending": 0}
        rows = (
            await session.execute(
                select(EvalResult, Run)
                .join(Run, Run.id == EvalResult.run_id)
                .where(
                    EvalResult.eval_run_id == eval_run_id,
                    EvalResult.status == ResultStatus.PENDING,
                )
                .order_by(EvalResult.position, EvalResult.target)
            )
        ).all()
        finished = [(result, run) for result, run in rows if run.status in RUN_FINISHED]
        if finished:
            cases = {case["id"]: case for case in eval_run.cases}
            judge = await _judge_model(session, eval_run, cases.values())
            try:
                for result, run in finished:
                    await _judge(session, result, run, cases[result.case_id], judge)
            finally:
                if judge is not None:
                    await close_model(judge)
            await session.commit()
        return {"stopped": False, "pending": len(rows) - len(finished)}


async def _judge_model(session: AsyncSession, eval_run: EvalRun, cases: Any) -> Model | None:
    """The model that judges rubrics (the eval run's judge, or the agent's own model),
    when a case has a rubric."""
    if not any(case["checks"].get("rubric") for case in cases):
        return None
    runtime = current_runtime()
    choice = None if eval_run.judge is None else ModelChoice.model_validate(eval_run.judge)
    if choice is None:
        agent = await session.get(Agent, eval_run.agent_id)
        version_id = None if agent is None else agent.current_version_id
        definition = (
            None
            if version_id is None
            else await version_definition(session=session, version_id=version_id, cache=None)
        )
        choice = None if definition is None else definition.model
    resolved = await resolve_model(
        session=session,
        keyring=runtime.keyring,
        workspace_id=eval_run.workspace_id,
        choice=choice,
        allow_private_networks=runtime.settings.providers_private_networks_allowed,
    )
    return runtime.build_model(resolved)


async def _judge(
    session: AsyncSession, result: EvalResult, run: Run, case: dict[str, Any], judge: Model | None
) -> None:
    steps = list(
        await session.scalars(
            select(RunStep)
            .where(RunStep.run_id == run.id, RunStep.kind.in_(("tool_call", "tool_result", "text")))
            .order_by(RunStep.sequence)
        )
    )
    failed_calls = {
        step.parent_step_id
        for step in steps
        if step.kind == "tool_result" and step.status == "error"
    }
    calls = [
        RecordedCall(
            name=step.name or "",
            arguments=dict(step.content.get("arguments") or {}),
            at=step.started_at,
            failed=step.id in failed_calls,
        )
        for step in steps
        if step.kind == "tool_call"
    ]
    confidences = [step.confidence for step in steps if step.confidence is not None]
    latency = _seconds(run.started_at, run.finished_at)
    succeeded = run.status == RunStatus.SUCCEEDED
    output = answer_text(run.output) if succeeded else None
    verdict = await judge_case(
        case_input=case["input"],
        checks=CaseChecks.model_validate(case["checks"], strict=False),
        run=CaseRun(
            succeeded=succeeded,
            output=output,
            calls=calls,
            latency_seconds=latency,
            cost_usd=run.cost_usd,
        ),
        judge=judge,
    )
    result.status = verdict.status
    result.score = verdict.score
    result.checks = verdict.checks
    result.output = output
    result.error = None if succeeded else (run.error or {}).get("message", f"The run {run.status}.")
    result.tokens_in, result.tokens_out, result.cost_usd = (
        run.tokens_in,
        run.tokens_out,
        run.cost_usd,
    )
    result.latency_ms = round(latency * 1000, 3)
    result.confidence = fmean(confidences) if confidences else None


def _seconds(started: datetime | None, finished: datetime | None) -> float:
    if started is None or finished is None:
        return 0.0
    return max((finished - started).total_seconds(), 0.0)


@DBOS.step(name="luna.evals.finish")
async def _finish(eval_run_id: str) -> str:
    """Sum each target's results up and end the eval run succeeded."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        eval_run = await session.get(EvalRun, eval_run_id)
        if eval_run is None:
            return "missing"
        for target in await session.scalars(
            select(EvalTarget).where(EvalTarget.eval_run_id == eval_run_id)
        ):
            results = list(
                await session.scalars(
                    select(EvalResult).where(
                        EvalResult.eval_run_id == eval_run_id, EvalResult.target == target.position
                    )
                )
            )
            _sum_up(target, results)
        moved = await transition(
            session, eval_run_id, EvalRunStatus.SUCCEEDED, finished_at=utcnow()
        )
        await session.commit()
        if not moved:
            await session.refresh(eval_run)
            return str(eval_run.status)
        return EvalRunStatus.SUCCEEDED


def _sum_up(target: EvalTarget, results: Sequence[EvalResult]) -> None:
    done = [result for result in results if result.status != ResultStatus.PENDING]
    passed = [result for result in done if result.status == ResultStatus.PASSED]
    target.cases_done = len(done)
    target.cases_passed = len(passed)
    target.pass_rate = round(len(passed) / len(results), 6) if results else None
    scores = [result.score for result in done if result.score is not None]
    target.mean_score = round(fmean(scores), 6) if scores else None
    target.tokens_in = sum(result.tokens_in for result in done)
    target.tokens_out = sum(result.tokens_out for result in done)
    target.cost_usd = sum((result.cost_usd for result in done), Decimal(0))
    latencies = [result.latency_ms for result in done if result.latency_ms is not None]
    target.mean_latency_ms = round(fmean(latencies), 3) if latencies else None
    confidences = [result.confidence for result in done if result.confidence is not None]
    target.mean_confidence = round(fmean(confidences), 6) if confidences else None
