"""The resources of one Luna process, built once and closed in order.

``luna serve`` (the application's lifespan), ``luna worker`` and the CLI's database
commands all open their database engine, sessions, Redis client, run bus and queue,
caches and outbound HTTP client here, so every process builds them the same way and
closes them in the reverse order, whatever fails. The API's request path reads them
through :mod:`luna.deps`, from ``app.state.resources``.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from luna import __version__
from luna.cache import Caches, caches_for
from luna.db.engine import create_engine, create_session_factory
from luna.identity.bearer import build_bearer_verifier
from luna.identity.jwt import JwtVerifier
from luna.identity.session_store import REDIS_INFO_KEY
from luna.jobs.client import WorkflowClient
from luna.observability.error_reporting import start_error_reporting, stop_error_reporting
from luna.observability.tracing import instrumented_clients, tracer_provider_for
from luna.runs.bus import RunBus
from luna.runs.dispatch import RunDispatcher
from luna.runs.queue import RunQueue
from luna.runs.runtime import RunRuntime
from luna.runs.streaming import RunFeeds
from luna.security.crypto import Keyring, keyring_for
from luna.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

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
    workflows: WorkflowClient
    run_queue: RunQueue
    # Where this process's spans go (None: tracing is off).
    tracer_provider: TracerProvider | None = None
    # This process's readers of watched runs (one per run, whatever its viewer count).
    run_feeds: RunFeeds = field(init=False)
    # The identity provider whose bearer JWTs the API accepts, if the settings name one.
    bearer_verifier: JwtVerifier | None = field(init=False)

    def __post_init__(self) -> None:
        feeds = RunFeeds(session_factory=self.session_factory, bus=self.bus)
        object.__setattr__(self, "run_feeds", feeds)
        object.__setattr__(self, "bearer_verifier", _bearer_verifier(self))

    def open_session(self) -> AsyncSession:
        """A database session, which finds users' sign-in sessions where they live (Redis
        when configured, see :mod:`luna.identity.session_store`)."""
        session = self.session_factory()
        if self.redis is not None:
            session.info[REDIS_INFO_KEY] = (self.redis, self.settings.redis_namespace)
        return session

    def run_dispatcher(self) -> RunDispatcher:
        """What follows a run's committed change in this process: queue, bus, step writer."""
        return RunDispatcher(
            queue=self.run_queue, bus=self.bus, session_factory=self.session_factory
        )

    def run_runtime(self) -> RunRuntime:
        """What the run workflows of this process find their resources in."""
        return RunRuntime(
            settings=self.settings,
            session_factory=self.session_factory,
            keyring=self.keyring,
            bus=self.bus,
            caches=self.caches,
            tracer_provider=self.tracer_provider,
        )


@asynccontextmanager
async def open_resources(
    settings: Settings,
    *,
    keyring: Keyring | None = None,
    caches: Caches | None = None,
    tracer_provider: TracerProvider | None = None,
) -> AsyncIterator[Resources]:
    """The process's resources for the length of the block, closed in reverse order
    (``keyring``, ``caches`` and ``tracer_provider`` when the caller made them already)."""
    async with AsyncExitStack() as stack:
        if start_error_reporting(settings, release=__version__):
            stack.callback(stop_error_reporting)
        if tracer_provider is None:
            tracer_provider = tracer_provider_for(settings, version=__version__)
        if tracer_provider is not None:
            stack.callback(tracer_provider.shutdown)  # sends what is left
        engine = create_engine(settings)
        stack.push_async_callback(engine.dispose)
        stack.enter_context(instrumented_clients(tracer_provider, engine))
        redis = (
            Redis.from_url(settings.redis_url.get_secret_value()) if settings.redis_url else None
        )
        if redis is not None:
            stack.push_async_callback(redis.aclose)
        caches = caches or caches_for(settings)
        stack.push_async_callback(caches.close)
        http_client = httpx.AsyncClient(timeout=OUTBOUND_TIMEOUT_SECONDS, verify=_tls_context())
        stack.push_async_callback(http_client.aclose)
        bus = RunBus(redis, namespace=settings.redis_namespace)
        stack.push_async_callback(bus.close)
        workflows = WorkflowClient(settings)
        stack.callback(workflows.close)
        yield Resources(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            keyring=keyring or keyring_for(settings),
            caches=caches,
            redis=redis,
            bus=bus,
            http_client=http_client,
            workflows=workflows,
            run_queue=RunQueue(workflows),
            tracer_provider=tracer_provider,
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The trusted certificates of outbound calls (honouring ``SSL_CERT_FILE``), loaded
    once per process: loading them takes tens of milliseconds."""
    return httpx.create_ssl_context()


def _bearer_verifier(resources: Resources) -> JwtVerifier | None:
    settings = resources.settings
    if settings.bearer_jwks_url is None:
        return None
    return build_bearer_verifier(
        jwks_url=str(settings.bearer_jwks_url),
        issuers=settings.bearer_issuers,
        audiences=settings.bearer_audiences,
        algorithms=settings.bearer_algorithms,
        http=resources.http_client,
    )
