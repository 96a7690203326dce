"""A workspace's budgets (create, list with their spend, read, change, delete) and its
kill switch (read, engage, lift)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.budgets import killswitch, service
from luna.budgets.killswitch import KillSwitch
from luna.budgets.schemas import (
    BudgetCreate,
    BudgetOut,
    BudgetPage,
    BudgetUpdate,
    KillSwitchEngage,
    KillSwitchOut,
)
from luna.budgets.views import budget_out
from luna.db.pagination import PageRequestDep
from luna.deps import ClockDep, OriginDep, ResourcesDep, SessionDep, actor_of, require_workspace
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["budgets"])

BudgetReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="budgets:read"))]
# Budgets and the kill switch decide what the whole workspace may spend: admins only.
BudgetAdmin = Annotated[
    WorkspaceAccess, Depends(require_workspace("manage", scope="budgets:write"))
]
BudgetId = Annotated[str, Path(description="The budget's id (`bud_...`).")]


@router.post("/budgets", operation_id="budgets-create", status_code=201, response_model=BudgetOut)
async def create_budget(
    body: BudgetCreate,
    access: BudgetAdmin,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
    response: Response,
) -> BudgetOut:
    """Set a budget: runs stop before a model request that would cross it. Refused with
    409 when the workspace has a budget of that scope and subject already, 422 for a
    subject that is not an agent or API key of the workspace."""
    now = clock()
    budget = await service.create_budget(
        session=session,
        workspace_id=access.workspace_id,
        request=body,
        actor=actor_of(access, origin),
        now=now,
    )
    response.headers["Location"] = f"/api/v1/workspaces/{access.workspace_id}/budgets/{budget.id}"
    return await budget_out(session, budget, now=now)


@router.get("/budgets", operation_id="budgets-list", response_model=BudgetPage)
async def list_budgets(
    access: BudgetReader,
    session: SessionDep,
    clock: ClockDep,
    page: PageRequestDep,
    sort: Annotated[
        Literal["created_at", "-created_at"],
        Query(description="A field, ascending; prefixed with `-`, descending."),
    ] = "created_at",
) -> BudgetPage:
    """A page of the workspace's budgets, each with what is spent against it in its
    current period (for a budget of each agent or key: the one that spent the most)."""
    found = await service.list_budgets(
        session=session, workspace_id=access.workspace_id, sort=sort, page=page
    )
    now = clock()
    return BudgetPage(
        items=[await budget_out(session, budget, now=now) for (budget,) in found.rows],
        next_cursor=found.next_cursor,
    )


@router.get("/budgets/{budget_id}", operation_id="budgets-get", response_model=BudgetOut)
async def get_budget(
    budget_id: BudgetId, access: BudgetReader, session: SessionDep, clock: ClockDep
) -> BudgetOut:
    """A budget with its spend in the current period."""
    budget = await service.get_budget_for_workspace(
        session=session, workspace_id=access.workspace_id, budget_id=budget_id
    )
    return await budget_out(session, budget, now=clock())


@router.patch("/budgets/{budget_id}", operation_id="budgets-update", response_model=BudgetOut)
async def update_budget(
    budget_id: BudgetId,
    body: BudgetUpdate,
    access: BudgetAdmin,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> BudgetOut:
    """Change a budget's limits (`null` removes one; one must remain)."""
    now = clock()
    budget = await service.update_budget(
        session=session,
        workspace_id=access.workspace_id,
        budget_id=budget_id,
        changes=body,
        actor=actor_of(access, origin),
        now=now,
    )
    return await budget_out(session, budget, now=now)


@router.delete("/budgets/{budget_id}", operation_id="budgets-delete", status_code=204)
async def delete_budget(
    budget_id: BudgetId, access: BudgetAdmin, session: SessionDep, origin: OriginDep
) -> Response:
    """Delete a budget: runs are no longer held to it."""
    await service.delete_budget(
        session=session,
        workspace_id=access.workspace_id,
        budget_id=budget_id,
        actor=actor_of(access, origin),
    )
    return Response(status_code=204)


def _switch_out(switch: KillSwitch) -> KillSwitchOut:
    return KillSwitchOut(
        engaged=switch.halted_at is not None,
        engaged_at=switch.halted_at,
        engaged_by_user_id=switch.halted_by_user_id,
        reason=switch.reason,
        runs_cancelled=switch.runs_cancelled,
        chain_runs_cancelled=switch.chain_runs_cancelled,
    )


@router.get("/kill-switch", operation_id="kill-switch-get", response_model=KillSwitchOut)
async def get_kill_switch(access: BudgetReader, session: SessionDep) -> KillSwitchOut:
    """Whether the workspace's kill switch is engaged, since when, by whom and why."""
    return _switch_out(await killswitch.kill_switch_of(session, access.workspace_id))


@router.put("/kill-switch", operation_id="kill-switch-engage", response_model=KillSwitchOut)
async def engage_kill_switch(
    body: KillSwitchEngage,
    access: BudgetAdmin,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
    resources: ResourcesDep,
) -> KillSwitchOut:
    """Stop every run and chain run of the workspace now, and refuse new ones (409
    `runs-halted`) until the switch is lifted. Engaging it again stops what slipped
    through and keeps the first engagement's time and reason."""
    switch = await killswitch.engage(
        session=session,
        dispatcher=resources.run_dispatcher(),
        workflows=resources.workflows,
        workspace_id=access.workspace_id,
        reason=body.reason,
        actor=actor_of(access, origin),
        now=clock(),
        lease_seconds=resources.settings.worker_lease_seconds,
    )
    return _switch_out(switch)


@router.delete("/kill-switch", operation_id="kill-switch-lift", response_model=KillSwitchOut)
async def lift_kill_switch(
    access: BudgetAdmin, session: SessionDep, origin: OriginDep
) -> KillSwitchOut:
    """Lift the kill switch: runs may start again. Stopped runs stay cancelled."""
    switch = await killswitch.lift(
        session=session, workspace_id=access.workspace_id, actor=actor_of(access, origin)
    )
    return _switch_out(switch)
