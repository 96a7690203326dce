"""Workspace API keys: ``luna_sk_...``, shown once, stored as a hash, scoped, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
    "runs:read",
    "runs:write",
    "usage:read",
    "providers:read",
    "providers:write",
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
    created_by_user_id: str | None,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plaintext key, which is never shown again."""
    plaintext = KEY_PREFIX + new_secret(32)
    key = ApiKey(
        workspace_id=workspace_id,
        created_by_user_id=created_by_user_id,
        name=name,
        prefix=plaintext[:VISIBLE_CHARACTERS],
        secret_hash=digest(plaintext),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    return key, plaintext


async def authenticate_api_key(
    *, session: AsyncSession, plaintext: str, ip_address: str, now: datetime
) -> ApiKey | None:
    """The live key matching a presented secret, recording when and where it was used."""
    key = await session.scalar(select(ApiKey).where(ApiKey.secret_hash == digest(plaintext)))
    if key is None or key.revoked_at is not None:
        return None
    if key.expires_at is not None and now >= key.expires_at:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_INTERVAL:
        key.last_used_at = now
        key.last_used_ip = ip_address
        await session.commit()
    return key


async def list_api_keys(*, session: AsyncSession, workspace_id: str) -> list[ApiKey]:
    """The workspace's keys, revoked ones included, newest first."""
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id.desc())
    )
    return list(rows)


async def revoke_api_key(
    *, session: AsyncSession, workspace_id: str, key_id: str, now: datetime, actor: Actor
) -> ApiKey:
    """Revoke a key of this workspace; NotFound for any other workspace's key."""
    key = await session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.workspace_id == workspace_id)
    )
    if key is None:
        raise NotFound(f"No API key {key_id} in this workspace.")
    if key.revoked_at is None:
        key.revoked_at = now
        actor.record(session, action="api_key.revoked", target_type="api_key", target_id=key.id)
    await session.commit()
    return key
