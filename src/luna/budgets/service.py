"""A workspace's budgets: create, list, read, change, delete (each audited), the limits
that apply to a run, and the alerts sent as period budgets fill up.

What is spent against a budget is counted by the runs domain, which owns the rows
(:mod:`luna.runs.spend`); this module never reads runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import Agent
from luna.budgets.limits import Limit
from luna.budgets.models import Budget, BudgetAlert, BudgetScope
from luna.budgets.schemas import BudgetCreate, BudgetUpdate
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.db.writes import conflicts_as, touch
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.identity.api_keys import Actor
from luna.identity.models import ApiKey
from luna.notifications.service import queue_email
from luna.tenancy.service import admins_of_workspace

BUDGET_KEYSET: Final = Keyset({"created_at": Budget.created_at}, id_column=Budget.id)
MAX_BUDGETS: Final = 100
_SUBJECT_MODELS: Final[dict[BudgetScope, tuple[type[Agent] | type[ApiKey], str]]] = {
    BudgetScope.RUN: (Agent, "agent"),
    BudgetScope.AGENT_DAY: (Agent, "agent"),
    BudgetScope.API_KEY_DAY: (ApiKey, "API key"),
}


def _missing(budget_id: str) -> NotFound:
    return NotFound(f"No budget {budget_id} in this workspace.")


def _taken(scope: str, subject: str) -> Conflict:
    whom = f" for {subject}" if subject else ""
    return Conflict(
        f"The workspace already has a {scope} budget{whom}; change that one instead.",
        reason="budget-exists",
    )


async def _check_subject(
    session: AsyncSession, workspace_id: str, scope: BudgetScope, subject: str
) -> None:
    """The subject must be an agent or API key of this workspace, as the scope asks."""
    if not subject:
        return
    if scope not in _SUBJECT_MODELS:
        raise ValidationFailed(
            "A workspace budget has no subject.",
            errors=[
                {"in": "body", "pointer": "#/subject", "message": "Empty for workspace_month."}
            ],
        )
    model, noun = _SUBJECT_MODELS[scope]
    found = await session.scalar(
        select(model.id).where(model.id == subject, model.workspace_id == workspace_id)
    )
    if found is None:
        raise ValidationFailed(
            f"No {noun} {subject} in this workspace.",
            errors=[
                {
                    "in": "body",
                    "pointer": "#/subject",
                    "message": f"No {noun} {subject} in this workspace.",
                }
            ],
        )


async def create_budget(
    *,
    session: AsyncSession,
    workspace_id: str,
    request: BudgetCreate,
    actor: Actor,
    now: datetime,
) -> Budget:
    """Store a budget; 409 when the workspace has one of that scope and subject."""
    await _check_subject(session, workspace_id, BudgetScope(request.scope), request.subject)
    count = await session.scalar(
        select(func.count()).select_from(Budget).where(Budget.workspace_id == workspace_id)
    )
    if (count or 0) >= MAX_BUDGETS:
        raise Conflict(
            f"A workspace has at most {MAX_BUDGETS} budgets; delete one first.",
            reason="too-many-budgets",
        )
    budget = Budget(
        workspace_id=workspace_id,
        scope=request.scope,
        subject=request.subject,
        max_tokens=request.max_tokens,
        max_cost_usd=request.max_cost_usd,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    async with conflicts_as(session, _taken(request.scope, request.subject)):
        session.add(budget)
        await session.flush()
        _audit(actor, session, "budget.created", budget)
        await session.commit()
    return budget


def _audit(actor: Actor, session: AsyncSession, action: str, budget: Budget) -> None:
    actor.record(
        session,
        action=action,
        target_type="budget",
        target_id=budget.id,
        data={
            "workspace_id": budget.workspace_id,
            "scope": budget.scope,
            "subject": budget.subject,
            "max_tokens": budget.max_tokens,
            "max_cost_usd": None if budget.max_cost_usd is None else str(budget.max_cost_usd),
        },
    )


async def get_budget_for_workspace(
    *, session: AsyncSession, workspace_id: str, budget_id: str
) -> Budget:
    return await get_in_workspace(
        session, Budget, workspace_id=workspace_id, object_id=budget_id, missing=_missing(budget_id)
    )


async def list_budgets(
    *, session: AsyncSession, workspace_id: str, sort: str, page: PageRequest
) -> Slice[Budget]:
    statement = select(Budget).where(Budget.workspace_id == workspace_id)
    return await paginate(session, statement, keyset=BUDGET_KEYSET, sort=sort, page=page)


async def update_budget(
    *,
    session: AsyncSession,
    workspace_id: str,
    budget_id: str,
    changes: BudgetUpdate,
    actor: Actor,
    now: datetime,
) -> Budget:
    """Change a budget's limits; at least one limit must remain (422)."""
    budget = await get_budget_for_workspace(
        session=session, workspace_id=workspace_id, budget_id=budget_id
    )
    given = changes.model_fields_set
    max_tokens = changes.max_tokens if "max_tokens" in given else budget.max_tokens
    max_cost = changes.max_cost_usd if "max_cost_usd" in given else budget.max_cost_usd
    if max_tokens is None and max_cost is None:
        raise ValidationFailed(
            "A budget keeps at least one limit; delete it instead.",
            errors=[{"in": "body", "pointer": "#/max_tokens", "message": "One limit must remain."}],
        )
    if (max_tokens, max_cost) != (budget.max_tokens, budget.max_cost_usd):
        budget.max_tokens = max_tokens
        budget.max_cost_usd = max_cost
        touch(budget, now)
        _audit(actor, session, "budget.updated", budget)
        await session.commit()
    return budget


