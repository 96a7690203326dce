"""Runs that hold their team's run slots: a model slow to answer, and runs started in
the background. For the plan's limit on concurrent runs (``tests/billing``) and the runs
that wait for a slot (``tests/runs``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from luna.settings import Settings
from tests.accounts import Account
from tests.runs.conftest import json_of
from tests.runs.test_routes import create_url
from tests.standins import OpenAIStandin, Turn

SLOW_SECONDS = 1.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The queue lets three runs of a workspace through at once: the plan decides."""
    return settings.model_copy(update={"run_concurrency_per_workspace": 3})


def slow_model(standin: OpenAIStandin) -> None:
    def respond(body: dict[str, Any]) -> Turn:
        return Turn(text="done", first_byte_delay=SLOW_SECONDS)

    standin.respond_with(respond)


async def start_runs(
    client: httpx.AsyncClient, account: Account, agent_id: str, count: int, first: int = 0
) -> list[str]:
    """Start ``count`` runs in the background, with inputs "run {first}", "run {first+1}"..."""
    url = create_url(account.workspace_id, agent_id)
    return [
        (await json_of(await client.post(url, json={"input": f"run {n}"}), 202))["id"]
        for n in range(first, first + count)
    ]
