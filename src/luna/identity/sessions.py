"""Server-side browser sessions: sliding idle timeout, absolute lifetime, fingerprint.

The cookie carries only a random token; the store (the database, or Redis when configured:
see :mod:`luna.identity.session_store`) keeps its SHA-256, so a leaked store cannot be
replayed. A session ends when idle too long, when too old, when its
fingerprint (User-Agent and client network) changes, on logout, or on revocation. A
session still waiting for its second factor ends sooner, ten minutes after sign-in.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from luna.db.ids import new_id
from luna.identity.models import User, UserSession
from luna.identity.session_store import store_for
from luna.identity.tokens import digest, new_secret
from luna.settings import Settings

# A session's last-seen time is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=60)
# How long a session may wait for its second factor after the password was accepted.
MFA_PENDING_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class ClientInfo:
    """Who is on the other end of a request, as far as the network says."""

    ip_address: str
    user_agent: str


def client_network(ip_address: str, binding: str) -> str:
    """The address a session is bound to: the IP itself, or its /24 (IPv4) or /64 (IPv6)."""
    if binding == "ip":
        return ip_address
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def fingerprint(client: ClientInfo, binding: str) -> str:
    """SHA-256 of the User-Agent and the client network."""
    material = f"{client.user_agent}\n{client_network(client.ip_address, binding)}"
    return hashlib.sha256(material.encode()).hexdigest()


async def start_session(
    *,
    session: AsyncSession,
    user: User,
    client: ClientInfo,
    settings: Settings,
    now: datetime,
    mfa_pending: bool = False,
) -> tuple[str, UserSession]:
    """Create a session for a user who just proved who they are; returns (token, session).

    With ``mfa_pending`` the session serves only the second-factor check until it passes.
    """
    token = new_secret()
    record = UserSession(
        id=new_id("ses"),
        token_hash=digest(token),
        user_id=user.id,
        fingerprint=fingerprint(client, settings.session_binding),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        ip_address=client.ip_address,
        user_agent=client.user_agent[:512],
        mfa_pending=mfa_pending,
    )
    await store_for(session).add(record)
    return token, record


def _ended(record: UserSession, client: ClientInfo, settings: Settings, now: datetime) -> bool:
    idle_limit = record.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    return (
        record.revoked_at is not None
        or now >= record.expires_at
        or now >= idle_limit
        or (record.mfa_pending and now >= record.created_at + MFA_PENDING_LIFETIME)
        or record.fingerprint != fingerprint(client, settings.session_binding)
    )


async def resolve_session(
    *, session: AsyncSession, token: str, client: ClientInfo, settings: Settings, now: datetime
) -> UserSession | None:
    """The live session for a cookie token, or None. Ends sessions found expired or moved."""
    store = store_for(session)
    record = await store.find(digest(token))
    if record is None:
        return None
    if _ended(record, client, settings, now):
        if record.revoked_at is None:
            await store.end(record, now)
            await session.commit()
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
        await store.save(record)
        await session.commit()
    return record


async def rotate_session(*, session: AsyncSession, record: UserSession) -> str:
    """Give a session a new token (after a privilege change); the old token stops working."""
    token = new_secret()
    old_token_hash = record.token_hash
    record.token_hash = digest(token)
    await store_for(session).save(record, old_token_hash=old_token_hash)
    return token


async def mark_mfa_verified(*, session: AsyncSession, record: UserSession, now: datetime) -> str:
    """Record that the second factor was just proven in this session (which ends a pending
    sign-in) and rotate its token, since its privileges grew. Returns the new token."""
    record.mfa_pending = False
    record.mfa_verified_at = now
    return await rotate_session(session=session, record=record)


async def end_session(*, session: AsyncSession, record: UserSession, now: datetime) -> None:
    """End one session (sign-out); the caller commits."""
    await store_for(session).end(record, now)


async def revoke_user_sessions(
    *, session: AsyncSession, user_id: str, now: datetime, keep_session_id: str | None = None
) -> None:
    """End every live session of a user, except possibly the one in use."""
    await store_for(session).end_for_user(user_id, now, keep_session_id)


async def do_sign_out_everywhere(*, session: AsyncSession, user_id: str, now: datetime) -> None:
    """End every session of a user, the one in use included, and commit."""
    await revoke_user_sessions(session=session, user_id=user_id, now=now)
    await session.commit()


async def list_live_sessions(
    *, session: AsyncSession, user_id: str, settings: Settings, now: datetime
) -> list[UserSession]:
    """The user's sessions that have not ended, newest first."""
    return await store_for(session).live_for_user(
        user_id,
        idle_cutoff=now - timedelta(minutes=settings.session_idle_minutes),
        pending_cutoff=now - MFA_PENDING_LIFETIME,
        now=now,
    )


async def revoke_own_session(
    *, session: AsyncSession, user_id: str, session_id: str, now: datetime
) -> bool:
    """End one of the user's own sessions; False when it is not theirs or already ended."""
    ended = await store_for(session).end_one(user_id, session_id, now)
    await session.commit()
    return ended
