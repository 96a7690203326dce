"""An agent's evaluation suites and their cases: create, read, change, import from
CSV or JSON Lines, and add a past run as a case. Every change to the cases raises the
suite's revision; every change is audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.service import get_agent_for_workspace
from luna.db.pagination import Keyset, PageRequest, paginate
from luna.db.scoping import get_in_workspace
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.evals.models import EvalCase, EvalSuite
from luna.evals.schemas import (
    MAX_CASES,
    CaseChecks,
    CaseFromRun,
    CaseIn,
    CaseOut,
    SuiteCreate,
    SuiteDetail,
    SuiteOut,
    SuitePage,
    SuiteUpdate,
)
from luna.identity.api_keys import Actor
from luna.runs.models import FINISHED, Run, RunStatus, RunStep
from luna.tenancy.audit import AuditAction

SUITE_KEYSET: Final = Keyset({"created_at": EvalSuite.created_at}, id_column=EvalSuite.id)
MAX_IMPORT_BYTES: Final = 5_000_000
# CSV columns beyond ``name`` and ``input``: each is a check of the same name; list
# checks take several values separated by ``|``.
_LIST_COLUMNS: Final = frozenset({"contains", "required_tools", "forbidden_tools"})


def _missing(suite_id: str) -> NotFound:
    return NotFound(f"No eval suite {suite_id} in this workspace.")


async def get_suite(
    session: AsyncSession, workspace_id: str, suite_id: str, *, for_update: bool = False
) -> EvalSuite:
    """The workspace's suite; NotFound for a missing one or another workspace's."""
    return await get_in_workspace(
        session,
        EvalSuite,
        workspace_id=workspace_id,
        object_id=suite_id,
        missing=_missing(suite_id),
        for_update=for_update,
    )


async def suite_of_agent(
    session: AsyncSession, workspace_id: str, agent_id: str, suite_id: str
) -> EvalSuite:
    """The workspace's suite of ``agent_id``; NotFound for any other."""
    suite = await get_suite(session, workspace_id, suite_id)
    if suite.agent_id != agent_id:
        raise _missing(suite_id)
    return suite


async def suite_cases(session: AsyncSession, suite_id: str) -> list[EvalCase]:
    """The suite's cases in their order."""
    return list(
        await session.scalars(
            select(EvalCase)
            .where(EvalCase.suite_id == suite_id)
            .order_by(EvalCase.position, EvalCase.id)
        )
    )


