"""Dependencies injected into routes, as ``Annotated`` aliases.

Tests replace any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from luna.observability.context import RequestContext
from luna.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> AsyncEngine:
    """The application's database engine."""
    engine: AsyncEngine = request.app.state.engine
    return engine


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A database session for one request; services decide when to commit."""
    async with request.app.state.session_factory() as session:
        yield session


def get_request_context(request: Request) -> RequestContext:
    """The request's id, trace and (once authenticated) user and workspace."""
    context: RequestContext = request.scope["state"]["request_context"]
    return context


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RequestContextDep = Annotated[RequestContext, Depends(get_request_context)]
