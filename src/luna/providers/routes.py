"""A workspace's model providers: add, list, read, change, delete, and check one (as it is,
or as it would be with changes before they are saved).

Reading needs the workspace's ``read`` action (API keys: ``providers:read``). Adding,
changing and deleting a provider configures where the workspace's keys are sent, which
the role table reserves to owners and admins (``manage``; API keys: ``admin``, which
only they can create), and so does checking changes before they are saved. Checking one
as it is needs ``write`` (API keys: ``providers:write``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.db.pagination import PageRequestDep
from luna.deps import (
    ClockDep,
    KeyringDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    actor_of,
    require_workspace,
)
from luna.providers import service
from luna.providers.build import ProviderProbe
from luna.providers.models import Provider
from luna.providers.schemas import (
    CheckError,
    ProviderCheckOut,
    ProviderCreate,
    ProviderOut,
    ProviderPage,
    ProviderSort,
    ProviderUpdate,
)
from luna.security.crypto import Keyring
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/providers", tags=["providers"])

ProviderReader = Annotated[
    WorkspaceAccess, Depends(require_workspace("read", scope="providers:read"))
]
ProviderChecker = Annotated[
    WorkspaceAccess, Depends(require_workspace("write", scope="providers:write"))
]
ProviderManager = Annotated[WorkspaceAccess, Depends(require_workspace("manage", scope="admin"))]
ProviderId = Annotated[str, Path(description="The provider's id (`prv_...`).")]


def provider_out(provider: Provider, keyring: Keyring) -> ProviderOut:
    """The API view of a provider, with the hint of its key."""
    return ProviderOut.of(provider, api_key_hint=service.api_key_hint(keyring, provider))


@router.post("", operation_id="providers-create", status_code=201, response_model=ProviderOut)
async def create_provider(
    body: ProviderCreate,
    access: ProviderManager,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    origin: OriginDep,
    settings: SettingsDep,
    response: Response,
) -> ProviderOut:
    """Add a provider: Anthropic or OpenAI with an `api_key`, or an OpenAI-compatible
    server (Ollama, vLLM, llama.cpp, LM Studio, Nexa) by `base_url`.

    The key is stored encrypted and never shown again. The first provider of a workspace
    becomes its default. Refused with 409 when the name is taken, 422 when the kind lacks
    what it needs or the base URL's host is one this installation does not let providers
    reach (a cloud metadata endpoint; a private or loopback address unless allowed).
    """
    provider = await service.create_provider(
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        request=body,
        actor=actor_of(access, origin),
        now=clock(),
        allow_private_networks=settings.providers_private_networks_allowed,
    )
    location = f"/api/v1/workspaces/{access.workspace_id}/providers/{provider.id}"
    response.headers["Location"] = location
    return provider_out(provider, keyring)


@router.get("", operation_id="providers-list", response_model=ProviderPage)
async def list_providers(
    access: ProviderReader,
    session: SessionDep,
    keyring: KeyringDep,
    page: PageRequestDep,
    sort: Annotated[
        ProviderSort, Query(description="A field, ascending; prefixed with `-`, descending.")
    ] = "name",
) -> ProviderPage:
    """A page of the workspace's providers; follow `next_cursor` for the next one."""
    found = await service.list_providers(
        session=session, workspace_id=access.workspace_id, sort=sort, page=page
    )
    items = [provider_out(provider, keyring) for (provider,) in found.rows]
    return ProviderPage(items=items, next_cursor=found.next_cursor)


@router.get("/{provider_id}", operation_id="providers-get", response_model=ProviderOut)
async def get_provider(
    provider_id: ProviderId, access: ProviderReader, session: SessionDep, keyring: KeyringDep
) -> ProviderOut:
    """A provider, without its key."""
    provider = await service.get_provider_for_workspace(
        session=session, workspace_id=access.workspace_id, provider_id=provider_id
    )
    return provider_out(provider, keyring)


@router.patch("/{provider_id}", operation_id="providers-update", response_model=ProviderOut)
async def update_provider(
    provider_id: ProviderId,
    body: ProviderUpdate,
    access: ProviderManager,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    origin: OriginDep,
    settings: SettingsDep,
) -> ProviderOut:
    """Rename a provider, change its base URL, key, default model or options, or make it
    the workspace's default. A new `base_url` needs the `api_key` again (or null), and is
    held to the same address rules as on creation."""
    provider = await service.update_provider(
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        provider_id=provider_id,
        changes=body,
        actor=actor_of(access, origin),
        now=clock(),
        allow_private_networks=settings.providers_private_networks_allowed,
    )
    return provider_out(provider, keyring)


@router.delete("/{provider_id}", operation_id="providers-delete", status_code=204)
async def delete_provider(
    provider_id: ProviderId, access: ProviderManager, session: SessionDep, origin: OriginDep
) -> None:
    """Delete a provider and its key. Refused with 409 while an agent's current version
    uses it."""
    await service.delete_provider(
        session=session,
        workspace_id=access.workspace_id,
        provider_id=provider_id,
        actor=actor_of(access, origin),
    )


@router.post(
    "/{provider_id}/check", operation_id="providers-check", response_model=ProviderCheckOut
)
async def check_provider(
    provider_id: ProviderId,
    access: ProviderChecker,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    origin: OriginDep,
    settings: SettingsDep,
) -> ProviderCheckOut:
    """Probe the provider with its stored key: whether it answers, how fast, and which
    models it serves. A provider that is down, refuses the key or leads to an address
    providers may not reach answers 200 with `ok: false` and the reason in `error`."""
    now = clock()
    probe = await service.check_provider(
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        provider_id=provider_id,
        actor=actor_of(access, origin),
        now=now,
        allow_private_networks=settings.providers_private_networks_allowed,
    )
    return check_out(probe, now)


@router.post(
    "/{provider_id}/check-changes",
    operation_id="providers-check-changes",
    response_model=ProviderCheckOut,
)
async def check_provider_changes(
    provider_id: ProviderId,
    body: ProviderUpdate,
    access: ProviderManager,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
    origin: OriginDep,
    settings: SettingsDep,
) -> ProviderCheckOut:
    """Probe the provider as it would be with these changes (the body of an update), before
    saving them: whether it answers at the new address or with the new key, and which
    models it serves, for the model picker. Nothing is saved, the provider's last check
    included. As on an update, a new `base_url` needs the `api_key` again."""
    probe = await service.check_provider_changes(
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        provider_id=provider_id,
        changes=body,
        actor=actor_of(access, origin),
        allow_private_networks=settings.providers_private_networks_allowed,
    )
    return check_out(probe, clock())


def check_out(probe: ProviderProbe, checked_at: datetime) -> ProviderCheckOut:
    """The API view of a probe's outcome."""
    failure = probe.failure
    error = None
    if failure is not None:
        error = CheckError(code=failure.code, message=failure.message, status=failure.status)
    return ProviderCheckOut(
        ok=probe.ok,
        latency_ms=probe.latency_ms,
        models=probe.models,
        error=error,
        checked_at=checked_at,
    )