def case_out(case: EvalCase) -> CaseOut:
    return CaseOut(
        id=case.id,
        position=case.position,
        name=case.name,
        input=case.input,
        checks=CaseChecks.model_validate(case.checks, strict=False),
        source_run_id=case.source_run_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def suite_out(suite: EvalSuite, case_count: int) -> SuiteOut:
    return SuiteOut(
        id=suite.id,
        agent_id=suite.agent_id,
        name=suite.name,
        description=suite.description,
        revision=suite.revision,
        case_count=case_count,
        created_at=suite.created_at,
        updated_at=suite.updated_at,
    )


async def suite_detail(session: AsyncSession, suite: EvalSuite) -> SuiteDetail:
    cases = await suite_cases(session, suite.id)
    return SuiteDetail(
        **suite_out(suite, len(cases)).model_dump(), cases=[case_out(case) for case in cases]
    )


async def list_suites(
    *, session: AsyncSession, workspace_id: str, agent_id: str, page: PageRequest
) -> SuitePage:
    """The agent's suites, oldest first, each with its number of cases."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    statement = select(EvalSuite).where(
        EvalSuite.workspace_id == workspace_id, EvalSuite.agent_id == agent.id
    )
    found = await paginate(session, statement, keyset=SUITE_KEYSET, sort="created_at", page=page)
    suites = [suite for (suite,) in found.rows]
    rows = await session.execute(
        select(EvalCase.suite_id, func.count())
        .where(EvalCase.suite_id.in_([suite.id for suite in suites]))
        .group_by(EvalCase.suite_id)
    )
    counts = {suite_id: count for suite_id, count in rows.all()}
    return SuitePage(
        items=[suite_out(suite, counts.get(suite.id, 0)) for suite in suites],
        next_cursor=found.next_cursor,
    )


async def create_suite(
    *,
    session: AsyncSession,
    workspace_id: str,
    agent_id: str,
    request: SuiteCreate,
    actor: Actor,
    now: datetime,
) -> SuiteDetail:
    """A suite of the agent with its first cases; 409 when the agent has one by that name."""
    agent = await get_agent_for_workspace(
        session=session, workspace_id=workspace_id, agent_id=agent_id
    )
    suite = EvalSuite(
        workspace_id=workspace_id,
        agent_id=agent.id,
        name=request.name,
        description=request.description,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(suite)
    try:
        await session.flush()
        _add_cases(session, suite, request.cases, start=0, now=now)
        actor.record(
            session,
            action="eval_suite.created",
            target_type="eval_suite",
            target_id=suite.id,
            data={"agent_id": agent.id, "name": suite.name, "cases": len(request.cases)},
        )
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"The agent already has a suite named {request.name!r}.", reason="suite-exists"
        ) from None
    return await suite_detail(session, suite)


def _add_cases(
    session: AsyncSession,
    suite: EvalSuite,
    cases: list[CaseIn],
    *,
    start: int,
    now: datetime,
    source_run_id: str | None = None,
) -> list[EvalCase]:
    made = [
        EvalCase(
            suite_id=suite.id,
            workspace_id=suite.workspace_id,
            position=start + index,
            name=case.name or f"case {start + index + 1}",
            input=case.input,
            checks=case.checks.model_dump(mode="json", exclude_defaults=True),
            source_run_id=source_run_id,
            created_at=now,
            updated_at=now,
        )
        for index, case in enumerate(cases)
    ]
    session.add_all(made)
    return made


async def update_suite(
    *,
    session: AsyncSession,
    workspace_id: str,
    suite_id: str,
    request: SuiteUpdate,
    actor: Actor,
    now: datetime,
) -> SuiteDetail:
    suite = await get_suite(session, workspace_id, suite_id, for_update=True)
    changed = request.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in changed.items():
        setattr(suite, name, value)
    if changed:
        suite.updated_at = now
        actor.record(
            session,
            action="eval_suite.updated",
            target_type="eval_suite",
            target_id=suite.id,
            data={"fields": sorted(changed)},
        )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"The agent already has a suite named {request.name!r}.", reason="suite-exists"
        ) from None
    return await suite_detail(session, suite)


async def delete_suite(
    *, session: AsyncSession, workspace_id: str, suite_id: str, actor: Actor
) -> None:
    """Delete the suite with its cases and eval runs (a gate that named it is lifted)."""
    suite = await get_suite(session, workspace_id, suite_id)
    actor.record(
        session,
        action="eval_suite.deleted",
        target_type="eval_suite",
        target_id=suite.id,
        data={"name": suite.name},
    )
    await session.delete(suite)
    await session.commit()


async def _room(session: AsyncSession, suite: EvalSuite, adding: int) -> int:
    """The position of the next case; 409 when ``adding`` more would pass the limit."""
    count = await session.scalar(
        select(func.count()).select_from(EvalCase).where(EvalCase.suite_id == suite.id)
    )
    last = await session.scalar(
        select(func.max(EvalCase.position)).where(EvalCase.suite_id == suite.id)
    )
    if (count or 0) + adding > MAX_CASES:
        raise Conflict(
            f"A suite has at most {MAX_CASES} cases; it has {count}.", reason="too-many-cases"
        )
    return 0 if last is None else last + 1


def _changed(
    session: AsyncSession,
    suite: EvalSuite,
    now: datetime,
    actor: Actor,
    action: AuditAction,
    **data: object,
) -> None:
    """A change to the suite's cases: a new revision, audited with what changed."""
    suite.revision += 1
    suite.updated_at = now
    actor.record(
        session,
        action=action,
        target_type="eval_suite",
        target_id=suite.id,
        data={**data, "revision": suite.revision},
    )


async def add_cases(
    *,
    session: AsyncSession,
    workspace_id: str,
    suite_id: str,
    cases: list[CaseIn],
    actor: Actor,
    now: datetime,
    source_run_id: str | None = None,
    action: AuditAction = "eval_suite.cases_added",
) -> tuple[SuiteDetail, list[EvalCase]]:
    """Append cases to the suite (a new revision)."""
    suite = await get_suite(session, workspace_id, suite_id, for_update=True)
    start = await _room(session, suite, len(cases))
    made = _add_cases(session, suite, cases, start=start, now=now, source_run_id=source_run_id)
    _changed(session, suite, now, actor, action, cases=len(cases))
    await session.commit()
    return await suite_detail(session, suite), made


async def replace_case(
    *,
    session: AsyncSession,
    workspace_id: str,
    suite_id: str,
    case_id: str,
    case: CaseIn,
    actor: Actor,
    now: datetime,
) -> CaseOut:
    """Change a case's input and checks (a new revision)."""
    suite = await get_suite(session, workspace_id, suite_id, for_update=True)
    found = await _case(session, suite, case_id)
    found.name = case.name or found.name
    found.input = case.input
    found.checks = case.checks.model_dump(mode="json", exclude_defaults=True)
    found.updated_at = now
    _changed(session, suite, now, actor, "eval_suite.case_changed", case_id=case_id)
    await session.commit()
    return case_out(found)


async def delete_case(
    *,
    session: AsyncSession,
    workspace_id: str,
    suite_id: str,
    case_id: str,
    actor: Actor,
    now: datetime,
) -> None:
    suite = await get_suite(session, workspace_id, suite_id, for_update=True)
    found = await _case(session, suite, case_id)
    await session.delete(found)
    _changed(session, suite, now, actor, "eval_suite.case_deleted", case_id=case_id)
    await session.commit()


async def _case(session: AsyncSession, suite: EvalSuite, case_id: str) -> EvalCase:
    found = await session.scalar(
        select(EvalCase).where(EvalCase.id == case_id, EvalCase.suite_id == suite.id)
    )
    if found is None:
        raise NotFound(f"The suite {suite.id} has no case {case_id}.")
    return found


async def add_case_from_run(
    *,
    session: AsyncSession,
    workspace_id: str,
    suite_id: str,
    request: CaseFromRun,
    actor: Actor,
    now: datetime,
) -> CaseOut:
    """Add a finished run of the suite's agent as a case: its input, with its answer as
    the expected output and its tool calls as the required ones, when asked."""
    suite = await get_suite(session, workspace_id, suite_id)
    run = await get_in_workspace(
        session,
        Run,
        workspace_id=workspace_id,
        object_id=request.run_id,
        missing=NotFound(f"No run {request.run_id} in this workspace."),
    )
    at = {"in": "body", "pointer": "#/run_id"}
    if run.agent_id != suite.agent_id:
        raise _refused(f"The run {run.id} is of another agent than the suite's.", at)
    if run.status not in FINISHED or run.status != RunStatus.SUCCEEDED:
        raise _refused(f"The run {run.id} has not succeeded; only a finished answer is a case.", at)
    checks: dict[str, Any] = {}
    if request.expect_same_output:
        checks["expected_output"] = answer_text(run.output)
    if request.expect_same_tools:
        tools = list(
            await session.scalars(
                select(RunStep.name)
                .where(RunStep.run_id == run.id, RunStep.kind == "tool_call")
                .order_by(RunStep.sequence)
            )
        )
        if tools:
            checks["required_tools"] = [str(tool) for tool in tools]
            checks["tool_order"] = "in_order"
    case = CaseIn(
        name=request.name or f"from {run.id}",
        input=input_text(run.input),
        checks=CaseChecks.model_validate(checks),
    )
    _, made = await add_cases(
        session=session,
        workspace_id=workspace_id,
        suite_id=suite.id,
        cases=[case],
        actor=actor,
        now=now,
        source_run_id=run.id,
        action="eval_suite.case_from_run",
    )
    return case_out(made[0])


def _refused(message: str, at: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(message, errors=[{**at, "message": message}])


def input_text(value: dict[str, Any]) -> str:
    """A run's input as the text a case gives (an object input as its JSON)."""
    inner = value.get("value", value)
    return inner if isinstance(inner, str) else json.dumps(inner, ensure_ascii=False)


def answer_text(output: dict[str, Any] | None) -> str:
    """A finished run's answer as text (a structured answer as its JSON)."""
    found = output or {}
    if isinstance(found.get("text"), str):
        return str(found["text"])
    return json.dumps(found.get("data", found), ensure_ascii=False, sort_keys=True)


def parse_cases(content: bytes, filename: str) -> list[CaseIn]:
    """The cases of a CSV (columns ``name``, ``input`` and any check, list checks split
    on ``|``) or JSON Lines file (one case object per line); 422 naming the line of the
    first bad one."""
    if len(content) > MAX_IMPORT_BYTES:
        raise _refused(
            f"The file is larger than {MAX_IMPORT_BYTES} bytes.",
            {"in": "body", "pointer": "#/file"},
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused("The file is not UTF-8 text.", {"in": "body", "pointer": "#/file"}) from None
    rows = (
        _jsonl_rows(text) if filename.lower().endswith((".jsonl", ".ndjson")) else _csv_rows(text)
    )
    cases = []
    for line, row in rows:
        try:
            cases.append(CaseIn.model_validate(row, strict=False))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(map(str, problem["loc"]))
            message = f"Line {line}: {where}: {problem['msg']}"
            raise _refused(message, {"in": "body", "pointer": "#/file"}) from None
    if not cases:
        raise _refused("The file holds no case.", {"in": "body", "pointer": "#/file"})
    if len(cases) > MAX_CASES:
        raise _refused(
            f"A suite has at most {MAX_CASES} cases.", {"in": "body", "pointer": "#/file"}
        )
    return cases


def _jsonl_rows(text: str) -> list[tuple[int, Any]]:
    rows = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            rows.append((line, json.loads(raw)))
        except json.JSONDecodeError as error:
            message = f"Line {line} is not JSON: {error.msg}."
            raise _refused(message, {"in": "body", "pointer": "#/file"}) from None
    return rows


def _csv_rows(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "input" not in reader.fieldnames:
        raise _refused(
            "A CSV file needs a header row with an `input` column.",
            {"in": "body", "pointer": "#/file"},
        )
    rows = []
    for row in reader:
        case: dict[str, Any] = {"name": row.get("name") or "", "input": row.get("input") or ""}
        checks: dict[str, Any] = {}
        for column, value in row.items():
            if column in (None, "name", "input") or value in (None, ""):
                continue
            if column in _LIST_COLUMNS:
                checks[column] = [part.strip() for part in value.split("|") if part.strip()]
            elif column == "output_schema":
                checks[column] = _json_cell(value, reader.line_num, column)
            else:
                checks[column] = value
        case["checks"] = checks
        rows.append((reader.line_num, case))
    return rows


def _json_cell(value: str, line: int, column: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        message = f"Line {line}: {column} is not JSON."
        raise _refused(message, {"in": "body", "pointer": "#/file"}) from None
