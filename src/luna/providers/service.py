"""A workspace's model providers: their rules, their encrypted keys, and the model a run uses.

Every provider is loaded through :func:`get_provider_for_workspace`, which answers
NotFound alike for a provider that does not exist and for one of another workspace.
API keys are sealed with the keyring, bound to their row (``column_context("providers",
"api_key_encrypted", id)``), and opened only to call the provider.

A workspace has at most one default provider (a partial unique index holds it): a new
provider becomes the default when the workspace has none, and making one the default
clears the former one in the same transaction. :func:`resolve_model` is what the run
engine calls to learn which model, of which provider, with which key, an agent runs on.

A base URL is held to the provider address policy (:mod:`luna.providers.network`):
``allow_private_networks`` is the operator's ``providers_private_networks_allowed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.definition import ModelChoice, ModelSettings
from luna.agents.models import Agent, AgentVersion
from luna.db.ids import new_id
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.db.writes import conflicts_as, touch
from luna.errors import Conflict, NotFound, ValidationFailed
from luna.identity.api_keys import Actor
from luna.providers import build
from luna.providers.build import ProviderProbe, ResolvedModel
from luna.providers.errors import NoProviderConfigured
from luna.providers.models import Provider
from luna.providers.network import check_base_url
from luna.providers.schemas import ProviderCreate, ProviderUpdate
from luna.security.crypto import Keyring, SecretDecryptionError, column_context

PROVIDER_KEYSET: Final = Keyset(
    {"name": Provider.name, "created_at": Provider.created_at}, id_column=Provider.id
)
# A provider check never waits longer than this for the provider to answer.
CHECK_TIMEOUT_SECONDS: Final = 10.0
KINDS_NEEDING_A_KEY: Final = frozenset({"anthropic", "openai"})
_HINT_LENGTH: Final = 4
_HINT_MIN_KEY_LENGTH: Final = 12  # shorter keys get no hint: four characters is too much of them
_AGENTS_NAMED_IN_A_CONFLICT: Final = 10


async def get_provider_for_workspace(
    *, session: AsyncSession, workspace_id: str, provider_id: str, for_update: bool = False
) -> Provider:
    """The workspace's provider with this id; NotFound if it is missing or another
    workspace's. ``for_update`` locks the row (PostgreSQL) until the transaction ends."""
    missing = NotFound(f"No provider {provider_id} in this workspace.")
    return await get_in_workspace(
        session,
        Provider,
        workspace_id=workspace_id,
        object_id=provider_id,
        missing=missing,
        for_update=for_update,
    )


async def list_providers(
    *, session: AsyncSession, workspace_id: str, sort: str, page: PageRequest
) -> Slice[Provider]:
    """A page of the workspace's providers."""
    statement = select(Provider).where(Provider.workspace_id == workspace_id)
    return await paginate(session, statement, keyset=PROVIDER_KEYSET, sort=sort, page=page)


async def create_provider(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    request: ProviderCreate,
    actor: Actor,
    now: datetime,
    allow_private_networks: bool,
) -> Provider:
    """Add a provider, its key sealed. It becomes the workspace's default when asked to,
    or when the workspace has none. A base URL whose host the address policy refuses as
    written is refused (422)."""
    _check_kind_rules(
        request.kind, request.base_url, request.api_key is not None, request.options.logprobs
    )
    if request.base_url is not None:
        check_base_url(request.base_url, allow_private_networks=allow_private_networks)
    await _ensure_name_free(session, workspace_id, request.name)
    provider = Provider(
        id=new_id("prv"),
        workspace_id=workspace_id,
        name=request.name,
        kind=request.kind,
        base_url=request.base_url,
        default_model=request.default_model,
        is_default=False,
        options=request.options.model_dump(exclude_none=True),
        created_at=now,
        updated_at=now,
    )
    if request.api_key is not None:
        _seal_key(keyring, provider, request.api_key.get_secret_value())
    make_default = request.is_default or not await _has_default(session, workspace_id)
    async with conflicts_as(session, _providers_changed()):
        session.add(provider)
        await session.flush()
        if make_default:
            await _set_default(session, provider, True)
        actor.record(session, action="provider.created", **_audit_target(provider))
        await session.commit()
    return provider


