"""Fixtures for chains: the run engine of tests/runs, executing chain runs too."""

from tests.runs.conftest import worker

__all__ = ["worker"]
