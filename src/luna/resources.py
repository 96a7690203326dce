"""The resources of one Luna process, built once and closed in order.

``luna serve`` (the application's lifespan) and ``luna worker`` both open their database
engine, sessions, Redis client, run bus, caches and outbound HTTP client here, so the two
processes build them the same way and close them in the reverse order, whatever fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Final

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from luna.cache import Caches, caches_for
from luna.db.engine import create_engine, create_session_factory
from luna.runs.bus import RunBus
from luna.runs.runtime import RunRuntime
from luna.security.crypto import Keyring, keyring_for
from luna.settings import Settings

# How long an outbound call (an identity provider's keys, an SSO discovery) may take.
OUTBOUND_TIMEOUT_SECONDS: Final = 10.0


@dataclass(frozen=True)
class Resources:
    """What one process shares between its requests and its background work."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    keyring: Keyring
    caches: Caches
    redis: Redis | None
    bus: RunBus
    http_client: httpx.AsyncClient

    def run_runtime(self) -> RunRuntime:
        """What the run workflows of this process find their resources in."""
        return RunRuntime(
            settings=self.settings,
            session_factory=self.session_factory,
            keyring=self.keyring,
            bus=self.bus,
            caches=self.caches,
        )


@asynccontextmanager
async def open_resources(
    settings: Settings, *, keyring: Keyring | None = None, caches: Caches | None = None
) -> AsyncIterator[Resources]:
    """The process's resources for the length of the block, closed in reverse order
    (``keyring`` and ``caches`` when the caller made them already)."""
    async with AsyncExitStack() as stack:
        engine = create_engine(settings)
        stack.push_async_callback(engine.dispose)
        redis = (
            Redis.from_url(settings.redis_url.get_secret_value()) if settings.redis_url else None
        )
        if redis is not None:
            stack.push_async_callback(redis.aclose)
        caches = caches or caches_for(settings)
        stack.push_async_callback(caches.close)
        http_client = httpx.AsyncClient(timeout=OUTBOUND_TIMEOUT_SECONDS)
        stack.push_async_callback(http_client.aclose)
        bus = RunBus(redis, namespace=settings.redis_namespace)
        stack.push_async_callback(bus.close)
        yield Resources(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            keyring=keyring or keyring_for(settings),
            caches=caches,
            redis=redis,
            bus=bus,
            http_client=http_client,
        )
