"""Fixtures for schedules: a workspace provider on the local model stand-in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest

from tests.accounts import Account
from tests.runs.local_agents import local_provider
from tests.standins import OpenAIStandin


@pytest.fixture
def local_model(client: httpx.AsyncClient) -> Iterator[Callable[[Account], Awaitable[None]]]:
    """Gives an account's workspace a provider (a model stand-in nothing calls here)."""
    with OpenAIStandin() as standin:

        async def add(account: Account) -> None:
            await local_provider(client, account.workspace_id, standin)

        yield add
