"""Budget tests run real runs in this process."""

from __future__ import annotations

from tests.runs.conftest import worker

__all__ = ["worker"]
