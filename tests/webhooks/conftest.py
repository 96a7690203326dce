"""Webhook tests: retries a few milliseconds apart instead of seconds."""

from __future__ import annotations

import pytest

from luna.settings import Settings
from tests.runs.conftest import worker

__all__ = ["worker"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_retry_base_seconds": 0.05})