async def update_provider(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    provider_id: str,
    changes: ProviderUpdate,
    actor: Actor,
    now: datetime,
    allow_private_networks: bool,
) -> Provider:
    """Apply the fields ``changes`` holds; ``null`` clears a nullable one. A new base URL
    needs the key again, so a stored key is never sent to a new address, and is held to
    the address policy as on creation."""
    provider = await get_provider_for_workspace(
        session=session, workspace_id=workspace_id, provider_id=provider_id, for_update=True
    )
    _hold_to_connection_rules(provider, changes, allow_private_networks)
    given = changes.model_fields_set
    if changes.name is not None and changes.name != provider.name:
        await _ensure_name_free(session, workspace_id, changes.name)
    changed = _apply_fields(provider, changes, keyring)
    has_key = provider.api_key_encrypted is not None
    _check_kind_rules(provider.kind, provider.base_url, has_key, _logprobs_option(provider))
    async with conflicts_as(session, _providers_changed()):
        if "is_default" in given and changes.is_default != provider.is_default:
            await _set_default(session, provider, bool(changes.is_default))
            changed.append("is_default")
        if changed:
            touch(provider, now)
            actor.record(
                session, action="provider.updated", **_audit_target(provider, changed=changed)
            )
        await session.commit()
    return provider


async def delete_provider(
    *, session: AsyncSession, workspace_id: str, provider_id: str, actor: Actor
) -> None:
    """Delete a provider and its key. Refused with Conflict while the current version of
    an agent names it: point those agents at another provider first."""
    provider = await get_provider_for_workspace(
        session=session, workspace_id=workspace_id, provider_id=provider_id, for_update=True
    )
    agents = await _agents_using(session, provider)
    if agents:
        names = ", ".join(f"'{name}'" for _, name in agents)
        raise Conflict(
            f"Agents use this provider: {names}. Change their model to another provider "
            "(or delete them) first.",
            reason="provider-in-use",
            agent_ids=[agent_id for agent_id, _ in agents],
        )
    actor.record(session, action="provider.deleted", **_audit_target(provider))
    await session.delete(provider)
    await session.commit()


async def check_provider(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    provider_id: str,
    actor: Actor,
    now: datetime,
    allow_private_networks: bool,
    timeout_seconds: float = CHECK_TIMEOUT_SECONDS,
) -> ProviderProbe:
    """Probe a provider (list its models with the stored key) and store the outcome as
    checked at ``now``. A provider that is down, refuses the key, times out or leads to
    an address the policy refuses is a failed check, not an error."""
    provider = await get_provider_for_workspace(
        session=session, workspace_id=workspace_id, provider_id=provider_id
    )
    target = _ProbeTarget(provider.kind, provider.base_url, open_key(keyring, provider))
    provider, probe = await _probe(
        session, provider, target, allow_private_networks, timeout_seconds, for_update=True
    )
    provider.last_checked_at = now
    provider.last_check_ok = probe.ok
    provider.last_check_latency_ms = probe.latency_ms
    provider.last_check_error = probe.failure.message[:500] if probe.failure else None
    _record_check(actor, session, provider, probe)
    await session.commit()
    return probe


async def check_provider_changes(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    provider_id: str,
    changes: ProviderUpdate,
    actor: Actor,
    allow_private_networks: bool,
    timeout_seconds: float = CHECK_TIMEOUT_SECONDS,
) -> ProviderProbe:
    """Probe the provider as it would be with ``changes`` (its address and key), before
    they are saved: nothing of the provider changes, its stored check included. The
    rules of an update hold: a new address is held to the address policy and needs the
    key again, so a stored key is never sent to a new address."""
    provider = await get_provider_for_workspace(
        session=session, workspace_id=workspace_id, provider_id=provider_id
    )
    _hold_to_connection_rules(provider, changes, allow_private_networks)
    given = changes.model_fields_set
    base_url = changes.base_url if "base_url" in given else provider.base_url
    if "api_key" in given:
        api_key = changes.api_key.get_secret_value() if changes.api_key is not None else None
    else:
        api_key = open_key(keyring, provider)
    target = _ProbeTarget(provider.kind, base_url, api_key)
    provider, probe = await _probe(
        session, provider, target, allow_private_networks, timeout_seconds, for_update=False
    )
    _record_check(actor, session, provider, probe, changes=sorted(given))
    await session.commit()
    return probe


@dataclass(frozen=True)
class _ProbeTarget:
    """Where a probe goes, and with which key."""

    kind: str
    base_url: str | None
    api_key: str | None


