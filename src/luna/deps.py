"""Dependencies injected into routes, as ``Annotated`` aliases.

Tests replace any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import Depends, Header, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from luna.agents.catalog import Catalog, load_catalog
from luna.cache import Caches
from luna.db.base import utcnow
from luna.errors import Forbidden, Unauthenticated, ValidationFailed
from luna.identity import api_keys, mfa
from luna.identity.principal import Principal, authenticate
from luna.observability.context import RequestContext
from luna.resources import Resources
from luna.runs.schemas import MAX_SEQUENCE
from luna.security.crypto import Keyring
from luna.settings import Settings
from luna.tenancy import members
from luna.tenancy.access import WorkspaceAccess, authorize_workspace
from luna.tenancy.audit import RequestOrigin, request_origin
from luna.tenancy.models import Membership
from luna.tenancy.permissions import Action

Clock = Callable[[], datetime]


def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_resources(request: Request) -> Resources:
    """The started application's shared resources (engine, sessions, caches, bus...)."""
    resources: Resources = request.app.state.resources
    return resources


def get_engine(request: Request) -> AsyncEngine:
    """The application's database engine."""
    return get_resources(request).engine


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A database session for one request; services decide when to commit."""
    async with get_resources(request).open_session() as session:
        yield session


def get_caches(request: Request) -> Caches:
    """The application's caches of hot reads."""
    caches: Caches = request.app.state.caches
    return caches


def get_keyring(request: Request) -> Keyring:
    """The keys that encrypt and decrypt secrets at rest."""
    keyring: Keyring = request.app.state.keyring
    return keyring


def get_clock() -> Clock:
    """The source of the current time (tests move it)."""
    return utcnow


def get_request_context(request: Request) -> RequestContext:
    """The request's id, trace and (once authenticated) user and workspace."""
    context: RequestContext = request.scope["state"]["request_context"]
    return context


SettingsDep = Annotated[Settings, Depends(get_settings)]
ResourcesDep = Annotated[Resources, Depends(get_resources)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
KeyringDep = Annotated[Keyring, Depends(get_keyring)]
CachesDep = Annotated[Caches, Depends(get_caches)]
RequestContextDep = Annotated[RequestContext, Depends(get_request_context)]
OriginDep = Annotated[RequestOrigin, Depends(request_origin)]


async def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    context: RequestContextDep,
) -> Principal:
    """The authenticated caller, or 401."""
    principal = await authenticate(request=request, session=session, settings=settings, now=clock())
    context.user_id = principal.user_id
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_user_principal(principal: PrincipalDep) -> Principal:
    """A caller signed in as a person (API keys may not manage accounts)."""
    if principal.is_api_key or principal.session is None:
        raise Forbidden(
            "This action needs a signed-in user, not an API key; an API key reads its own "
            "workspace and scopes at /api/v1/api-key."
        )
    return principal


UserPrincipalDep = Annotated[Principal, Depends(get_user_principal)]


async def get_optional_user_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    context: RequestContextDep,
) -> Principal | None:
    """The signed-in user, or ``None`` for a visitor (for routes that answer both); an
    API key is refused, as on every account route."""
    try:
        principal = await get_principal(request, session, settings, clock, context)
    except Unauthenticated:
        return None
    return await get_user_principal(principal)


OptionalUserPrincipalDep = Annotated[Principal | None, Depends(get_optional_user_principal)]


async def get_pending_mfa_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    context: RequestContextDep,
) -> Principal:
    """A signed-in user whose session may still wait for its second factor.

    Only the routes that finish or abandon such a sign-in (MFA verify, logout) use it.
    """
    principal = await authenticate(
        request=request, session=session, settings=settings, now=clock(), allow_mfa_pending=True
    )
    context.user_id = principal.user_id
    if principal.is_api_key or principal.session is None:
        raise Forbidden(
            "This action needs a signed-in user, not an API key; an API key reads its own "
            "workspace and scopes at /api/v1/api-key."
        )
    return principal


PendingMfaPrincipalDep = Annotated[Principal, Depends(get_pending_mfa_principal)]


