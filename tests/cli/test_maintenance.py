"""``luna maintenance on|off|status`` against a real database."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from luna.cli.main import app
from luna.cli.output import ExitCode
from luna.db.engine import create_engine, create_session_factory
from luna.security.maintenance import (
    BYPASS_HEADER,
    MAX_MESSAGE_LENGTH,
    MaintenanceState,
    get_maintenance,
    maintenance_bypass_token,
)
from luna.settings import Settings

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_environment")


def stored_state(settings: Settings) -> MaintenanceState:
    async def read() -> MaintenanceState:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session:
                return await get_maintenance(session)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_on_stores_the_flag_and_prints_the_bypass_header(database: Settings) -> None:
    result = runner.invoke(app, ["maintenance", "on", "--message", "Moving to a bigger server."])

    assert result.exit_code == 0, result.output
    state = stored_state(database)
    assert state.enabled
    assert state.message == "Moving to a bigger server."
    assert f"{BYPASS_HEADER}: {maintenance_bypass_token(database)}" in result.output


def test_status_shows_the_flag(database: Settings) -> None:
    before = runner.invoke(app, ["maintenance", "status"])
    assert before.exit_code == 0, before.output
    assert "Maintenance mode: off" in before.output

    runner.invoke(app, ["maintenance", "on", "-m", "Back at [noon]."])
    during = runner.invoke(app, ["maintenance", "status"])

    assert during.exit_code == 0, during.output
    assert "Maintenance mode: on since" in during.output
    assert "Back at [noon]." in during.output


def test_off_turns_the_flag_off(database: Settings) -> None:
    runner.invoke(app, ["maintenance", "on"])
    result = runner.invoke(app, ["maintenance", "off"])

    assert result.exit_code == 0, result.output
    assert not stored_state(database).enabled
    assert "Maintenance mode: off" in runner.invoke(app, ["maintenance", "status"]).output


def test_an_overlong_message_is_refused(database: Settings) -> None:
    result = runner.invoke(app, ["maintenance", "on", "-m", "x" * (MAX_MESSAGE_LENGTH + 1)])

    assert result.exit_code == ExitCode.FAILURE
    assert "longer than" in result.output
    assert not stored_state(database).enabled


def test_an_unmigrated_database_is_reported(
    monkeypatch: pytest.MonkeyPatch, empty_database_settings: Settings
) -> None:
    monkeypatch.setenv("LUNA_DATABASE_URL", empty_database_settings.resolved_database_url)
    result = runner.invoke(app, ["maintenance", "status"])
    assert result.exit_code == ExitCode.DATABASE_NOT_READY
    assert "failed" in result.output
