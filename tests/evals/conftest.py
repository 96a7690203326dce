"""Fixtures for evaluations: the run engine of tests/runs, looking often for finished
case runs."""

from __future__ import annotations

import pytest

from luna.settings import Settings
from tests.runs.conftest import worker

__all__ = ["worker"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"eval_poll_seconds": 0.1})