async def delete_budget(
    *, session: AsyncSession, workspace_id: str, budget_id: str, actor: Actor
) -> None:
    budget = await get_budget_for_workspace(
        session=session, workspace_id=workspace_id, budget_id=budget_id
    )
    _audit(actor, session, "budget.deleted", budget)
    await session.delete(budget)
    await session.commit()


async def limits_for_run(
    session: AsyncSession, *, workspace_id: str, agent_id: str, api_key_id: str | None
) -> list[Limit]:
    """The budgets a run of ``agent_id`` (started with ``api_key_id``, if by a key) is
    held to: its agent's run and daily budgets (or those for every agent), its key's
    daily budget, the workspace's monthly budget."""
    for_agent = Budget.scope.in_((BudgetScope.RUN, BudgetScope.AGENT_DAY)) & Budget.subject.in_(
        (agent_id, "")
    )
    applies = [for_agent, Budget.scope == BudgetScope.WORKSPACE_MONTH]
    if api_key_id is not None:
        applies.append(
            (Budget.scope == BudgetScope.API_KEY_DAY) & Budget.subject.in_((api_key_id, ""))
        )
    budgets = await session.scalars(
        select(Budget).where(Budget.workspace_id == workspace_id, or_(*applies))
    )
    return [
        Limit(
            budget_id=budget.id,
            scope=BudgetScope(budget.scope),
            subject=budget.subject,
            max_tokens=budget.max_tokens,
            max_cost_usd=budget.max_cost_usd,
        )
        for budget in budgets
    ]


async def alert_once(
    session: AsyncSession,
    *,
    limit: Limit,
    workspace_id: str,
    period_start: datetime,
    level: int,
    run_id: str,
    notify: bool = True,
) -> bool:
    """Tell the team's owners and admins that a period budget reached ``level`` percent,
    unless they were told already in this period (``notify=False`` only marks the level
    as told); committed. Whether this call marked it."""
    session.add(
        BudgetAlert(
            budget_id=limit.budget_id, period_start=period_start, level=level, run_id=run_id
        )
    )
    try:
        await session.flush()
    except IntegrityError:  # told already, by this run or another
        await session.rollback()
        return False
    if not notify:
        await session.commit()
        return True
    found = await admins_of_workspace(session, workspace_id)
    for user_id, email, team, workspace in found:
        queue_email(
            session=session,
            to_address=email,
            template="budget-alert",
            user_id=user_id,
            level=level,
            budget=describe(limit),
            workspace=workspace,
            team=team,
            consequence="New model requests that would cross it are refused until "
            "the period ends or the budget is raised."
            if level >= 100
            else "Runs go on; at 100 % they stop before crossing it.",
        )
    await session.commit()
    return True


def describe(limit: Limit) -> str:
    """A budget in words, for e-mails: the monthly budget of the workspace (200,000
    tokens / $5.0000)."""
    names = {
        BudgetScope.RUN: "the budget per run",
        BudgetScope.AGENT_DAY: "the daily budget of an agent",
        BudgetScope.API_KEY_DAY: "the daily budget of an API key",
        BudgetScope.WORKSPACE_MONTH: "the monthly budget of the workspace",
    }
    limits = []
    if limit.max_tokens is not None:
        limits.append(f"{limit.max_tokens:,} tokens")
    if limit.max_cost_usd is not None:
        limits.append(f"${limit.max_cost_usd:.4f}")
    subject = f" {limit.subject}" if limit.subject else ""
    return f"{names[limit.scope]}{subject} ({' / '.join(limits)})"
