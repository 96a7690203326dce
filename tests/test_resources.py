"""A process's resources are built once, read by the API from one typed object, used by
the CLI the same way, and all closed at the end, even when the block that uses them fails."""

from __future__ import annotations

import pytest
import typer
from fastapi import FastAPI
from sqlalchemy import text

from luna.cli.db import with_engine
from luna.cli.output import ExitCode
from luna.resources import Resources, open_resources
from luna.settings import Settings

pytestmark = pytest.mark.anyio


class Stop(Exception):
    """The block failing."""


async def use_then_fail(settings: Settings, opened: list[Resources]) -> None:
    async with open_resources(settings) as shared:
        opened.append(shared)
        async with shared.session_factory() as session:
            assert await session.scalar(text("SELECT 1")) == 1
        assert shared.run_runtime().session_factory is shared.session_factory
        raise Stop


async def test_resources_are_usable_then_closed_even_after_a_failure(settings: Settings) -> None:
    opened: list[Resources] = []

    with pytest.raises(Stop):
        await use_then_fail(settings, opened)

    [shared] = opened
    assert shared.http_client.is_closed
    assert shared.engine.pool.checkedout() == 0


async def test_the_application_state_holds_the_resources_and_nothing_loose(app: FastAPI) -> None:
    """What the request path reads comes from one typed object; the other entries are
    what the application is created with (its middleware needs them before it starts)."""
    assert set(app.state._state) <= {"settings", "keyring", "caches", "resources", "path_methods"}
    resources: Resources = app.state.resources
    assert resources.caches is app.state.caches
    assert resources.keyring is app.state.keyring
    assert resources.run_feeds is resources.run_feeds
    assert resources.run_dispatcher().queue is resources.run_queue


async def test_the_cli_refuses_unusable_keys_before_touching_the_database(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = settings.model_copy(update={"encryption_key_current": "missing"})

    with pytest.raises(typer.Exit) as exited:
        with_engine(broken, lambda engine: pytest.fail("the database was reached"))

    assert exited.value.exit_code == ExitCode.INVALID_CONFIG
    assert "encryption keys are not usable" in " ".join(capsys.readouterr().err.split())
