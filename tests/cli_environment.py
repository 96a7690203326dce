"""Fixtures for tests of the ``luna`` command: a clean environment and a database to use.

The command reads ``LUNA_*`` variables like any deployment; these fixtures make sure it
sees only what the test sets (the suite's own ``LUNA_TEST_*`` variables aside).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from luna.cli import output
from luna.settings import Settings
from tests.conftest import TEST_SECRET


@pytest.fixture
def clean_cli_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ``LUNA_*`` variable of the machine's, a wide terminal, the test's own directory."""
    for name in list(os.environ):
        if name.startswith("LUNA_") and not name.startswith("LUNA_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    wide_terminal(monkeypatch)


def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables print 200 columns wide: the consoles were made when the CLI was imported,
    with whatever width the test runner's environment had then (80 under pytest-xdist)."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(output.console, "width", 200)
    monkeypatch.setattr(output.errors, "width", 200)


@pytest.fixture
def cli_environment(
    clean_cli_environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A clean environment with the test secret key and the test's data directory."""
    monkeypatch.setenv("LUNA_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("LUNA_DATA_DIR", str(tmp_path))


@pytest.fixture
def database(
    cli_environment: None, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> Settings:
    """A migrated database the command is pointed at."""
    monkeypatch.setenv("LUNA_DATABASE_URL", settings.resolved_database_url)
    return settings
