"""Closing an account.

The user proves it is them (their address typed out, and their password, or for an
account without one a session signed in within the last minutes; a recent second factor
when two-factor authentication is on). Then, in one transaction:

- the teams nobody else is in are deleted with their workspaces, agents, runs, keys,
  documents and usage (by the database's cascades);
- the user leaves every other team, which records ``account.deleted`` in its audit log;
- every session ends, and the user's row goes with their memberships, sessions, second
  factors and tokens; the rows others keep (runs they started, keys they created, audit
  events) lose the link to them.

Some things must be settled first, and are all reported at once, each with its team: a
team with other members whose last owner they are, a team about to be deleted whose
subscription the payment provider may still charge, and one with runs still going.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from luna.accounts.schemas import AccountDeletion, DeletionBlocker
from luna.billing.service import teams_with_open_subscriptions
from luna.errors import Conflict, Unauthenticated, ValidationFailed
from luna.identity import mfa, sessions
from luna.identity.models import User, UserSession
from luna.identity.passwords import verify_password
from luna.notifications.service import queue_email
from luna.runs.service import count_active_runs
from luna.tenancy import members
from luna.tenancy.audit import RequestOrigin


class RecentSignInRequired(Unauthenticated):
    """An account without a password is closed only from a session signed in just now."""

    code = "recent-sign-in-required"


async def close_account(
    *,
    session: AsyncSession,
    user: User,
    user_session: UserSession,
    confirmation: AccountDeletion,
    origin: RequestOrigin,
    now: datetime,
) -> None:
    """Delete the user's account, or raise without changing anything."""
    await _check_it_is_them(
        session=session, user=user, user_session=user_session, confirmation=confirmation, now=now
    )
    departure = await members.plan_departure(session=session, user_id=user.id)
    blockers = await _blockers(session=session, departure=departure)
    if blockers:
        raise Conflict(
            "Your account cannot be deleted yet: " + " ".join(b.message for b in blockers),
            blockers=[b.model_dump() for b in blockers],
        )
    queue_email(
        session=session,
        to_address=user.email,
        template="account-deleted",
        teams=", ".join(t.name for t in departure.deleted) or "none",
    )
    await sessions.revoke_user_sessions(session=session, user_id=user.id, now=now)
    await members.depart(session=session, departure=departure, user_id=user.id, origin=origin)
    await session.execute(delete(User).where(User.id == user.id))
    await session.commit()


async def _check_it_is_them(
    *,
    session: AsyncSession,
    user: User,
    user_session: UserSession,
    confirmation: AccountDeletion,
    now: datetime,
) -> None:
    if confirmation.email.strip().lower() != user.email:
        raise ValidationFailed(
            "Type your account's email address to confirm.",
            errors=[{"in": "body", "pointer": "#/email", "message": "Not this account's address."}],
        )
    if user.password_hash is not None:
        valid, _ = verify_password(confirmation.password or "", user.password_hash)
        if not valid:
            raise ValidationFailed(
                "The password is not right.",
                errors=[{"in": "body", "pointer": "#/password", "message": "Wrong password."}],
            )
    elif now - user_session.created_at > mfa.STEP_UP_LIFETIME:
        raise RecentSignInRequired(
            "Sign out and in again, then delete the account within ten minutes."
        )
    await mfa.require_recent_mfa(session=session, user_session=user_session, now=now)


async def _blockers(
    *, session: AsyncSession, departure: members.Departure
) -> list[DeletionBlocker]:
    blockers = [
        DeletionBlocker(
            team_id=team.id,
            team_name=team.name,
            reason="last-owner",
            message=f"You are the last owner of “{team.name}”: make another "
            "member an owner, or remove the other members.",
        )
        for team in departure.last_owner_of
    ]
    doomed = {team.id: team for team in departure.deleted}
    for team_id in sorted(await teams_with_open_subscriptions(session=session, team_ids=doomed)):
        name = f"“{doomed[team_id].name}”"
        blockers.append(
            DeletionBlocker(
                team_id=team_id,
                team_name=doomed[team_id].name,
                reason="open-subscription",
                message=f"{name} has a paid subscription: cancel it on the billing page.",
            )
        )
    active = await count_active_runs(session=session, team_ids=doomed)
    for team_id, count in sorted(active.items()):
        name = f"“{doomed[team_id].name}”"
        runs = "run is" if count == 1 else "runs are"
        blockers.append(
            DeletionBlocker(
                team_id=team_id,
                team_name=doomed[team_id].name,
                reason="active-runs",
                message=f"{count} {runs} still going in {name}: cancel them or let them finish.",
            )
        )
    return blockers
