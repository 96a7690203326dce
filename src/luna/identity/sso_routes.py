"""Single sign-on: per-team OpenID Connect configuration and the sign-in flow."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from luna.deps import (
    ClockDep,
    KeyringDep,
    OriginDep,
    RecentMfaDep,
    ResourcesDep,
    SessionDep,
    SettingsDep,
    UserPrincipalDep,
)
from luna.identity import sso, sso_sign_in
from luna.identity.cookies import set_session_cookie
from luna.identity.principal import client_info
from luna.identity.sso_schemas import SsoConfigIn, SsoConfigOut

router = APIRouter(prefix="/api/v1", tags=["sso"])

_REDIRECT: dict[int | str, dict[str, Any]] = {
    302: {"description": "Redirect; the Location header says where to go."}
}


def get_http_client(resources: ResourcesDep) -> httpx.AsyncClient:
    """The application's HTTP client for identity providers."""
    return resources.http_client


HttpClientDep = Annotated[httpx.AsyncClient, Depends(get_http_client)]


@router.get("/teams/{team_id}/sso", operation_id="teams-sso-get", response_model=SsoConfigOut)
async def get_sso_config(
    team_id: str, principal: UserPrincipalDep, session: SessionDep, settings: SettingsDep
) -> SsoConfigOut:
    """The team's single sign-on settings (owners and admins); the secret is never shown."""
    config = await sso.get_sso_config_for_manager(
        session=session, team_id=team_id, user_id=principal.user_id or ""
    )
    return sso.describe_sso_config(config, settings)


@router.put("/teams/{team_id}/sso", operation_id="teams-sso-put", response_model=SsoConfigOut)
async def put_sso_config(
    team_id: str,
    body: SsoConfigIn,
    principal: UserPrincipalDep,
    _: RecentMfaDep,
    session: SessionDep,
    keyring: KeyringDep,
    http: HttpClientDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> SsoConfigOut:
    """Set the team's OpenID Connect provider (owners and admins, on a plan with SSO).

    The issuer is checked against its discovery document first. Leave ``client_secret``
    out to keep the stored one for the same issuer and client.
    """
    config = await sso.save_sso_config(
        session=session,
        keyring=keyring,
        http=http,
        settings=settings,
        team_id=team_id,
        user_id=principal.user_id or "",
        body=body,
        now=clock(),
        origin=origin,
    )
    return sso.describe_sso_config(config, settings)


@router.delete("/teams/{team_id}/sso", operation_id="teams-sso-delete", status_code=204)
async def delete_sso_config(
    team_id: str,
    principal: UserPrincipalDep,
    _: RecentMfaDep,
    session: SessionDep,
    origin: OriginDep,
) -> Response:
    """Remove the team's single sign-on; members sign in with their passwords again."""
    await sso.delete_sso_config(
        session=session, team_id=team_id, user_id=principal.user_id or "", origin=origin
    )
    return Response(status_code=204)


@router.get(
    "/auth/sso/{team_id}/start",
    operation_id="auth-sso-start",
    status_code=302,
    response_class=RedirectResponse,
    responses=_REDIRECT,
)
async def start_sign_in(
    team_id: str,
    session: SessionDep,
    http: HttpClientDep,
    settings: SettingsDep,
    clock: ClockDep,
    return_to: Annotated[str | None, Query(max_length=500)] = None,
) -> RedirectResponse:
    """Send the browser to the team's identity provider to sign in.

    ``return_to`` is a path on this site to come back to afterwards (default ``/``).
    """
    url = await sso_sign_in.start_sign_in(
        session=session,
        http=http,
        settings=settings,
        team_id=team_id,
        return_to=return_to,
        now=clock(),
    )
    return RedirectResponse(url, status_code=302)


@router.get(
    "/auth/sso/{team_id}/callback",
    operation_id="auth-sso-callback",
    status_code=302,
    response_class=RedirectResponse,
    responses=_REDIRECT,
)
async def finish_sign_in(
    team_id: str,
    request: Request,
    session: SessionDep,
    http: HttpClientDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    clock: ClockDep,
    state: Annotated[str, Query(min_length=1, max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Where the identity provider sends the browser back: signs in and redirects on."""
    result = await sso_sign_in.finish_sign_in(
        session=session,
        http=http,
        keyring=keyring,
        settings=settings,
        team_id=team_id,
        state=state,
        code=code,
        error=error,
        client=client_info(request),
        now=clock(),
    )
    response = RedirectResponse(result.return_to, status_code=302)
    set_session_cookie(response, result.token, settings)
    return response
