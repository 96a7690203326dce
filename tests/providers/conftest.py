"""Fixtures of the providers tests: an app whose rate limits never get in the way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from luna.app import create_app
from luna.settings import Settings


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The application with its lifespan running, and rate limits high enough that the
    many requests of a test are never refused."""
    values = settings.model_dump() | {"api_rate_limit": "100000/minute"}
    application = create_app(Settings.model_validate(values))
    async with application.router.lifespan_context(application):
        yield application
