"""Team members: who may act on a team, roles, removal, leaving and ownership transfer.

Every team-level route authorises through :func:`authorize_team`. The rules on top of
the role table: nobody changes or removes themselves here (leaving has its own route),
only owners touch owners and admins or make someone an owner, and a team always keeps
at least one owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Conflict, Forbidden, NotFound, ValidationFailed
from luna.identity import api_keys
from luna.identity.models import User
from luna.tenancy import audit
from luna.tenancy.audit import AuditAction, RequestOrigin
from luna.tenancy.member_schemas import MemberOut, OwnershipTransferred
from luna.tenancy.models import Invitation, Membership, Team, Workspace
from luna.tenancy.permissions import Action, may_grant_role, may_manage_member, role_allows


async def authorize_team(
    *, session: AsyncSession, user_id: str, team_id: str, action: Action
) -> Membership:
    """The caller's membership of a team, if their role allows ``action``.

    A team the user is not in answers NotFound, exactly like a missing one, so other
    tenants' team ids cannot be probed; a member whose role lacks the action gets Forbidden.
    """
    membership = await session.scalar(
        select(Membership).where(Membership.team_id == team_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFound(f"No team {team_id}.")
    if not role_allows(membership.role, action):
        raise Forbidden(
            f"Your role ({membership.role}) does not allow this.",
            role=membership.role,
            needs=action,
        )
    return membership


def member_out(membership: Membership, user: User) -> MemberOut:
    """The API shape of a membership and its user."""
    return MemberOut(
        id=membership.id,
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=membership.role,
        joined_at=membership.created_at,
    )


async def list_members(*, session: AsyncSession, team_id: str) -> list[MemberOut]:
    """A team's members, in the order they joined."""
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id == team_id)
        .order_by(Membership.id)
    )
    return [member_out(membership, user) for membership, user in rows]


async def change_role(
    *,
    session: AsyncSession,
    actor: Membership,
    membership_id: str,
    role: str,
    origin: RequestOrigin,
) -> MemberOut:
    """Give a member another role, within the rules the caller's own role sets."""
    target, user = await _get_member(
        session=session, team_id=actor.team_id, membership_id=membership_id
    )
    _check_may_manage(actor, target, verb="change the role of")
    if not may_grant_role(actor.role, role):
        raise Forbidden("Only owners may make someone an owner.", role=actor.role, needs="own")
    if role == target.role:
        return member_out(target, user)
    if "owner" in (role, target.role):
        await _require_current_owner(session=session, actor=actor)
    previous, target.role = target.role, role
    _record(
        session, actor, origin, "member.role_changed", target, user, {"from": previous, "to": role}
    )
    await session.commit()
    return member_out(target, user)


async def remove_member(
    *, session: AsyncSession, actor: Membership, membership_id: str, origin: RequestOrigin
) -> None:
    """Remove someone from the team.

    API keys they created stay with their workspaces (keys belong to the workspace, not
    to a person); the event lists them so an admin can revoke them if they wish.
    """
    target, user = await _get_member(
        session=session, team_id=actor.team_id, membership_id=membership_id
    )
    _check_may_manage(actor, target, verb="remove")
    if target.role == "owner":
        await _require_current_owner(session=session, actor=actor)
    kept = await _unrevoked_keys_created_by(session=session, team_id=actor.team_id, user_id=user.id)
    _record(session, actor, origin, "member.removed", target, user, {"api_keys_kept": kept})
    await session.delete(target)
    await session.commit()


async def leave_team(*, session: AsyncSession, actor: Membership, origin: RequestOrigin) -> None:
    """Leave a team. The last owner must first hand ownership to someone else."""
    if actor.role == "owner":
        owners = await _lock_owners(session=session, team_id=actor.team_id)
        if not owners - {actor.id}:
            raise Conflict(
                "You are the team's last owner: transfer ownership to another member "
                "before leaving."
            )
    user = await session.get(User, actor.user_id)
    if user is None:
        raise NotFound("No such user.")
    _record(session, actor, origin, "member.left", actor, user, {})
    await session.delete(actor)
    await session.commit()


async def transfer_ownership(
    *, session: AsyncSession, actor: Membership, membership_id: str, origin: RequestOrigin
) -> OwnershipTransferred:
    """Make another member owner and the caller an admin, in one transaction."""
    target, user = await _get_member(
        session=session, team_id=actor.team_id, membership_id=membership_id
    )
    if target.id == actor.id:
        raise ValidationFailed(
            "You already own this team; choose another member.",
            errors=[{"in": "body", "pointer": "#/membership_id", "message": "That is you."}],
        )
    await _require_current_owner(session=session, actor=actor)
    caller = await session.get(User, actor.user_id)
    if caller is None:
        raise NotFound("No such user.")
    previous_role = target.role
    target.role, actor.role = "owner", "admin"
    data = {"from_user_id": actor.user_id, "to_user_id": user.id, "previous_role": previous_role}
    _record(session, actor, origin, "team.ownership_transferred", target, user, data)
    await session.commit()
    return OwnershipTransferred(
        previous_owner=member_out(actor, caller), new_owner=member_out(target, user)
    )


