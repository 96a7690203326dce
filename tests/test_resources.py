"""A process's resources are built once and all closed at the end, even when the block
that uses them fails."""

from __future__ import annotations

import pytest
from sqlalchemy import text

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
