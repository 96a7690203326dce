"""The application factory: middleware stack, routers and lifespan."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import DBAPIError
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from luna import __version__
from luna.accounts.routes import router as accounts_router
from luna.agents.catalog_routes import router as catalog_router
from luna.agents.environment_routes import router as agent_environments_router
from luna.agents.routes import router as agents_router
from luna.billing.routes import router as billing_router
from luna.budgets.routes import router as budgets_router
from luna.cache import caches_for
from luna.chains.routes import presets_router as chain_presets_router
from luna.chains.routes import router as chains_router
from luna.chains.routes import swarms_router
from luna.chains.run_routes import router as chain_runs_router
from luna.demo.routes import router as demo_router
from luna.evals.routes import router as evals_router
from luna.health.routes import router as health_router
from luna.identity.api_budgets import PlanBudgets
from luna.identity.api_key_routes import current_key_router
from luna.identity.api_key_routes import router as api_key_router
from luna.identity.mfa_routes import router as mfa_router
from luna.identity.routes import router as identity_router
from luna.identity.sso_routes import router as sso_router
from luna.observability.logging import configure_logging, get_logger
from luna.observability.metrics import router as metrics_router
from luna.observability.middleware import RequestContextMiddleware
from luna.observability.tracing import instrument_app, tracer_provider_for
from luna.onboarding.routes import router as onboarding_router
from luna.problems import PROBLEM_RESPONSES, install_problem_handlers
from luna.providers.routes import router as providers_router
from luna.resources import open_resources
from luna.runs.routes import router as runs_router
from luna.schedules.routes import router as schedules_router
from luna.security.body_limit import BodyLimitMiddleware
from luna.security.crypto import keyring_for
from luna.security.csrf import CsrfMiddleware
from luna.security.headers import SecurityHeadersMiddleware
from luna.security.maintenance import MaintenanceMiddleware, maintenance_bypass_token
from luna.security.rate_limit import RateLimiter, RateLimitMiddleware, default_rules
from luna.security.replicas import SoleApiProcess
from luna.security.storable_text import StorableTextMiddleware
from luna.settings import Settings, load_settings
from luna.sharing.routes import public_router as shared_runs_router
from luna.sharing.routes import router as run_shares_router
from luna.site.routes import not_found_page
from luna.site.routes import router as site_router
from luna.tenancy.member_routes import router as member_router
from luna.tenancy.routes import router as tenancy_router
from luna.tools.routes import router as tools_router
from luna.usage.routes import router as usage_router
from luna.web.routes import router as web_router
from luna.webhooks.routes import router as webhooks_router
from luna.worker import BackgroundWork

log = get_logger(__name__)


# Every router of the API, in the order a request is matched against them.
ROUTERS: tuple[APIRouter, ...] = (
    health_router,
    identity_router,
    accounts_router,
    tenancy_router,
    api_key_router,
    current_key_router,
    mfa_router,
    sso_router,
    member_router,
    catalog_router,
    agents_router,
    agent_environments_router,
    chains_router,
    chain_presets_router,
    swarms_router,
    chain_runs_router,
    schedules_router,
    webhooks_router,
    budgets_router,
    evals_router,
    tools_router,
    providers_router,
    runs_router,
    run_shares_router,
    shared_runs_router,
    billing_router,
    usage_router,
    onboarding_router,
    demo_router,
    metrics_router,
    site_router,
    web_router,  # last: it serves the web app's paths
)

_serving_app: ContextVar[FastAPI | None] = ContextVar("luna_serving_app", default=None)


class LunaApp(FastAPI):
    """The ASGI application: a FastAPI app that records itself as the app serving each
    call, for the dependency overrides of the routes it shares with the process's other
    apps (see :func:`luna_routes`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _serving_app.set(self)
        try:
            await super().__call__(scope, receive, send)
        finally:
            _serving_app.reset(token)


class _ServingAppOverrides:
    """The dependency overrides of the app serving the call at hand (tests set them)."""

    @property
    def dependency_overrides(self) -> dict[Any, Any]:
        app = _serving_app.get()
        return app.dependency_overrides if app is not None else {}


@functools.cache
def luna_routes() -> tuple[BaseRoute, ...]:
    """Luna's routers, included once per process and shared by each app built in it.

    FastAPI builds an included route (its dependency graph, its response models) the first
    time a request reaches it, once per inclusion; a process that builds many apps (the
    tests build one per test) would build every route again for each. The routes read
    the overrides of the app serving the request, as they would the app they were
    included into."""
    api = APIRouter(
        responses=PROBLEM_RESPONSES, dependency_overrides_provider=_ServingAppOverrides()
    )
    for router in ROUTERS:
        api.include_router(router)
    return tuple(api.routes)


def create_app(settings: Settings) -> FastAPI:
    """Build the Luna ASGI application for the given settings."""

    limiter = RateLimiter(settings.rate_limit_storage, key_prefix=settings.redis_namespace)
    caches = caches_for(settings)
    tracer_provider = tracer_provider_for(settings, version=__version__)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(
            settings, keyring=app.state.keyring, caches=caches, tracer_provider=tracer_provider
        ) as shared:
            # What the request path reads, through luna.deps.
            app.state.resources = shared
            # Without Redis to share revocations and rate limits, one API process per install.
            sole = None if settings.redis_url else SoleApiProcess(settings, shared.session_factory)
            if sole is not None:
                await claim_or_refuse(sole)
            await caches.start()
            work = BackgroundWork(
                settings, shared.session_factory, shared.run_runtime(), queue=shared.run_queue
            )
            if settings.in_process_worker:
                await work.start_with_runs()
            log.info("started", database=settings.database.get_backend_name(), env=settings.env)
            try:
                yield
            finally:
                await work.shutdown()
                if sole is not None:
                    await sole.release()
                await limiter.close()
                log.info("stopped")

    app = LunaApp(
        title="Luna API",
        version=__version__,
        summary="Build, run, watch and sell AI agents.",
        lifespan=lifespan,
        docs_url=None,  # the interactive reference is served by the web app, under its CSP
        redoc_url=None,
        openapi_url="/api/openapi.json",
        responses=PROBLEM_RESPONSES,
    )
    app.state.settings = settings
    app.state.keyring = keyring_for(settings)
    app.state.caches = caches
    install_problem_handlers(app, not_found_page=lambda path: not_found_page(settings, path))
    app.router.routes.extend(luna_routes())
    install_middleware(app, settings, limiter)
    instrument_app(app, tracer_provider)
    return app


async def claim_or_refuse(sole: SoleApiProcess) -> None:
    """Claim to be the install's only API process, or refuse to start. A database that
    cannot answer yet (down, not migrated) is no reason to refuse: ``/readyz`` reports
    it, and the check is made at the next start."""
    try:
        await sole.claim()
    except (DBAPIError, OSError) as error:
        log.warning("could not check for other API processes", error=type(error).__name__)


def install_middleware(app: FastAPI, settings: Settings, limiter: RateLimiter) -> None:
    """The ASGI stack, outermost first: request context (ids, access log, last-resort 500),
    security headers, rate limits, maintenance mode, body limit, storable text, CSRF. Each
    refusal from an inner layer therefore carries the request id and the security headers."""
    app.add_middleware(
        CsrfMiddleware,
        trusted_origins=settings.trusted_origins,
        cookie_name=settings.session_cookie_name,
    )
    app.add_middleware(StorableTextMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        MaintenanceMiddleware,
        # The session factory exists once the lifespan has started: look it up per read.
        session_factory=lambda: app.state.resources.session_factory(),
        bypass_token=maintenance_bypass_token(settings),
    )
    app.add_middleware(
        RateLimitMiddleware,
        limiter=limiter,
        rules=default_rules(settings.auth_rate_limit, webhook_limit=settings.webhook_rate_limit),
        default_limit=settings.api_rate_limit,
        budget_for=PlanBudgets(
            settings=settings,
            caches=app.state.caches,
            # The database exists once the lifespan has started: open sessions per read.
            open_session=lambda: app.state.resources.open_session(),
        ),
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.public_url.scheme == "https")
    app.add_middleware(RequestContextMiddleware)


def create_app_from_environment() -> FastAPI:
    """Factory for ASGI servers (``uvicorn --factory luna.app:create_app_from_environment``)."""
    settings = load_settings()
    configure_logging(settings)
    return create_app(settings)
