"""Request and response shapes of members, invitations, ownership and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from luna.db.pagination import Page
from luna.schemas import RequestModel
from luna.tenancy.models import AuditEvent
from luna.tenancy.permissions import InvitableRole, Role

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Token = Annotated[str, StringConstraints(min_length=10, max_length=200)]


class MemberOut(BaseModel):
    """A member of a team: the person and their role."""

    id: str = Field(description="The membership's id (``mem_...``), used to change or remove it.")
    user_id: str
    email: str
    display_name: str
    role: str
    joined_at: datetime


class RoleActionOut(BaseModel):
    """One thing a role may do."""

    action: str = Field(description="`read`, `write`, `manage` or `own`.")
    meaning: str = Field(description="What the action allows, in a sentence.")


class RoleOut(BaseModel):
    """A team role and the actions it includes."""

    role: Role
    actions: list[str] = Field(description="The actions this role includes, weakest first.")
    may_be_invited: bool = Field(description="Whether an invitation may grant this role.")


class RolesOut(BaseModel):
    """Every team role and every action, as the RBAC screen shows them."""

    actions: list[RoleActionOut]
    roles: list[RoleOut] = Field(description="Weakest first: viewer, member, admin, owner.")


class RoleChange(RequestModel):
    """A member's new role. Only owners may make an owner or change an owner or admin."""

    role: Role


class OwnershipTransfer(RequestModel):
    """The member who becomes owner; the caller becomes an admin."""

    membership_id: Identifier


class OwnershipTransferred(BaseModel):
    """The two memberships an ownership transfer changed."""

    previous_owner: MemberOut
    new_owner: MemberOut


class InvitationCreate(RequestModel):
    """Whom to invite, and with which role (never owner)."""

    email: EmailStr = Field(max_length=320)
    role: InvitableRole


class InvitationOut(BaseModel):
    """A pending invitation. Its token is only ever in the email."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    team_id: str
    email: str
    role: str
    invited_by_user_id: str | None
    created_at: datetime
    expires_at: datetime


class InvitationAccept(RequestModel):
    """The token from an invitation email."""

    token: Token


class AuditActor(BaseModel):
    """Who acted: a user (with their email while the account exists) or an API key."""

    user_id: str | None
    email: str | None
    api_key_id: str | None


class AuditTarget(BaseModel):
    """What the action was done to."""

    type: str
    id: str | None


class AuditEventOut(BaseModel):
    """One entry of the audit log."""

    id: str
    action: str = Field(description="A dotted name such as ``member.invited``.")
    actor: AuditActor
    target: AuditTarget | None
    ip_address: str
    user_agent: str
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def from_event(cls, event: AuditEvent, email: str | None) -> AuditEventOut:
        """An event as the API shows it, with its actor's email when known."""
        target = (
            AuditTarget(type=event.target_type, id=event.target_id)
            if event.target_type is not None
            else None
        )
        actor = AuditActor(
            user_id=event.actor_user_id, email=email, api_key_id=event.actor_api_key_id
        )
        return cls(
            id=event.id,
            action=event.action,
            actor=actor,
            target=target,
            ip_address=event.ip_address,
            user_agent=event.user_agent,
            data=event.data,
            created_at=event.created_at,
        )


class AuditLogPage(Page[AuditEventOut]):
    """Events newest first. Pass ``next_cursor`` as ``cursor`` for the next page."""


class MemberPage(Page[MemberOut]):
    """The team's members, all on one page (`next_cursor` is null)."""


class InvitationPage(Page[InvitationOut]):
    """The team's pending invitations, all on one page (`next_cursor` is null)."""
