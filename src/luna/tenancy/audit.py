"""The team audit log: who did what, to what, when and from where.

Services call :func:`record` inside the transaction that makes the change, so an event
exists exactly when the change it describes was committed. Events are never updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.identity.models import User
from luna.tenancy.models import AuditEvent, Membership

AuditAction = Literal[
    "auth.login",
    "auth.login_failed",
    "auth.logout",
    "auth.mfa_enabled",
    "auth.mfa_disabled",
    "auth.password_changed",
    "auth.password_reset",
    "auth.email_changed",
    "auth.profile_changed",
    "account.deleted",
    "api_key.created",
    "api_key.revoked",
    "member.invited",
    "member.invitation_revoked",
    "member.joined",
    "member.role_changed",
    "member.removed",
    "member.left",
    "team.ownership_transferred",
    "team.renamed",
    "sso.configured",
    "sso.removed",
    "billing.plan_changed",
    "billing.subscription_changed",
    "billing.payment_failed",
    "billing.payment_succeeded",
    "billing.payment_reminder",
    "billing.downgraded",
    "billing.checkout_started",
    "workspace.created",
    "workspace.renamed",
    "demo.seeded",
    "demo.removed",
    "provider.created",
    "provider.updated",
    "provider.deleted",
    "provider.checked",
    "run.share_created",
    "run.share_revoked",
    "budget.created",
    "budget.updated",
    "budget.deleted",
    "runs.halted",
    "runs.resumed",
    "agent.environment_set",
    "agent.promoted",
    "agent.rolled_back",
    "agent.environment_deleted",
    "agent.environment_gated",
    "agent.environment_split",
    "eval_suite.created",
    "eval_suite.updated",
    "eval_suite.deleted",
    "eval_suite.cases_added",
    "eval_suite.cases_imported",
    "eval_suite.case_from_run",
    "eval_suite.case_changed",
    "eval_suite.case_deleted",
    "eval_run.started",
    "eval_run.cancelled",
]
AUDIT_ACTIONS: tuple[str, ...] = get_args(AuditAction)

# The widths of the columns; longer values are cut rather than refused.
_IP_ADDRESS_LENGTH = 64
_USER_AGENT_LENGTH = 512


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request came from: the client address and its User-Agent."""

    ip_address: str = ""
    user_agent: str = ""


def request_origin(request: Request) -> RequestOrigin:
    """The address and User-Agent of a request, cut to the widths an event stores."""
    host = request.client.host if request.client else ""
    return RequestOrigin(
        ip_address=host[:_IP_ADDRESS_LENGTH],
        user_agent=request.headers.get("user-agent", "")[:_USER_AGENT_LENGTH],
    )


def record(
    session: AsyncSession,
    *,
    team_id: str,
    action: AuditAction,
    actor_user_id: str | None = None,
    actor_api_key_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    ip_address: str = "",
    user_agent: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction (the caller commits)."""
    event = AuditEvent(
        team_id=team_id,
        action=action,
        actor_user_id=actor_user_id,
        actor_api_key_id=actor_api_key_id,
        target_type=target_type,
        target_id=target_id,
        ip_address=ip_address[:_IP_ADDRESS_LENGTH],
        user_agent=user_agent[:_USER_AGENT_LENGTH],
        data=data or {},
    )
    session.add(event)
    return event


async def record_for_user(
    session: AsyncSession,
    *,
    user_id: str,
    action: AuditAction,
    origin: RequestOrigin,
    data: dict[str, Any] | None = None,
) -> None:
    """Record an account event (a sign-in, an MFA change) in every team of the user."""
    team_ids = await session.scalars(
        select(Membership.team_id).where(Membership.user_id == user_id)
    )
    for team_id in team_ids:
        record(
            session,
            team_id=team_id,
            action=action,
            actor_user_id=user_id,
            target_type="user",
            target_id=user_id,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            data=data,
        )


@dataclass(frozen=True)
class AuditPage:
    """One page of a team's events, newest first, each with its actor's email if known.

    ``next_cursor`` is the id to pass as ``cursor`` for the next page, or None at the end.
    """

    events: list[tuple[AuditEvent, str | None]]
    next_cursor: str | None


async def list_events(
    *,
    session: AsyncSession,
    team_id: str,
    limit: int,
    cursor: str | None = None,
    action: str | None = None,
) -> AuditPage:
    """A page of a team's events, newest first, optionally of one action only.

    ``cursor`` is the id of the last event already seen: ids are time-ordered and unique,
    so the next page holds the events with smaller ids and none is seen twice.
    """
    query = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(AuditEvent.team_id == team_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(AuditEvent.id < cursor)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    rows: list[tuple[AuditEvent, str | None]] = [
        (event, email) for event, email in await session.execute(query)
    ]
    more = len(rows) > limit
    events = rows[:limit]
    return AuditPage(events=events, next_cursor=events[-1][0].id if more else None)
