"""The one place that decides whether a caller may touch a workspace.

Every tenant-scoped route depends on :func:`require_workspace`. A workspace the caller
does not belong to, or that an API key is not bound to, is answered 404 exactly like a
missing one, so ids of other tenants cannot be probed. A caller who can see the
workspace but whose role or key scopes do not allow the action gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Forbidden, NotFound
from luna.identity.principal import Principal
from luna.tenancy.models import Membership, Workspace
from luna.tenancy.permissions import role_allows


@dataclass(frozen=True)
class WorkspaceAccess:
    """A workspace the caller may act in, and with which role."""

    workspace: Workspace
    role: str | None
    principal: Principal

    @property
    def workspace_id(self) -> str:
        """The workspace's id."""
        return self.workspace.id


async def authorize_workspace(
    *,
    session: AsyncSession,
    principal: Principal,
    workspace_id: str,
    action: str,
    scope: str | None,
) -> WorkspaceAccess:
    """Load a workspace for a caller, or raise NotFound (not theirs) / Forbidden (not allowed)."""
    hidden = NotFound(f"No workspace {workspace_id}.")
    if principal.is_api_key:
        if principal.api_key_workspace_id != workspace_id:
            raise hidden
        workspace = await session.get(Workspace, workspace_id)
        if workspace is None:
            raise hidden
        granted = principal.api_key_scopes
        if "admin" not in granted and (scope is None or scope not in granted):
            raise Forbidden(f"This API key lacks the {scope or 'admin'} scope.")
        return WorkspaceAccess(workspace=workspace, role=None, principal=principal)
    row = (
        await session.execute(
            select(Workspace, Membership.role)
            .join(Membership, Membership.team_id == Workspace.team_id)
            .where(Workspace.id == workspace_id, Membership.user_id == principal.user_id)
        )
    ).first()
    if row is None:
        raise hidden
    workspace, role = row
    if not role_allows(role, action):
        raise Forbidden(f"Your role ({role}) does not allow this.", role=role, needs=action)
    return WorkspaceAccess(workspace=workspace, role=role, principal=principal)