async def require_recent_mfa(
    principal: PrincipalDep, session: SessionDep, clock: ClockDep
) -> Principal:
    """For sensitive actions: a user with MFA on must have proven it in this session in the
    last ten minutes (401 ``mfa-step-up-required`` otherwise). Users without MFA pass, and
    so do API keys, whose scopes are checked by the route's own authorisation."""
    if principal.session is not None:
        await mfa.require_recent_mfa(session=session, user_session=principal.session, now=clock())
    return principal


RecentMfaDep = Annotated[Principal, Depends(require_recent_mfa)]


def require_workspace(
    action: str, scope: str | None = None
) -> Callable[..., Coroutine[Any, Any, WorkspaceAccess]]:
    """A dependency that authorises ``{workspace_id}`` in the path for an action and scope."""

    async def dependency(
        workspace_id: str, principal: PrincipalDep, session: SessionDep, context: RequestContextDep
    ) -> WorkspaceAccess:
        access = await authorize_workspace(
            session=session,
            principal=principal,
            workspace_id=workspace_id,
            action=action,
            scope=scope,
        )
        context.workspace_id = access.workspace_id
        context.team_id = access.workspace.team_id
        return access

    return dependency


def team_role(action: Action) -> Callable[..., Coroutine[Any, Any, Membership]]:
    """A dependency that authorises ``{team_id}`` in the path for an action."""

    async def dependency(
        team_id: str, principal: UserPrincipalDep, session: SessionDep
    ) -> Membership:
        return await members.authorize_team(
            session=session, user_id=principal.user_id or "", team_id=team_id, action=action
        )

    return dependency


TeamReader = Annotated[Membership, Depends(team_role("read"))]
TeamManager = Annotated[Membership, Depends(team_role("manage"))]
TeamOwner = Annotated[Membership, Depends(team_role("own"))]


def get_catalog() -> Catalog:
    """The built-in catalog (tests may replace it through ``dependency_overrides``)."""
    return load_catalog()


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def actor_of(access: WorkspaceAccess, origin: RequestOrigin) -> api_keys.Actor:
    """The audit actor of a workspace request."""
    return api_keys.Actor(
        team_id=access.workspace.team_id,
        user_id=access.principal.user_id,
        api_key_id=access.principal.api_key_id,
        origin=origin,
    )


_ENTITY_TAG = re.compile(r'^"?([1-9][0-9]{0,9})"?$')


def expected_version_header(
    if_match: Annotated[
        str | None,
        Header(
            max_length=100,
            description='The current version number you based the change on, e.g. `"3"`; '
            "a stale one is refused with 409.",
        ),
    ] = None,
) -> int | None:
    """The version number an ``If-Match`` header expects, or None for none or ``*``."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ENTITY_TAG.match(if_match.strip())
    if match is None:
        raise ValidationFailed(
            "If-Match must hold the current version number.",
            errors=[{"in": "header", "name": "If-Match", "message": 'Send a number, e.g. "3".'}],
        )
    return int(match.group(1))


ExpectedVersionDep = Annotated[int | None, Depends(expected_version_header)]


_EVENT_ID: Final = re.compile(r"[0-9]{1,10}")


def last_event_id_header(
    last_event_id: Annotated[
        str | None,
        Header(max_length=20, description="Resume after this event id (an event's sequence)."),
    ] = None,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_SEQUENCE,
            description="Resume after this event id, for clients that cannot send "
            "`Last-Event-ID` on their first request; the header wins when both are sent.",
        ),
    ] = None,
) -> int:
    """The sequence a reconnecting client last received (0: from the start)."""
    if last_event_id is None or not last_event_id.strip():
        return after or 0
    event_id = last_event_id.strip()
    # ASCII digits only: str.isdigit and int() also take other scripts' digits ("²", "٣").
    if not _EVENT_ID.fullmatch(event_id) or int(event_id) > MAX_SEQUENCE:
        raise ValidationFailed(
            "Last-Event-ID must be the id of an event this stream sent.",
            errors=[
                {
                    "in": "header",
                    "name": "Last-Event-ID",
                    "message": f"Send an event's sequence, from 0 to {MAX_SEQUENCE}.",
                }
            ],
        )
    return int(event_id)


LastEventIdDep = Annotated[int, Depends(last_event_id_header)]
