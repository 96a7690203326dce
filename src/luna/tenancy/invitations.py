"""Invitations: an emailed, single-use, expiring link to join a team with a role.

Only the SHA-256 of the token is stored; the token itself is only in the email. The
invitation binds an address: whoever accepts must be signed in with that address.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Conflict, Forbidden, NotFound, ValidationFailed
from luna.identity.models import User
from luna.identity.service import normalise_email
from luna.identity.tokens import digest, new_secret
from luna.notifications.service import queue_email
from luna.plans.entitlements import check_entitlement
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import AuditAction, RequestOrigin
from luna.tenancy.members import count_seats
from luna.tenancy.models import Invitation, Membership, Team, Workspace
from luna.tenancy.schemas import TeamOut, WorkspaceOut
from luna.tenancy.service import lock_team

INVITATION_DAYS = 7


async def create_invitation(
    *,
    session: AsyncSession,
    actor: Membership,
    email: str,
    role: str,
    settings: Settings,
    now: datetime,
    origin: RequestOrigin,
) -> Invitation:
    """Invite an address to the actor's team and queue the email with its link.

    Conflict when the address already belongs to a member or has a pending invitation;
    402 when members and pending invitations fill the plan's seats.
    """
    email = normalise_email(email)
    # Under the team's lock, so that two invitations of one address sent at once find
    # each other: one is created, the other is a conflict.
    await lock_team(session, actor.team_id)
    await _refuse_duplicate(session=session, team_id=actor.team_id, email=email, now=now)
    team = await session.get(Team, actor.team_id)
    if team is not None:  # the membership's foreign key keeps it
        used = await count_seats(session, team.id, now)
        await check_entitlement(session=session, team=team, entitlement="seats", now=now, used=used)
    token = new_secret()
    invitation = Invitation(
        team_id=actor.team_id,
        email=email,
        role=role,
        token_hash=digest(token),
        invited_by_user_id=actor.user_id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    await session.flush()
    await _queue_invitation_email(
        session=session, invitation=invitation, token=token, settings=settings
    )
    _record(session, actor.user_id, origin, "member.invited", invitation, {})
    await session.commit()
    return invitation


async def list_pending(*, session: AsyncSession, team_id: str, now: datetime) -> list[Invitation]:
    """A team's invitations that can still be accepted, newest first."""
    rows = await session.scalars(
        select(Invitation)
        .where(
            Invitation.team_id == team_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.id.desc())
    )
    return list(rows)


async def revoke_invitation(
    *,
    session: AsyncSession,
    actor: Membership,
    invitation_id: str,
    now: datetime,
    origin: RequestOrigin,
) -> None:
    """Revoke an invitation so its link no longer works; revoking twice changes nothing."""
    invitation = await session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.team_id == actor.team_id
        )
    )
    if invitation is None:
        raise NotFound(f"No invitation {invitation_id} in this team.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted; remove the member instead.")
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = now
    _record(session, actor.user_id, origin, "member.invitation_revoked", invitation, {})
    await session.commit()


async def accept_invitation(
    *, session: AsyncSession, user_id: str, token: str, now: datetime, origin: RequestOrigin
) -> TeamOut:
    """Join the team of an invitation sent to the signed-in user's address.

    ValidationFailed for an unknown, used, revoked or expired token; Forbidden when the
    user is signed in with another address; Conflict when they are already a member.
    """
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(token))
    )
    invitation = _usable(invitation, now)
    if normalise_email(user.email) != normalise_email(invitation.email):
        raise Forbidden(
            "This invitation was sent to another email address. Sign in with the address "
            "it was sent to, then open the link again."
        )
    await _claim(session=session, invitation=invitation, now=now)
    membership = Membership(
        team_id=invitation.team_id, user_id=user.id, role=invitation.role, created_at=now
    )
    await _add_membership(session=session, membership=membership)
    data: dict[str, object] = {
        "invitation_id": invitation.id,
        "invited_by_user_id": invitation.invited_by_user_id,
    }
    _record(session, user.id, origin, "member.joined", invitation, data, membership=membership)
    await session.commit()
    return await _team_out(session=session, team_id=invitation.team_id, role=membership.role)


async def _refuse_duplicate(
    *, session: AsyncSession, team_id: str, email: str, now: datetime
) -> None:
    member = await session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id == team_id, User.email == email)
    )
    if member is not None:
        raise Conflict(f"{email} is already a member of this team.", field="email")
    pending = await session.scalar(
        select(Invitation.id).where(
            Invitation.team_id == team_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    if pending is not None:
        raise Conflict(
            f"{email} already has a pending invitation; revoke it to send a new one.",
            field="email",
        )


async def _queue_invitation_email(
    *, session: AsyncSession, invitation: Invitation, token: str, settings: Settings
) -> None:
    team = await session.get(Team, invitation.team_id)
    inviter = await session.get(User, invitation.invited_by_user_id or "")
    if team is None or inviter is None:
        raise NotFound("The team or the inviting user no longer exists.")
    queue_email(
        session=session,
        to_address=invitation.email,
        template="invitation",
        link=settings.public_link(f"/invitations/accept?token={token}"),
        team=team.name,
        inviter=f"{inviter.display_name} ({inviter.email})",
        role=invitation.role,
        days=INVITATION_DAYS,
    )


def _usable(invitation: Invitation | None, now: datetime) -> Invitation:
    """The invitation, if it can still be accepted; ValidationFailed saying why not."""
    if invitation is None:
        _refuse("This invitation link is not valid; ask for a new invitation.")
    if invitation.accepted_at is not None:
        _refuse("This invitation was already used.")
    if invitation.revoked_at is not None:
        _refuse("This invitation was withdrawn; ask for a new one.")
    if now >= invitation.expires_at:
        _refuse("This invitation has expired; ask for a new one.")
    return invitation


def _refuse(detail: str) -> NoReturn:
    raise ValidationFailed(detail, errors=[{"in": "body", "pointer": "#/token", "message": detail}])


async def _claim(*, session: AsyncSession, invitation: Invitation, now: datetime) -> None:
    """Mark the invitation accepted, unless a concurrent request just used or revoked it."""
    claimed = await session.scalar(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(accepted_at=now)
        .returning(Invitation.id)
    )
    if claimed is None:
        await session.rollback()
        _refuse("This invitation was already used.")


async def _add_membership(*, session: AsyncSession, membership: Membership) -> None:
    session.add(membership)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("You are already a member of this team.") from exc


async def _team_out(*, session: AsyncSession, team_id: str, role: str) -> TeamOut:
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(f"No team {team_id}.")
    workspaces = await session.scalars(
        select(Workspace).where(Workspace.team_id == team_id).order_by(Workspace.id)
    )
    return TeamOut(
        id=team.id,
        name=team.name,
        plan=team.plan,
        personal=team.personal,
        role=role,
        workspaces=[WorkspaceOut.model_validate(w) for w in workspaces],
    )


def _record(
    session: AsyncSession,
    actor_user_id: str | None,
    origin: RequestOrigin,
    action: AuditAction,
    invitation: Invitation,
    data: dict[str, object],
    *,
    membership: Membership | None = None,
) -> None:
    audit.record(
        session,
        team_id=invitation.team_id,
        action=action,
        actor_user_id=actor_user_id,
        target_type="membership" if membership else "invitation",
        target_id=membership.id if membership else invitation.id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        data={"email": invitation.email, "role": invitation.role, **data},
    )
