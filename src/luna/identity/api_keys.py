"""Workspace API keys: ``luna_sk_...``, shown once, stored as a hash, scoped, revocable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.cache import TwoLevelCache
from luna.errors import NotFound
from luna.identity.models import ApiKey
from luna.identity.tokens import digest, new_secret
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin

KEY_PREFIX = "luna_sk_"
VISIBLE_CHARACTERS = 12
LAST_USED_INTERVAL = timedelta(seconds=60)

Scope = Literal[
    "agents:read",
    "agents:write",
    "chains:read",
    "chains:write",
    "runs:read",
    "runs:write",
    "usage:read",
    "providers:read",
    "providers:write",
    "webhooks:read",
    "webhooks:write",
    "budgets:read",
    "budgets:write",
    "admin",
]
ALL_SCOPES: tuple[str, ...] = get_args(Scope)


def looks_like_api_key(token: str) -> bool:
    """Whether a bearer token has the shape of a Luna API key (not a JWT)."""
    return token.startswith(KEY_PREFIX)


@dataclass(frozen=True)
class Actor:
    """Who acts on a team's keys, and from where: what the audit log records."""

    team_id: str
    user_id: str | None
    api_key_id: str | None
    origin: RequestOrigin

    def record(self, session: AsyncSession, **event: Any) -> None:
        """Add an audit event for this actor to the session's transaction."""
        audit.record(
            session,
            team_id=self.team_id,
            actor_user_id=self.user_id,
            actor_api_key_id=self.api_key_id,
            ip_address=self.origin.ip_address,
            user_agent=self.origin.user_agent,
            **event,
        )


async def create_api_key(
    *,
    session: AsyncSession,
    workspace_id: str,
    actor: Actor,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    """Create a key, audited and committed; returns the row and the plaintext key, which
    is never shown again."""
    plaintext = KEY_PREFIX + new_secret(32)
    key = ApiKey(
        workspace_id=workspace_id,
        created_by_user_id=actor.user_id,
        name=name,
        prefix=plaintext[:VISIBLE_CHARACTERS],
        secret_hash=digest(plaintext),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    actor.record(
        session,
        action="api_key.created",
        target_type="api_key",
        target_id=key.id,
        data={"name": key.name, "scopes": key.scopes},
    )
    await session.commit()
    return key, plaintext


@dataclass(frozen=True)
class LiveKey:
    """What authenticating with a key needs to know of it; cached by the secret's digest."""

    id: str
    workspace_id: str
    created_by_user_id: str | None
    scopes: tuple[str, ...]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> LiveKey:
        """The record of a key row."""
        return cls(
            id=key.id,
            workspace_id=key.workspace_id,
            created_by_user_id=key.created_by_user_id,
            scopes=tuple(key.scopes),
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )

    def to_json(self) -> dict[str, Any]:
        """The record as the cache holds it."""
        return {
            "id": self.id,
            "workspace_id": self.workspace_id,
            "created_by_user_id": self.created_by_user_id,
            "scopes": list(self.scopes),
            "expires_at": _timestamp(self.expires_at),
            "revoked_at": _timestamp(self.revoked_at),
            "last_used_at": _timestamp(self.last_used_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveKey:
        """A record read back from the cache."""
        return cls(
            id=data["id"],
            workspace_id=data["workspace_id"],
            created_by_user_id=data["created_by_user_id"],
            scopes=tuple(data["scopes"]),
            expires_at=_datetime(data["expires_at"]),
            revoked_at=_datetime(data["revoked_at"]),
            last_used_at=_datetime(data["last_used_at"]),
        )

    def live(self, now: datetime) -> bool:
        """Whether the key may still be used."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


async def authenticate_api_key(
    *,
    session: AsyncSession,
    plaintext: str,
    ip_address: str,
    now: datetime,
    cache: TwoLevelCache | None = None,
) -> LiveKey | None:
    """The live key matching a presented secret, recording when and where it was used.

    With a ``cache``, the key is read from the database once per cache lifetime (not
    once per request); :func:`revoke_api_key` invalidates it in every process.
    """
    secret_hash = digest(plaintext)

    async def load() -> dict[str, Any] | None:
        row = await session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))
        return None if row is None else LiveKey.of(row).to_json()

    cached = await load() if cache is None else await cache.get_or_load(secret_hash, load)
    if cached is None:
        return None
    key = LiveKey.from_json(cached)
    if not key.live(now):
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_INTERVAL:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id == key.id)
            .values(last_used_at=now, last_used_ip=ip_address)
        )
        await session.commit()
        key = replace(key, last_used_at=now)
        if cache is not None:
            await cache.set(secret_hash, key.to_json())
    return key


async def list_api_keys(*, session: AsyncSession, workspace_id: str) -> list[ApiKey]:
    """The workspace's keys, revoked ones included, newest first."""
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id.desc())
    )
    return list(rows)


async def revoke_api_key(
    *,
    session: AsyncSession,
    workspace_id: str,
    key_id: str,
    now: datetime,
    actor: Actor,
    cache: TwoLevelCache | None = None,
) -> ApiKey:
    """Revoke a key of this workspace; NotFound for any other workspace's key. Every
    process forgets its cached copy once the revocation is committed."""
    key = await session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.workspace_id == workspace_id)
    )
    if key is None:
        raise NotFound(f"No API key {key_id} in this workspace.")
    if key.revoked_at is None:
        key.revoked_at = now
        actor.record(session, action="api_key.revoked", target_type="api_key", target_id=key.id)
    await session.commit()
    if cache is not None:
        await cache.invalidate(key.secret_hash)
    return key
