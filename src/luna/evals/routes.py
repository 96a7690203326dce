"""An agent's evaluation suites and eval runs: the suites with their cases (imported
from CSV or JSON Lines, or taken from past runs), eval runs against versions and drafts,
their results, the comparison of two versions, and cancelling one."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from luna.db.pagination import PageRequestDep
from luna.deps import ClockDep, OriginDep, ResourcesDep, SessionDep, actor_of, require_workspace
from luna.errors import ValidationFailed
from luna.evals import runs, service
from luna.evals.schemas import (
    CaseFromRun,
    CaseIn,
    CaseOut,
    EvalComparison,
    EvalRunCreate,
    EvalRunDetail,
    EvalRunOut,
    EvalRunPage,
    ImportResult,
    SuiteCreate,
    SuiteDetail,
    SuitePage,
    SuiteUpdate,
)
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/agents/{agent_id}", tags=["evals"])

AgentReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="agents:read"))]
AgentWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="agents:write"))]
EvalRunner = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="runs:write"))]
AgentId = Annotated[str, Path(description="The agent's id (`agt_...`).")]
SuiteId = Annotated[str, Path(description="The suite's id (`evs_...`).", max_length=40)]
CaseId = Annotated[str, Path(description="The case's id (`evc_...`).", max_length=40)]
EvalRunId = Annotated[str, Path(description="The eval run's id (`evr_...`).", max_length=40)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes retries safe: the same key returns the eval run it created.",
    ),
]
IMPORT_TYPES: Final = {
    "text/csv": "cases.csv",
    "application/x-ndjson": "cases.jsonl",
    "application/jsonl": "cases.jsonl",
}


@router.get("/eval-suites", operation_id="eval-suites-list", response_model=SuitePage)
async def list_suites(
    agent_id: AgentId, access: AgentReader, session: SessionDep, page: PageRequestDep
) -> SuitePage:
    """The agent's evaluation suites, oldest first."""
    return await service.list_suites(
        session=session, workspace_id=access.workspace_id, agent_id=agent_id, page=page
    )