@dataclass(frozen=True)
class Departure:
    """What leaving every team means for a user who closes their account."""

    # Teams with no other member: they, their workspaces and all their work go too.
    deleted: list[Team]
    # Teams the user leaves; the other members keep them.
    left: list[Team]
    # Teams with other members where the user is the last owner: ownership must move first.
    last_owner_of: list[Team]


async def plan_departure(*, session: AsyncSession, user_id: str) -> Departure:
    """Sort the user's teams by what closing their account does to each. The owners of
    every team are locked until commit, so no concurrent change can leave a team ownerless."""
    rows = await session.execute(
        select(Membership, Team)
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == user_id)
        .order_by(Team.name, Team.id)
    )
    departure = Departure(deleted=[], left=[], last_owner_of=[])
    for membership, team in rows:
        owners = await _lock_owners(session=session, team_id=team.id)
        members = await session.scalar(
            select(func.count()).select_from(Membership).where(Membership.team_id == team.id)
        )
        if members == 1:
            departure.deleted.append(team)
        elif membership.role == "owner" and not owners - {membership.id}:
            departure.last_owner_of.append(team)
        else:
            departure.left.append(team)
    return departure


async def depart(
    *, session: AsyncSession, departure: Departure, user_id: str, origin: RequestOrigin
) -> None:
    """Carry out a departure the caller has checked: record it in the teams left behind,
    then delete the teams nobody else is in (their rows go with them, by cascade). The
    memberships go with the user; the caller commits."""
    for team in departure.left:
        audit.record(
            session,
            team_id=team.id,
            action="account.deleted",
            actor_user_id=user_id,
            target_type="user",
            target_id=user_id,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
        )
    if departure.deleted:
        await session.execute(delete(Team).where(Team.id.in_([t.id for t in departure.deleted])))


async def _get_member(
    *, session: AsyncSession, team_id: str, membership_id: str
) -> tuple[Membership, User]:
    row = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.id == membership_id, Membership.team_id == team_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"No member {membership_id} in this team.")
    membership, user = row
    return membership, user


def _check_may_manage(actor: Membership, target: Membership, *, verb: str) -> None:
    if target.id == actor.id:
        raise Forbidden(
            f"You cannot {verb} yourself: ask another owner or admin, or leave the team."
        )
    if not may_manage_member(actor.role, target.role):
        raise Forbidden(f"Only owners may {verb} an {target.role}.", role=actor.role, needs="own")


async def _lock_owners(*, session: AsyncSession, team_id: str) -> set[str]:
    """The team's owner memberships, locked until commit (on PostgreSQL), so that
    concurrent changes cannot leave the team without an owner."""
    rows = await session.scalars(
        select(Membership.id)
        .where(Membership.team_id == team_id, Membership.role == "owner")
        .order_by(Membership.id)
        .with_for_update()
    )
    return set(rows)


async def _require_current_owner(*, session: AsyncSession, actor: Membership) -> None:
    """Lock the owners and check the caller is still one (a concurrent change may have
    demoted them since they were authorised). A change made by a current owner to
    someone else always leaves that owner, so the team keeps one."""
    if actor.id not in await _lock_owners(session=session, team_id=actor.team_id):
        raise Forbidden("Only owners may do this.", role=actor.role, needs="own")


async def _unrevoked_keys_created_by(
    *, session: AsyncSession, team_id: str, user_id: str
) -> list[str]:
    workspace_ids = await session.scalars(select(Workspace.id).where(Workspace.team_id == team_id))
    kept: list[str] = []
    for workspace_id in workspace_ids.all():
        keys = await api_keys.list_api_keys(session=session, workspace_id=workspace_id)
        kept += [k.id for k in keys if k.created_by_user_id == user_id and k.revoked_at is None]
    return kept


def _record(
    session: AsyncSession,
    actor: Membership,
    origin: RequestOrigin,
    action: AuditAction,
    target: Membership,
    user: User,
    data: dict[str, Any],
) -> None:
    audit.record(
        session,
        team_id=actor.team_id,
        action=action,
        actor_user_id=actor.user_id,
        target_type="membership",
        target_id=target.id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        data={"user_id": user.id, "email": user.email, "role": target.role, **data},
    )


async def count_seats(session: AsyncSession, team_id: str, now: datetime) -> int:
    """The team's members and its invitations still pending (what its plan's seats limit)."""
    members = select(func.count()).select_from(Membership).where(Membership.team_id == team_id)
    pending = (
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.team_id == team_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    return int(await session.scalar(members) or 0) + int(await session.scalar(pending) or 0)