async def _probe(
    session: AsyncSession,
    provider: Provider,
    target: _ProbeTarget,
    allow_private_networks: bool,
    timeout_seconds: float,
    *,
    for_update: bool,
) -> tuple[Provider, ProviderProbe]:
    """Probe ``target`` with no transaction open while the provider is awaited; then the
    provider loaded again, since it may have been deleted meanwhile (then NotFound)."""
    workspace_id, provider_id = provider.workspace_id, provider.id
    await session.commit()
    probe = await build.probe_provider(
        kind=target.kind,
        base_url=target.base_url,
        api_key=target.api_key,
        timeout_seconds=timeout_seconds,
        allow_private_networks=allow_private_networks,
    )
    provider = await get_provider_for_workspace(
        session=session, workspace_id=workspace_id, provider_id=provider_id, for_update=for_update
    )
    return provider, probe


def _record_check(
    actor: Actor, session: AsyncSession, provider: Provider, probe: ProviderProbe, **data: Any
) -> None:
    code = probe.failure.code if probe.failure else None
    audit = _audit_target(provider, ok=probe.ok, error=code, latency_ms=probe.latency_ms, **data)
    actor.record(session, action="provider.checked", **audit)


async def resolve_model(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    choice: ModelChoice | None,
    allow_private_networks: bool,
) -> ResolvedModel:
    """The model an agent runs on: ``choice``'s provider and model, or with no choice the
    workspace's default provider and its default model. NoProviderConfigured (409) when
    there is none; NotFound for a provider of another workspace.

    ``allow_private_networks`` (the operator's setting) goes with the model to its
    connections; cloud metadata endpoints are refused either way."""
    provider, model_name, settings = await _provider_and_model(session, workspace_id, choice)
    logprobs = provider.kind != "anthropic" and _logprobs_option(provider) is not False
    return ResolvedModel(
        provider_id=provider.id,
        kind=provider.kind,
        base_url=provider.base_url,
        api_key=open_key(keyring, provider),
        model_name=model_name,
        settings=settings,
        logprobs=logprobs,
        allow_private_networks=allow_private_networks,
    )


async def check_model_available(
    *, session: AsyncSession, workspace_id: str, choice: ModelChoice | None
) -> None:
    """Refuse as :func:`resolve_model` would (409 without a provider, NotFound for another
    workspace's), without decrypting the provider's key: what creating a run checks."""
    await _provider_and_model(session, workspace_id, choice)


async def _provider_and_model(
    session: AsyncSession, workspace_id: str, choice: ModelChoice | None
) -> tuple[Provider, str, ModelSettings]:
    if choice is None:
        provider = await _default_provider(session, workspace_id)
        return provider, provider.default_model or "", ModelSettings()
    provider = await get_provider_for_workspace(
        session=session, workspace_id=workspace_id, provider_id=choice.provider_id
    )
    return provider, choice.model, choice.settings


def open_key(keyring: Keyring, provider: Provider) -> str | None:
    """The provider's decrypted API key, or None when it has none."""
    if provider.api_key_encrypted is None:
        return None
    return keyring.decrypt_str(provider.api_key_encrypted, context=_key_context(provider))


def api_key_hint(keyring: Keyring, provider: Provider) -> str | None:
    """The last four characters of a stored key of 12 or more; None otherwise, and when
    the key cannot be decrypted (the list still shows the provider)."""
    try:
        key = open_key(keyring, provider)
    except SecretDecryptionError:
        return None
    if key is None or len(key) < _HINT_MIN_KEY_LENGTH:
        return None
    return key[-_HINT_LENGTH:]


def _logprobs_option(provider: Provider) -> Any:
    return (provider.options or {}).get("logprobs")


def _key_context(provider: Provider) -> bytes:
    return column_context("providers", "api_key_encrypted", provider.id)


def _seal_key(keyring: Keyring, provider: Provider, key: str | None) -> None:
    provider.api_key_encrypted = (
        None if key is None else keyring.encrypt_str(key, context=_key_context(provider))
    )


def _check_kind_rules(kind: str, base_url: str | None, has_key: bool, logprobs: Any) -> None:
    """Refuse (422, on the field) a provider that lacks what its kind needs."""
    problem: tuple[str, str] | None = None
    if kind == "openai_compatible" and base_url is None:
        problem = ("base_url", "An OpenAI-compatible provider needs a base_url.")
    elif kind in KINDS_NEEDING_A_KEY and not has_key:
        problem = ("api_key", f"An {kind} provider needs an api_key.")
    elif kind == "anthropic" and logprobs:
        problem = ("options/logprobs", "Anthropic gives no log-probabilities.")
    if problem is not None:
        field, message = problem
        raise ValidationFailed(
            message, errors=[{"in": "body", "pointer": f"#/{field}", "message": message}]
        )


