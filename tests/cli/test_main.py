"""The ``luna`` command: configuration errors, env, db and version commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from luna import __version__
from luna.cli.main import app
from luna.cli.output import ExitCode
from luna.settings import Settings

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("clean_cli_environment")


@pytest.fixture
def database_environment(
    monkeypatch: pytest.MonkeyPatch, empty_database_settings: Settings
) -> Settings:
    monkeypatch.setenv("LUNA_DATABASE_URL", empty_database_settings.resolved_database_url)
    return empty_database_settings


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"luna {__version__}"
    assert runner.invoke(app, ["--version"]).output.strip() == f"luna {__version__}"


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "env", "version"):
        assert command in result.output


def test_env_check_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNA_SECRET_KEY", "super-secret-value-that-is-long-enough-1234")
    monkeypatch.setenv("LUNA_DATABASE_URL", "postgresql://luna:db-password@db:5432/luna")
    monkeypatch.setenv("LUNA_REDIS_URL", "redis://:redis-password@cache:6379/0")
    result = runner.invoke(app, ["env", "check"])
    assert result.exit_code == 0, result.output
    assert "super-secret-value" not in result.output
    assert "db-password" not in result.output
    assert "redis-password" not in result.output
    assert "LUNA_SECRET_KEY" in result.output and "********" in result.output
    assert "Configuration is valid" in result.output


def test_env_check_names_each_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNA_DATABASE_URL", "nonsense")
    monkeypatch.setenv("LUNA_WEB_CONCURRENCY", "zero")
    result = runner.invoke(app, ["env", "check"])
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert "LUNA_DATABASE_URL" in result.output
    assert "LUNA_WEB_CONCURRENCY" in result.output


def test_env_example_documents_every_setting(tmp_path: Path) -> None:
    result = runner.invoke(app, ["env", "example", "--output", str(tmp_path / "x.env")])
    assert result.exit_code == 0
    text = (tmp_path / "x.env").read_text()
    for name in Settings.model_fields:
        assert f"LUNA_{name.upper()}=" in text


def test_committed_env_example_is_current() -> None:
    from luna.cli.env import example_text

    committed = Path(__file__).resolve().parents[2] / ".env.example"
    assert committed.read_text() == example_text(), "run `luna env example` and commit it"


def test_db_migrate_then_current(database_environment: Settings) -> None:
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == ExitCode.DATABASE_NOT_READY
    migrated = runner.invoke(app, ["db", "migrate"])
    assert migrated.exit_code == 0, migrated.output
    after = runner.invoke(app, ["db", "current"])
    assert after.exit_code == 0, after.output


def test_db_check_finds_no_drift(database_environment: Settings) -> None:
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_db_commands_report_an_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNA_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/luna")
    result = runner.invoke(app, ["db", "migrate"])
    assert result.exit_code == ExitCode.DATABASE_NOT_READY
    assert "failed" in result.output


def test_serve_refuses_an_unmigrated_postgres_database(database_environment: Settings) -> None:
    result = runner.invoke(app, ["serve", "--no-migrate"])
    assert result.exit_code == ExitCode.DATABASE_NOT_READY
    assert "luna db migrate" in result.output


def test_worker_refuses_an_unmigrated_database(database_environment: Settings) -> None:
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == ExitCode.DATABASE_NOT_READY
    assert "luna db migrate" in result.output