@router.post(
    "/eval-suites", operation_id="eval-suites-create", status_code=201, response_model=SuiteDetail
)
async def create_suite(
    agent_id: AgentId,
    body: SuiteCreate,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> SuiteDetail:
    """A suite of cases for the agent; 409 when it has a suite of that name. Audited."""
    return await service.create_suite(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        request=body,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.get("/eval-suites/{suite_id}", operation_id="eval-suites-get", response_model=SuiteDetail)
async def get_suite(
    agent_id: AgentId, suite_id: SuiteId, access: AgentReader, session: SessionDep
) -> SuiteDetail:
    """The suite with its cases, in order."""
    suite = await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    return await service.suite_detail(session, suite)


@router.patch(
    "/eval-suites/{suite_id}", operation_id="eval-suites-update", response_model=SuiteDetail
)
async def update_suite(
    agent_id: AgentId,
    suite_id: SuiteId,
    body: SuiteUpdate,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> SuiteDetail:
    """Rename the suite or change its description."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    return await service.update_suite(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        request=body,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.delete("/eval-suites/{suite_id}", operation_id="eval-suites-delete", status_code=204)
async def delete_suite(
    agent_id: AgentId,
    suite_id: SuiteId,
    access: AgentWriter,
    session: SessionDep,
    origin: OriginDep,
) -> Response:
    """Delete the suite with its cases and eval runs; a gate that named it is lifted."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    await service.delete_suite(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        actor=actor_of(access, origin),
    )
    return Response(status_code=204)


@router.post(
    "/eval-suites/{suite_id}/cases",
    operation_id="eval-cases-add",
    status_code=201,
    response_model=SuiteDetail,
)
async def add_cases(
    agent_id: AgentId,
    suite_id: SuiteId,
    body: list[CaseIn],
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> SuiteDetail:
    """Append cases to the suite (a new revision)."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    if not body:
        message = "Send at least one case."
        raise ValidationFailed(message, errors=[{"in": "body", "pointer": "", "message": message}])
    detail, _ = await service.add_cases(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        cases=body,
        actor=actor_of(access, origin),
        now=clock(),
    )
    return detail


@router.post(
    "/eval-suites/{suite_id}/import",
    operation_id="eval-cases-import",
    status_code=201,
    response_model=ImportResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A CSV file (header `name,input,expected_output,contains,...`; "
            "list checks split on `|`) or JSON Lines (one case object per line).",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_cases(
    agent_id: AgentId,
    suite_id: SuiteId,
    request: Request,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> ImportResult:
    """Append the cases of a CSV or JSON Lines file (by its Content-Type); a bad line is
    refused with its number and nothing is added."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    filename = IMPORT_TYPES.get(media_type)
    if filename is None:
        message = "Send the cases as text/csv or application/x-ndjson."
        raise ValidationFailed(
            message, errors=[{"in": "header", "name": "content-type", "message": message}]
        )
    content = b""
    async for chunk in request.stream():
        content += chunk
        if len(content) > service.MAX_IMPORT_BYTES:
            break
    cases = service.parse_cases(content, filename)
    detail, made = await service.add_cases(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        cases=cases,
        actor=actor_of(access, origin),
        now=clock(),
        action="eval_suite.cases_imported",
    )
    return ImportResult(suite=detail, imported=len(made))


@router.post(
    "/eval-suites/{suite_id}/from-run",
    operation_id="eval-cases-from-run",
    status_code=201,
    response_model=CaseOut,
)
async def add_case_from_run(
    agent_id: AgentId,
    suite_id: SuiteId,
    body: CaseFromRun,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> CaseOut:
    """Add a succeeded run of the agent as a case: its input, its answer as the expected
    output, and (when asked) its tool calls as the required ones."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    return await service.add_case_from_run(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        request=body,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.put(
    "/eval-suites/{suite_id}/cases/{case_id}",
    operation_id="eval-cases-replace",
    response_model=CaseOut,
)
async def replace_case(
    agent_id: AgentId,
    suite_id: SuiteId,
    case_id: CaseId,
    body: CaseIn,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> CaseOut:
    """Change a case's input and checks (a new revision of the suite)."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    return await service.replace_case(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        case_id=case_id,
        case=body,
        actor=actor_of(access, origin),
        now=clock(),
    )


@router.delete(
    "/eval-suites/{suite_id}/cases/{case_id}", operation_id="eval-cases-delete", status_code=204
)
async def delete_case(
    agent_id: AgentId,
    suite_id: SuiteId,
    case_id: CaseId,
    access: AgentWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> Response:
    """Delete a case (a new revision of the suite)."""
    await service.suite_of_agent(session, access.workspace_id, agent_id, suite_id)
    await service.delete_case(
        session=session,
        workspace_id=access.workspace_id,
        suite_id=suite_id,
        case_id=case_id,
        actor=actor_of(access, origin),
        now=clock(),
    )
    return Response(status_code=204)


@router.post(
    "/eval-runs", operation_id="eval-runs-create", status_code=201, response_model=EvalRunOut
)
async def start_eval_run(
    agent_id: AgentId,
    body: EvalRunCreate,
    access: EvalRunner,
    session: SessionDep,
    clock: ClockDep,
    resources: ResourcesDep,
    origin: OriginDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> EvalRunOut:
    """Run a suite against one or two targets (a version, an environment's version or a
    draft; the current version when none is named), each case as a run of its own in the
    background. It counts as one run of the day against the plan; its case runs are kept
    out of the usage report unless the operator bills evaluations."""
    eval_run, created = await runs.start_eval_run(
        session=session,
        workflows=resources.workflows,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        request=body,
        idempotency_key=idempotency_key,
        actor=actor_of(access, origin),
        billable=resources.settings.bill_evaluation_runs,
        mcp_stdio_allowed=resources.settings.mcp_stdio_allowed,
        now=clock(),
    )
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = (
        f"/api/v1/workspaces/{eval_run.workspace_id}/agents/{agent_id}/eval-runs/{eval_run.id}"
    )
    return await runs.eval_run_out(session, eval_run)


@router.get("/eval-runs", operation_id="eval-runs-list", response_model=EvalRunPage)
async def list_eval_runs(
    agent_id: AgentId,
    access: AgentReader,
    session: SessionDep,
    page: PageRequestDep,
    suite_id: Annotated[str | None, Query(max_length=40, description="Of this suite only.")] = None,
) -> EvalRunPage:
    """The agent's eval runs, newest first."""
    return await runs.list_eval_runs(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        suite_id=suite_id,
        page=page,
    )


@router.get("/eval-runs/{eval_run_id}", operation_id="eval-runs-get", response_model=EvalRunDetail)
async def get_eval_run(
    agent_id: AgentId, eval_run_id: EvalRunId, access: AgentReader, session: SessionDep
) -> EvalRunDetail:
    """The eval run: its progress, each target's aggregate and every case's result."""
    return await runs.eval_run_detail(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        eval_run_id=eval_run_id,
    )


@router.get(
    "/eval-runs/{eval_run_id}/comparison",
    operation_id="eval-runs-compare",
    response_model=EvalComparison,
)
async def compare_eval_run(
    agent_id: AgentId, eval_run_id: EvalRunId, access: AgentReader, session: SessionDep
) -> EvalComparison:
    """The two targets of an eval run case by case: the verdicts, the diff of the answers
    and of the runs' steps, and which cases improved or regressed. 409 for one target."""
    return await runs.compare(
        session=session,
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        eval_run_id=eval_run_id,
    )


@router.post(
    "/eval-runs/{eval_run_id}/cancel", operation_id="eval-runs-cancel", response_model=EvalRunOut
)
async def cancel_eval_run(
    agent_id: AgentId,
    eval_run_id: EvalRunId,
    access: EvalRunner,
    session: SessionDep,
    clock: ClockDep,
    resources: ResourcesDep,
    origin: OriginDep,
) -> EvalRunOut:
    """Stop the eval run and its case runs under way; 409 when it has finished."""
    eval_run = await runs.cancel_eval_run(
        session=session,
        workflows=resources.workflows,
        dispatcher=resources.run_dispatcher(),
        workspace_id=access.workspace_id,
        agent_id=agent_id,
        eval_run_id=eval_run_id,
        actor=actor_of(access, origin),
        now=clock(),
        lease_seconds=resources.settings.worker_lease_seconds,
    )
    return await runs.eval_run_out(session, eval_run)
