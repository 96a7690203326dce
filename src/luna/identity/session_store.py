"""Where sessions live: the database by default, Redis when ``LUNA_REDIS_URL`` is set.

Both stores hold the same ``UserSession`` records (in Redis, as transient objects
serialised to a hash), so the rules in :mod:`luna.identity.sessions` are written once.
The request's database session carries the Redis client in ``session.info`` when one is
configured (see ``luna.deps.get_session``); :func:`store_for` picks the store from it.

Redis layout under the installation's namespace (``LUNA_REDIS_NAMESPACE``), every key
expiring with the session's absolute lifetime: ``<ns>:session:<id>`` (a hash of the
record), ``<ns>:session-token:<token hash>`` (the id) and ``<ns>:user-sessions:<user
id>`` (a set of ids, for listing and revoking).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.identity.models import UserSession

REDIS_INFO_KEY = "luna.redis"
_TIMES = ("created_at", "last_seen_at", "expires_at", "mfa_verified_at")
_TEXTS = ("id", "token_hash", "user_id", "fingerprint", "ip_address", "user_agent")


class SessionStore(Protocol):
    """The operations the session rules need from storage."""

    async def add(self, record: UserSession) -> None: ...
    async def find(self, token_hash: str) -> UserSession | None: ...
    async def save(self, record: UserSession, *, old_token_hash: str | None = None) -> None: ...
    async def end(self, record: UserSession, now: datetime) -> None: ...
    async def end_for_user(self, user_id: str, now: datetime, keep: str | None) -> None: ...
    async def end_one(self, user_id: str, session_id: str, now: datetime) -> bool: ...
    async def live_for_user(
        self, user_id: str, *, idle_cutoff: datetime, pending_cutoff: datetime, now: datetime
    ) -> list[UserSession]: ...


def store_for(session: AsyncSession) -> SessionStore:
    """Redis when the request carries a Redis client, the database otherwise."""
    configured: tuple[Redis, str] | None = session.info.get(REDIS_INFO_KEY)
    if configured is None:
        return DatabaseSessionStore(session)
    redis, namespace = configured
    return RedisSessionStore(redis, namespace=namespace)


class DatabaseSessionStore:
    """Sessions as rows of ``user_sessions``; the caller's transaction commits them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: UserSession) -> None:
        self.session.add(record)
        await self.session.flush()

    async def find(self, token_hash: str) -> UserSession | None:
        return await self.session.scalar(
            select(UserSession).where(UserSession.token_hash == token_hash)
        )

    async def save(self, record: UserSession, *, old_token_hash: str | None = None) -> None:
        await self.session.flush()

    async def end(self, record: UserSession, now: datetime) -> None:
        record.revoked_at = record.revoked_at or now
        await self.session.flush()

    async def end_for_user(self, user_id: str, now: datetime, keep: str | None) -> None:
        statement = update(UserSession).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
        )
        if keep is not None:
            statement = statement.where(UserSession.id != keep)
        await self.session.execute(statement.values(revoked_at=now))

    async def end_one(self, user_id: str, session_id: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(UserSession)
            .where(
                UserSession.id == session_id,
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def live_for_user(
        self, user_id: str, *, idle_cutoff: datetime, pending_cutoff: datetime, now: datetime
    ) -> list[UserSession]:
        rows = await self.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                UserSession.last_seen_at > idle_cutoff,
                or_(UserSession.mfa_pending.is_(False), UserSession.created_at > pending_cutoff),
            )
            .order_by(UserSession.created_at.desc())
        )
        return list(rows)


def _to_hash(record: UserSession) -> dict[str, str]:
    fields = {name: str(getattr(record, name)) for name in _TEXTS}
    for name in _TIMES:
        value = getattr(record, name)
        if value is not None:
            fields[name] = value.isoformat()
    fields["mfa_pending"] = "1" if record.mfa_pending else "0"
    return fields


def _from_hash(fields: dict[str, str]) -> UserSession:
    values: dict[str, Any] = {name: fields[name] for name in _TEXTS}
    for name in _TIMES:
        values[name] = datetime.fromisoformat(fields[name]) if name in fields else None
    values["mfa_pending"] = fields.get("mfa_pending") == "1"
    return UserSession(**values, revoked_at=None)


class RedisSessionStore:
    """Sessions in Redis, shared by every API replica; an ended session is deleted."""

    def __init__(self, redis: Redis, *, namespace: str) -> None:
        self.redis = redis
        self.prefix = namespace

    def _keys(self, record: UserSession) -> tuple[str, str, str]:
        return (
            f"{self.prefix}:session:{record.id}",
            f"{self.prefix}:session-token:{record.token_hash}",
            f"{self.prefix}:user-sessions:{record.user_id}",
        )

    async def add(self, record: UserSession) -> None:
        await self.save(record)

    async def find(self, token_hash: str) -> UserSession | None:
        session_id = await self.redis.get(f"{self.prefix}:session-token:{token_hash}")
        if session_id is None:
            return None
        fields = await self.redis.hgetall(f"{self.prefix}:session:{_text(session_id)}")
        if not fields:
            return None
        return _from_hash({_text(key): _text(value) for key, value in fields.items()})

    async def save(self, record: UserSession, *, old_token_hash: str | None = None) -> None:
        session_key, token_key, user_key = self._keys(record)
        expires = int(record.expires_at.timestamp()) + 1
        async with self.redis.pipeline(transaction=True) as pipe:
            if old_token_hash is not None and old_token_hash != record.token_hash:
                pipe.delete(f"{self.prefix}:session-token:{old_token_hash}")
            pipe.hset(session_key, mapping=cast(Any, _to_hash(record)))
            pipe.set(token_key, record.id)
            pipe.sadd(user_key, record.id)
            for key in (session_key, token_key):
                pipe.expireat(key, expires)
            pipe.expireat(user_key, expires, gt=True)
            pipe.expireat(user_key, expires, nx=True)
            await pipe.execute()

    async def end(self, record: UserSession, now: datetime) -> None:
        record.revoked_at = record.revoked_at or now
        session_key, token_key, user_key = self._keys(record)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(session_key, token_key)
            pipe.srem(user_key, record.id)
            await pipe.execute()

    async def _records(self, user_id: str) -> list[UserSession]:
        records = []
        for session_id in await self.redis.smembers(f"{self.prefix}:user-sessions:{user_id}"):
            fields = await self.redis.hgetall(f"{self.prefix}:session:{_text(session_id)}")
            if fields:
                records.append(_from_hash({_text(k): _text(v) for k, v in fields.items()}))
            else:  # expired: forget it
                await self.redis.srem(f"{self.prefix}:user-sessions:{user_id}", session_id)
        return records

    async def end_for_user(self, user_id: str, now: datetime, keep: str | None) -> None:
        for record in await self._records(user_id):
            if record.id != keep:
                await self.end(record, now)

    async def end_one(self, user_id: str, session_id: str, now: datetime) -> bool:
        for record in await self._records(user_id):
            if record.id == session_id:
                await self.end(record, now)
                return True
        return False

    async def live_for_user(
        self, user_id: str, *, idle_cutoff: datetime, pending_cutoff: datetime, now: datetime
    ) -> list[UserSession]:
        live = [
            record
            for record in await self._records(user_id)
            if record.expires_at > now
            and record.last_seen_at > idle_cutoff
            and (not record.mfa_pending or record.created_at > pending_cutoff)
        ]
        return sorted(live, key=lambda record: record.created_at, reverse=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