def _hold_to_connection_rules(
    provider: Provider, changes: ProviderUpdate, allow_private_networks: bool
) -> None:
    """What an update may change of where the provider's key goes, whether it is saved or
    only checked: a new address meets the address policy and brings the key again."""
    if changes.base_url is not None:
        check_base_url(changes.base_url, allow_private_networks=allow_private_networks)
    _refuse_moving_a_stored_key(provider, changes)


def _refuse_moving_a_stored_key(provider: Provider, changes: ProviderUpdate) -> None:
    given = changes.model_fields_set
    moves = "base_url" in given and changes.base_url != provider.base_url
    if moves and provider.api_key_encrypted is not None and "api_key" not in given:
        message = (
            "Send the api_key again (or null) when changing the base_url: a stored key is "
            "never sent to a new address."
        )
        raise ValidationFailed(
            message, errors=[{"in": "body", "pointer": "#/api_key", "message": message}]
        )


def _apply_fields(provider: Provider, changes: ProviderUpdate, keyring: Keyring) -> list[str]:
    """Copy the given fields onto the provider; the names of those that changed it."""
    given = changes.model_fields_set
    changed: list[str] = []
    for field in ("name", "base_url", "default_model"):
        value = getattr(changes, field)
        if field in given and getattr(provider, field) != value:
            setattr(provider, field, value)
            changed.append(field)
    if changes.options is not None:
        options = changes.options.model_dump(exclude_none=True)
        if options != provider.options:
            provider.options = options
            changed.append("options")
    if "api_key" in given:
        key = changes.api_key.get_secret_value() if changes.api_key is not None else None
        _seal_key(keyring, provider, key)
        changed.append("api_key")
    return changed


async def _ensure_name_free(session: AsyncSession, workspace_id: str, name: str) -> None:
    taken = await session.scalar(
        select(exists().where(Provider.workspace_id == workspace_id, Provider.name == name))
    )
    if taken:
        raise Conflict(
            f"A provider named '{name}' already exists in this workspace.",
            errors=[{"in": "body", "pointer": "#/name", "message": "This name is taken."}],
        )


async def _has_default(session: AsyncSession, workspace_id: str) -> bool:
    found = await session.scalar(
        select(exists().where(Provider.workspace_id == workspace_id, Provider.is_default))
    )
    return bool(found)


async def _set_default(session: AsyncSession, provider: Provider, value: bool) -> None:
    """Make ``provider`` the default (clearing the former one first, for the unique
    index) or not."""
    if value:
        await session.execute(
            update(Provider)
            .where(
                Provider.workspace_id == provider.workspace_id,
                Provider.is_default,
                Provider.id != provider.id,
            )
            .values(is_default=False)
        )
    provider.is_default = value
    await session.flush()


async def _default_provider(session: AsyncSession, workspace_id: str) -> Provider:
    provider = await session.scalar(
        select(Provider).where(Provider.workspace_id == workspace_id, Provider.is_default)
    )
    if provider is not None and provider.default_model:
        return provider
    if provider is not None:
        raise NoProviderConfigured.no_default_model(workspace_id, provider.id, provider.name)
    if await session.scalar(select(exists().where(Provider.workspace_id == workspace_id))):
        raise NoProviderConfigured.no_default(workspace_id)
    raise NoProviderConfigured.empty_workspace(workspace_id)


async def _agents_using(session: AsyncSession, provider: Provider) -> list[tuple[str, str]]:
    """Ids and names of the agents whose current version names the provider."""
    named = AgentVersion.definition[("model", "provider_id")].as_string()
    rows = await session.execute(
        select(Agent.id, Agent.name)
        .join(AgentVersion, AgentVersion.id == Agent.current_version_id)
        .where(Agent.workspace_id == provider.workspace_id, named == provider.id)
        .order_by(Agent.name)
        .limit(_AGENTS_NAMED_IN_A_CONFLICT)
    )
    return [(agent_id, name) for agent_id, name in rows]


def _audit_target(provider: Provider, **data: Any) -> dict[str, Any]:
    """The audit event fields naming a provider (never its key)."""
    return {
        "target_type": "provider",
        "target_id": provider.id,
        "data": {"name": provider.name, "kind": provider.kind, **data},
    }


def _providers_changed() -> Conflict:
    return Conflict("The workspace's providers changed while this request ran; try again.")
