"""The release gate: a version comes to a gated environment only with a finished eval
run of the gate's suite (at its current revision) whose pass rate is no lower than the
pass rate of the version the environment runs now on the same suite, nor than the
gate's floor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import AgentEnvironment, AgentVersion
from luna.errors import Conflict
from luna.evals.models import EvalRun, EvalRunStatus, EvalSuite, EvalTarget


async def latest_pass_rate(
    session: AsyncSession, suite: EvalSuite, version_id: str
) -> tuple[float, str] | None:
    """The pass rate of ``version_id`` in the newest finished eval run of the suite at
    its current revision, with that eval run's id; None when there is none."""
    found = (
        await session.execute(
            select(EvalTarget.pass_rate, EvalRun.id)
            .join(EvalRun, EvalRun.id == EvalTarget.eval_run_id)
            .where(
                EvalRun.suite_id == suite.id,
                EvalRun.suite_revision == suite.revision,
                EvalRun.status == EvalRunStatus.SUCCEEDED,
                EvalTarget.agent_version_id == version_id,
                EvalTarget.pass_rate.is_not(None),
            )
            .order_by(EvalRun.finished_at.desc(), EvalRun.id.desc())
            .limit(1)
        )
    ).first()
    if found is None or found[0] is None:
        return None
    return float(found[0]), str(found[1])


async def check_gate(
    session: AsyncSession, environment: AgentEnvironment | None, candidate: AgentVersion
) -> dict[str, object] | None:
    """Refuse (409 ``eval-gate-failed``) to bring ``candidate`` to a gated environment
    without an eval run that passes; what the gate found, for the audit log, or None
    for an environment without a gate."""
    if environment is None or environment.gate_suite_id is None:
        return None
    if environment.version_id == candidate.id:
        return None
    suite = await session.get(EvalSuite, environment.gate_suite_id)
    if suite is None:  # its deletion lifts the gate
        return None
    measured = await latest_pass_rate(session, suite, candidate.id)
    if measured is None:
        raise _failed(
            f"The environment {environment.name!r} is gated by the suite {suite.name!r}: "
            f"version {candidate.number} needs a finished eval run of its revision "
            f"{suite.revision} first."
        )
    rate, eval_run_id = measured
    current = await latest_pass_rate(session, suite, environment.version_id)
    floor = environment.gate_min_pass_rate
    if floor is not None and rate < floor:
        raise _failed(
            f"Version {candidate.number} passes {rate:.0%} of {suite.name!r}, below the "
            f"gate's floor of {floor:.0%}."
        )
    if current is not None and rate < current[0]:
        raise _failed(
            f"Version {candidate.number} passes {rate:.0%} of {suite.name!r}, less than the "
            f"{current[0]:.0%} of the version {environment.name!r} runs now."
        )
    return {
        "gate_suite_id": suite.id,
        "gate_eval_run_id": eval_run_id,
        "pass_rate": rate,
        "current_pass_rate": None if current is None else current[0],
    }


def _failed(message: str) -> Conflict:
    return Conflict(message, reason="eval-gate-failed")
