"""A workspace's API keys: create (shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from luna.deps import (
    CachesDep,
    ClockDep,
    OriginDep,
    PrincipalDep,
    SessionDep,
    actor_of,
    require_workspace,
)
from luna.errors import Forbidden, Unauthenticated, ValidationFailed
from luna.identity import api_keys, mfa
from luna.identity.models import ApiKey
from luna.identity.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    ApiKeyPage,
    CurrentApiKey,
)
from luna.tenancy.access import WorkspaceAccess
from luna.tenancy.models import Workspace
from luna.tenancy.permissions import role_allows

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/api-keys", tags=["api-keys"])
current_key_router = APIRouter(prefix="/api/v1", tags=["api-keys"])

KeyReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="admin"))]
KeyWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="admin"))]


@router.post("", operation_id="api-keys-create", status_code=201, response_model=ApiKeyCreated)
async def create_api_key(
    body: ApiKeyCreate,
    access: KeyWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
) -> ApiKeyCreated:
    """Create a key. Its secret is in ``key`` and is shown only in this response.

    Members create keys with resource scopes; a key with the ``admin`` scope needs an
    owner or admin and, for a user with two-factor authentication, a recent step-up.
    """
    if (
        "admin" in body.scopes
        and access.role is not None
        and not role_allows(access.role, "manage")
    ):
        raise Forbidden("Only owners and admins may create admin API keys.", needs="manage")
    if "admin" in body.scopes and access.principal.session is not None:
        await mfa.require_recent_mfa(
            session=session, user_session=access.principal.session, now=clock()
        )
    if body.expires_at is not None and body.expires_at <= clock():
        raise ValidationFailed(
            "The expiry must be in the future.",
            errors=[{"in": "body", "pointer": "#/expires_at", "message": "Must be in the future."}],
        )
    key, plaintext = await api_keys.create_api_key(
        session=session,
        workspace_id=access.workspace_id,
        actor=actor_of(access, origin),
        name=body.name,
        scopes=list(body.scopes),
        expires_at=body.expires_at,
    )
    return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(), key=plaintext)


@router.get("", operation_id="api-keys-list", response_model=ApiKeyPage)
async def list_api_keys(access: KeyReader, session: SessionDep) -> ApiKeyPage:
    """The workspace's keys, without their secrets."""
    keys = await api_keys.list_api_keys(session=session, workspace_id=access.workspace_id)
    return ApiKeyPage(items=[ApiKeyOut.model_validate(k) for k in keys], next_cursor=None)


@router.delete("/{key_id}", operation_id="api-keys-revoke", status_code=204)
async def revoke_api_key(
    key_id: str,
    access: KeyWriter,
    session: SessionDep,
    clock: ClockDep,
    origin: OriginDep,
    caches: CachesDep,
) -> None:
    """Revoke a key at once; requests with it are refused from now on."""
    await api_keys.revoke_api_key(
        session=session,
        workspace_id=access.workspace_id,
        key_id=key_id,
        now=clock(),
        actor=actor_of(access, origin),
        cache=caches.api_keys,
    )


@current_key_router.get("/api-key", operation_id="api-keys-current", response_model=CurrentApiKey)
async def current_api_key(principal: PrincipalDep, session: SessionDep) -> CurrentApiKey:
    """The API key this request is authenticated with: its workspace, team and scopes.
    Any valid key may read itself, whatever its scopes; signed-in users read `/me`."""
    if principal.api_key_id is None:
        raise Forbidden(
            "This describes the API key a request is made with; a signed-in user reads /me.",
            needs="api-key",
        )
    key = await session.get(ApiKey, principal.api_key_id)
    workspace = await session.get(Workspace, key.workspace_id) if key is not None else None
    if key is None or workspace is None:  # revoked and removed while the request ran
        raise Unauthenticated("The API key is not valid.")
    return CurrentApiKey(
        **ApiKeyOut.model_validate(key).model_dump(),
        workspace_id=workspace.id,
        team_id=workspace.team_id,
    )
