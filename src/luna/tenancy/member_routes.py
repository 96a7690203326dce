"""Team members, roles, invitations, ownership and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from luna.deps import (
    ClockDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    TeamManager,
    TeamOwner,
    TeamReader,
    UserPrincipalDep,
)
from luna.tenancy import audit, invitations, members
from luna.tenancy.audit import AuditAction
from luna.tenancy.member_schemas import (
    AuditEventOut,
    AuditLogPage,
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    InvitationPage,
    MemberOut,
    MemberPage,
    OwnershipTransfer,
    OwnershipTransferred,
    RoleActionOut,
    RoleChange,
    RoleOut,
    RolesOut,
)
from luna.tenancy.permissions import (
    ACTION_MEANING,
    ACTIONS,
    INVITABLE_ROLES,
    ROLES,
    role_allows,
)
from luna.tenancy.schemas import TeamOut

router = APIRouter(prefix="/api/v1", tags=["members"])

TEAM = "/teams/{team_id}"
AUDIT_CURSOR_PATTERN = r"^aud_[0-9a-z]{26}$"


@router.get("/roles", operation_id="roles-list", response_model=RolesOut)
async def list_roles(principal: UserPrincipalDep) -> RolesOut:
    """What each team role may do: the same table the server enforces."""
    return RolesOut(
        actions=[
            RoleActionOut(action=action, meaning=ACTION_MEANING[action]) for action in ACTIONS
        ],
        roles=[
            RoleOut(
                role=role,
                actions=[action for action in ACTIONS if role_allows(role, action)],
                may_be_invited=role in INVITABLE_ROLES,
            )
            for role in reversed(ROLES)
        ],
    )


@router.get(f"{TEAM}/members", operation_id="members-list", response_model=MemberPage)
async def list_members(actor: TeamReader, session: SessionDep) -> MemberPage:
    """The team's members and their roles, in the order they joined."""
    items = await members.list_members(session=session, team_id=actor.team_id)
    return MemberPage(items=items, next_cursor=None)


@router.patch(
    f"{TEAM}/members/{{membership_id}}", operation_id="members-update", response_model=MemberOut
)
async def change_member_role(
    membership_id: str, body: RoleChange, actor: TeamManager, session: SessionDep, origin: OriginDep
) -> MemberOut:
    """Change a member's role. Admins may grant admin, member or viewer; only owners may
    change an owner or an admin, or make someone an owner. Nobody changes their own role."""
    return await members.change_role(
        session=session, actor=actor, membership_id=membership_id, role=body.role, origin=origin
    )


@router.delete(f"{TEAM}/members/{{membership_id}}", operation_id="members-remove", status_code=204)
async def remove_member(
    membership_id: str, actor: TeamManager, session: SessionDep, origin: OriginDep
) -> None:
    """Remove a member (only owners may remove an owner or an admin). API keys they
    created stay with their workspaces; the audit event lists them."""
    await members.remove_member(
        session=session, actor=actor, membership_id=membership_id, origin=origin
    )


@router.post(f"{TEAM}/leave", operation_id="teams-leave", status_code=204)
async def leave_team(actor: TeamReader, session: SessionDep, origin: OriginDep) -> None:
    """Leave the team. The last owner must transfer ownership first (409 otherwise)."""
    await members.leave_team(session=session, actor=actor, origin=origin)


@router.post(
    f"{TEAM}/transfer-ownership",
    operation_id="teams-transfer-ownership",
    response_model=OwnershipTransferred,
)
async def transfer_ownership(
    body: OwnershipTransfer, actor: TeamOwner, session: SessionDep, origin: OriginDep
) -> OwnershipTransferred:
    """Make another member the owner; the caller becomes an admin, in one step."""
    return await members.transfer_ownership(
        session=session, actor=actor, membership_id=body.membership_id, origin=origin
    )


@router.post(
    f"{TEAM}/invitations",
    operation_id="invitations-create",
    status_code=201,
    response_model=InvitationOut,
)
async def create_invitation(
    body: InvitationCreate,
    actor: TeamManager,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> InvitationOut:
    """Invite someone by email with a role (never owner). The link in the email works
    once, for that address, for seven days."""
    invitation = await invitations.create_invitation(
        session=session,
        actor=actor,
        email=body.email,
        role=body.role,
        settings=settings,
        now=clock(),
        origin=origin,
    )
    return InvitationOut.model_validate(invitation)


@router.get(f"{TEAM}/invitations", operation_id="invitations-list", response_model=InvitationPage)
async def list_invitations(
    actor: TeamManager, session: SessionDep, clock: ClockDep
) -> InvitationPage:
    """The team's pending invitations, newest first."""
    pending = await invitations.list_pending(session=session, team_id=actor.team_id, now=clock())
    items = [InvitationOut.model_validate(invitation) for invitation in pending]
    return InvitationPage(items=items, next_cursor=None)


@router.delete(
    f"{TEAM}/invitations/{{invitation_id}}", operation_id="invitations-revoke", status_code=204
)
async def revoke_invitation(
    invitation_id: str, actor: TeamManager, session: SessionDep, clock: ClockDep, origin: OriginDep
) -> None:
    """Withdraw an invitation; its link stops working at once."""
    await invitations.revoke_invitation(
        session=session, actor=actor, invitation_id=invitation_id, now=clock(), origin=origin
    )


@router.post("/invitations/accept", operation_id="invitations-accept", response_model=TeamOut)
async def accept_invitation(
    body: InvitationAccept,
    principal: UserPrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> TeamOut:
    """Join a team with the token from an invitation email. The signed-in user's email
    must be the invited address. Returns the team with the new role."""
    return await invitations.accept_invitation(
        session=session,
        user_id=principal.user_id or "",
        token=body.token,
        now=clock(),
        origin=origin,
    )


@router.get(f"{TEAM}/audit-log", operation_id="audit-log-list", response_model=AuditLogPage)
async def list_audit_log(
    actor: TeamManager,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None,
        Query(pattern=AUDIT_CURSOR_PATTERN, description="The last event id already seen."),
    ] = None,
    action: Annotated[AuditAction | None, Query(description="Only events of this action.")] = None,
) -> AuditLogPage:
    """The team's audit log, newest first (owners and admins only)."""
    page = await audit.list_events(
        session=session, team_id=actor.team_id, limit=limit, cursor=cursor, action=action
    )
    return AuditLogPage(
        items=[AuditEventOut.from_event(event, email) for event, email in page.events],
        next_cursor=page.next_cursor,
    )
