"""A small two-level cache: a TTL + LRU dictionary in each process, Redis shared by all.

Level 1 answers from process memory. Level 2 (when a Redis URL is configured) is shared
by every replica: a value one replica loaded is a Redis hit for the others. Values are
JSON, in both levels, so every reader gets its own copy and both levels return the same
shapes. Redis keys are ``<prefix>:cache:<namespace>:<key>`` (the prefix is the
installation's Redis namespace); callers put the workspace in the key of anything
tenant-scoped.

After the source of truth changes, call :meth:`TwoLevelCache.invalidate`: it deletes the
Redis entry and publishes the key on ``<prefix>:cache:invalidate:<namespace>``. Every
process listens there (from :meth:`~TwoLevelCache.start` to
:meth:`~TwoLevelCache.close`) and drops the key from its level 1, so the others stop
serving the old value within milliseconds. A value loaded while another replica
invalidates it can still linger until its TTL, as can anything cached while the
invalidation channel was down: keep TTLs as short as freshness requires.

Redis trouble never fails a request: a Redis that cannot be reached is a miss (the
loader runs), and level 1 is emptied whenever the invalidation channel was lost.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self, TypeAlias, TypeVar, cast

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from luna.observability.logging import get_logger
from luna.observability.metrics import CACHE_EVICTIONS, CACHE_HITS, CACHE_MISSES
from luna.settings import Settings

log = get_logger(__name__)

LOCAL_LEVEL: Final = "local"
REDIS_LEVEL: Final = "redis"

_NAMESPACE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# A cache sits in front of every read it serves: a Redis that hangs must not hang them.
_REDIS_TIMEOUT_SECONDS: Final = 1.0
_HEALTH_CHECK_SECONDS: Final = 30
_LISTEN_POLL_SECONDS: Final = 1.0
_RESUBSCRIBE_FIRST_DELAY: Final = 0.5
_RESUBSCRIBE_MAX_DELAY: Final = 30.0

JsonValue: TypeAlias = dict[str, Any] | list[Any] | str | int | float | bool
"""What the cache holds: anything JSON can carry except ``null`` (``None`` is a miss)."""

T = TypeVar("T", bound=JsonValue | None)


@dataclass
class _Entry:
    payload: str
    expires_at: float


@dataclass
class _Load:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiters: int = 0


def _encode(value: JsonValue) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _decode(payload: str) -> JsonValue:
    return cast(JsonValue, json.loads(payload))


def _open_redis(redis_url: str) -> Redis:
    return Redis.from_url(
        redis_url,
        socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
        socket_timeout=_REDIS_TIMEOUT_SECONDS,
        health_check_interval=_HEALTH_CHECK_SECONDS,
        # Fail fast instead of retrying: a miss is cheap, and a silent reconnect of the
        # invalidation channel would hide the invalidations lost meanwhile.
        retry=Retry(NoBackoff(), 0),
    )


class TwoLevelCache:
    """JSON values under string keys, in process memory and (optionally) in Redis.

    ``ttl_seconds`` bounds how long a value is served in either level; ``max_entries``
    bounds level 1, least recently used first out. ``redis_url`` ``None`` keeps the
    cache in this process only. ``prefix`` starts every Redis key and channel name, so
    installations can share a Redis server. ``clock`` (monotonic seconds) times level 1.
    """

    def __init__(
        self,
        *,
        namespace: str,
        ttl_seconds: float,
        max_entries: int,
        redis_url: str | None,
        prefix: str = "luna",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not _NAMESPACE.match(namespace):
            raise ValueError(f"cache namespaces are lower-case slugs, not {namespace!r}")
        if not ttl_seconds > 0 or not max_entries > 0:
            raise ValueError("ttl_seconds and max_entries must be positive")
        self.namespace = namespace
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.prefix = prefix
        self.channel = f"{prefix}:cache:invalidate:{namespace}"
        self._clock = clock
        self._local: OrderedDict[str, _Entry] = OrderedDict()
        self._loads: dict[str, _Load] = {}
        self._redis = None if redis_url is None else _open_redis(redis_url)
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._hits = self._counters(CACHE_HITS)
        self._misses = self._counters(CACHE_MISSES)
        self._evictions = self._counters(CACHE_EVICTIONS)

    def _counters(self, metric: Counter) -> dict[str, Counter]:
        return {
            level: metric.labels(namespace=self.namespace, level=level)
            for level in (LOCAL_LEVEL, REDIS_LEVEL)
        }

    def redis_key(self, key: str) -> str:
        """The Redis key that holds ``key``'s value."""
        return f"{self.prefix}:cache:{self.namespace}:{key}"

    async def get(self, key: str) -> JsonValue | None:
        """The cached value of ``key``, or ``None`` when neither level has it."""
        payload = self._read_local(key)
        if payload is not None:
            self._hits[LOCAL_LEVEL].inc()
            return _decode(payload)
        self._misses[LOCAL_LEVEL].inc()
        if self._redis is None:
            return None
        payload = await self._read_redis(self._redis, key)
        return None if payload is None else _decode(payload)

    async def set(self, key: str, value: JsonValue) -> None:
        """Cache a value read from the source of truth, in both levels.

        After changing the source of truth, call :meth:`invalidate` instead: other
        processes may hold the old value in their level 1.
        """
        payload = _encode(value)
        self._write_local(key, payload, self.ttl_seconds)
        if self._redis is None:
            return
        try:
            await self._redis.set(self.redis_key(key), payload, px=self._ttl_milliseconds)
        except RedisError as exc:
            log.warning("cache write to Redis failed", namespace=self.namespace, error=str(exc))

    async def get_or_load(self, key: str, loader: Callable[[], Awaitable[T]]) -> T:
        """The cached value of ``key``, else ``loader()``'s result, cached.

        Concurrent misses of one key in this process call the loader once; the others
        wait for its result. A loader returning ``None`` caches nothing.
        """
        cached = await self.get(key)
        if cached is not None:
            return cast(T, cached)
        load = self._loads.setdefault(key, _Load())
        load.waiters += 1
        try:
            async with load.lock:
                return await self._load_once(key, loader)
        finally:
            load.waiters -= 1
            if load.waiters == 0:
                del self._loads[key]

    async def _load_once(self, key: str, loader: Callable[[], Awaitable[T]]) -> T:
        payload = self._read_local(key)
        if payload is not None:  # loaded by the caller this one queued behind
            self._hits[LOCAL_LEVEL].inc()
            return cast(T, _decode(payload))
        value = await loader()
        if value is not None:
            await self.set(key, value)
        return value

    async def invalidate(self, key: str) -> None:
        """Forget ``key`` here, in Redis, and in the level 1 of every listening process."""
        self._local.pop(key, None)
        if self._redis is None:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.delete(self.redis_key(key))
                pipe.publish(self.channel, key)
                await pipe.execute()
        except RedisError as exc:
            log.error(
                "cache invalidation not shared; other processes may serve the old value "
                "until it expires",
                namespace=self.namespace,
                key=key,
                error=str(exc),
            )

    @property
    def _ttl_milliseconds(self) -> int:
        return max(1, math.ceil(self.ttl_seconds * 1000))

    def _read_local(self, key: str) -> str | None:
        entry = self._local.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            del self._local[key]
            return None
        self._local.move_to_end(key)
        return entry.payload

    def _write_local(self, key: str, payload: str, ttl_seconds: float) -> None:
        self._local[key] = _Entry(payload, self._clock() + ttl_seconds)
        self._local.move_to_end(key)
        while len(self._local) > self.max_entries:
            self._local.popitem(last=False)
            self._evictions[LOCAL_LEVEL].inc()

    async def _read_redis(self, redis: Redis, key: str) -> str | None:
        try:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.get(self.redis_key(key))
                pipe.pttl(self.redis_key(key))
                raw, remaining_ms = await pipe.execute()
        except RedisError as exc:
            log.warning("cache read from Redis failed", namespace=self.namespace, error=str(exc))
            raw = None
        if raw is None:
            self._misses[REDIS_LEVEL].inc()
            return None
        self._hits[REDIS_LEVEL].inc()
        payload = bytes(raw).decode("utf-8")
        # Level 1 must not outlive the shared entry it copies.
        ttl = self.ttl_seconds if remaining_ms < 0 else min(self.ttl_seconds, remaining_ms / 1000)
        self._write_local(key, payload, ttl)
        return payload

    async def start(self) -> None:
        """Listen for invalidations from other processes (a no-op without Redis)."""
        if self._redis is None or self._listener is not None:
            return
        self._pubsub = self._redis.pubsub()
        subscribed = await self._subscribe(self._pubsub)
        self._listener = asyncio.create_task(
            self._listen(self._pubsub, subscribed=subscribed),
            name=f"cache-invalidations-{self.namespace}",
        )
        self._listener.add_done_callback(self._listener_stopped)

    def _listener_stopped(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "cache invalidation listener crashed; level 1 is no longer kept fresh",
                namespace=self.namespace,
                exc_info=task.exception(),
            )

    async def _subscribe(self, pubsub: PubSub) -> bool:
        try:
            await pubsub.subscribe(self.channel)
        except RedisError as exc:
            log.warning(
                "cache invalidation channel unreachable; retrying",
                namespace=self.namespace,
                error=str(exc),
            )
            return False
        return True

    async def _listen(self, pubsub: PubSub, *, subscribed: bool) -> None:
        delay = _RESUBSCRIBE_FIRST_DELAY
        while True:
            if not subscribed:
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RESUBSCRIBE_MAX_DELAY)
                subscribed = await self._subscribe(pubsub)
                if subscribed:  # invalidations sent meanwhile were lost
                    self._local.clear()
                    delay = _RESUBSCRIBE_FIRST_DELAY
                continue
            try:
                await self._drop_invalidated_keys(pubsub)
            except RedisError as exc:
                log.warning(
                    "cache invalidation channel lost", namespace=self.namespace, error=str(exc)
                )
                self._local.clear()
                subscribed = False

    async def _drop_invalidated_keys(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=_LISTEN_POLL_SECONDS
            )
            if message is not None and message["type"] == "message":
                self._local.pop(bytes(message["data"]).decode("utf-8", "replace"), None)

    async def close(self) -> None:
        """Stop listening and close the Redis connections."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            await asyncio.wait([listener])
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
        if self._redis is not None:
            await self._redis.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


# Level-1 bounds of the application's caches: enough for every live key and team of a
# large installation, small next to a process's memory (entries are a few hundred bytes).
_MAX_API_KEYS: Final = 50_000
_MAX_CALLERS: Final = 50_000
_MAX_TEAMS: Final = 50_000
_MAX_PLAN_LISTS: Final = 4
_MAX_AGENT_VERSIONS: Final = 20_000


class Caches:
    """The application's caches of hot reads, one :class:`TwoLevelCache` per kind.

    - ``api_keys``: an API key's record by the digest of its secret (invalidated when the
      key is revoked);
    - ``callers``: the teams a caller (API key or session, by hash) acts for, which picks
      its rate-limit budget;
    - ``team_plans``: a team's plan id (invalidated when the plan changes);
    - ``plans``: the plans and their entitlements (invalidated by ``luna plans set``);
    - ``agent_versions``: an agent version's definition (versions never change).

    The agent catalog is read from the package once per process and never changes while
    it runs, so it needs no shared cache.
    """

    def __init__(self, *, ttl_seconds: float, redis_url: str | None, prefix: str) -> None:
        def cache(namespace: str, max_entries: int) -> TwoLevelCache:
            return TwoLevelCache(
                namespace=namespace,
                ttl_seconds=ttl_seconds,
                max_entries=max_entries,
                redis_url=redis_url,
                prefix=prefix,
            )

        self.api_keys = cache("api-keys", _MAX_API_KEYS)
        self.callers = cache("callers", _MAX_CALLERS)
        self.team_plans = cache("team-plans", _MAX_TEAMS)
        self.plans = cache("plans", _MAX_PLAN_LISTS)
        self.agent_versions = cache("agent-versions", _MAX_AGENT_VERSIONS)

    @property
    def all(self) -> tuple[TwoLevelCache, ...]:
        """Every cache, for starting and closing them together."""
        return (self.api_keys, self.callers, self.team_plans, self.plans, self.agent_versions)

    async def start(self) -> None:
        """Listen for invalidations from other processes."""
        for cache in self.all:
            await cache.start()

    async def close(self) -> None:
        """Stop listening and close the Redis connections."""
        for cache in self.all:
            await cache.close()


def caches_for(settings: Settings) -> Caches:
    """The application's caches, shared through Redis when the settings name one."""
    return Caches(
        ttl_seconds=settings.cache_ttl_seconds,
        redis_url=settings.cache_redis_url,
        prefix=settings.redis_namespace,
    )
