"""A process's resources are built once, read by the API from one typed object, used by
the CLI the same way, and all closed at the end, even when the block that uses them fails."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from sqlalchemy import text

from luna.agents.catalog import Catalog
from luna.app import create_app, luna_routes
from luna.cli.db import with_engine
from luna.cli.output import ExitCode
from luna.deps import get_catalog
from luna.resources import Resources, open_resources
from luna.settings import Settings
from tests.conftest import browser_client, make_settings

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


async def test_apps_share_the_routes_and_each_keeps_its_own_overrides(
    settings: Settings, tmp_path: Path
) -> None:
    """The routes are built once per process for every app (tests build hundreds); each
    app's dependency overrides still apply to its own requests only, even at once."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = make_settings(elsewhere, f"sqlite:///{elsewhere / 'luna.db'}")
    first, second = create_app(settings), create_app(other)
    shared = {id(route) for route in luna_routes()}
    for app in (first, second):
        assert sum(id(route) in shared for route in app.routes) == len(shared) > 0
    first.dependency_overrides[get_catalog] = lambda: Catalog([])
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        browser_client(first) as overridden,
        browser_client(second) as plain,
    ):
        answers = await asyncio.gather(
            *(client.get("/api/v1/catalog/agents") for client in (overridden, plain) * 3)
        )
    sizes = [len(answer.json()["items"]) for answer in answers]
    assert sizes[0::2] == [0, 0, 0]
    assert all(size > 0 for size in sizes[1::2])
