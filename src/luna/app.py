"""The application factory: middleware stack, routers and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from luna import __version__
from luna.db.engine import create_engine, create_session_factory
from luna.health.routes import router as health_router
from luna.identity.api_key_routes import router as api_key_router
from luna.identity.routes import router as identity_router
from luna.observability.logging import get_logger
from luna.observability.middleware import RequestContextMiddleware
from luna.problems import install_problem_handlers
from luna.security.csrf import CsrfMiddleware
from luna.settings import Settings, load_settings
from luna.tenancy.routes import router as tenancy_router

log = get_logger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """Build the Luna ASGI application for the given settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        log.info("started", database=settings.database.get_backend_name(), env=settings.env)
        try:
            yield
        finally:
            await engine.dispose()
            log.info("stopped")

    app = FastAPI(
        title="Luna API",
        version=__version__,
        summary="Build, run, watch and sell AI agents.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(identity_router)
    app.include_router(tenancy_router)
    app.include_router(api_key_router)
    # Added last = outermost: the request context wraps everything, including refusals.
    app.add_middleware(
        CsrfMiddleware,
        trusted_origins=settings.trusted_origins,
        cookie_name=settings.session_cookie_name,
    )
    app.add_middleware(RequestContextMiddleware)
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for ASGI servers (``uvicorn --factory luna.app:create_app_from_environment``)."""
    return create_app(load_settings())
