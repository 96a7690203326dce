"""The run queue: a workspace runs at most its concurrency at once, and its backlog never
holds up another workspace; a run stranded before it was queued is queued by the sweep."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.runs.models import Run
from luna.runs.sweep import enqueue_stranded_runs
from luna.settings import Settings
from tests.runs.conftest import Worker, json_of
from tests.runs.test_routes import create_url, wait_for_status
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One run at a time per workspace."""
    return Settings.model_validate(settings.model_dump() | {"run_concurrency_per_workspace": 1})


async def test_one_workspace_backlog_does_not_hold_up_another(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    busy = await sign_up("busy@example.com")
    busy_agent = await openai_setup(client, busy, openai_standin)
    client.cookies.clear()
    other = await sign_up("other@example.com")
    other_agent = await openai_setup(client, other, openai_standin)

    def respond(body: dict[str, Any]) -> Turn:
        prompt = body["messages"][-1]["content"]
        return Turn(text="slow", first_byte_delay=1.5) if prompt == "slow" else Turn(text="fast")

    openai_standin.respond_with(respond)
    client.cookies.clear()
    await sign_in(client, "busy@example.com")
    url = create_url(busy.workspace_id, busy_agent)
    first = await json_of(await client.post(url, json={"input": "slow"}), 202)
    second = await json_of(await client.post(url, json={"input": "slow"}), 202)
    await wait_for_status(client, busy.workspace_id, first["id"], "running")

    client.cookies.clear()
    await sign_in(client, "other@example.com")
    elsewhere = await json_of(
        await client.post(
            create_url(other.workspace_id, other_agent), json={"input": "fast", "mode": "wait"}
        )
    )
    assert elsewhere["status"] == "succeeded"

    client.cookies.clear()
    await sign_in(client, "busy@example.com")
    waiting = await json_of(
        await client.get(f"/api/v1/workspaces/{busy.workspace_id}/runs/{second['id']}")
    )
    assert waiting["status"] == "queued"  # its workspace's one slot is taken
    done = await wait_for_status(client, busy.workspace_id, second["id"], "succeeded", within=30)
    finished_first = await wait_for_status(client, busy.workspace_id, first["id"], "succeeded")
    assert done["started_at"] >= finished_first["finished_at"]


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    from tests.accounts import STRONG_PASSWORD

    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200, response.text


async def test_the_sweep_queues_a_run_whose_enqueue_was_lost(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await sign_up()
    agent_id = await openai_setup(client, account, openai_standin)
    openai_standin.script(Turn(text="Recovered."))

    async def lost(**_: Any) -> None:
        raise ConnectionError("the system database is unreachable")

    monkeypatch.setattr(app.state.resources.run_queue, "enqueue", lost)
    run = await json_of(
        await client.post(create_url(account.workspace_id, agent_id), json={"input": "x"}), 202
    )
    monkeypatch.undo()
    await asyncio.sleep(0.3)
    still = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{run['id']}")
    )
    assert still["status"] == "queued"
    async with app.state.resources.session_factory() as session:  # queued long enough ago
        stored = await session.get(Run, run["id"])
        assert stored is not None
        stored.created_at -= timedelta(minutes=1)
        await session.commit()

    swept = await enqueue_stranded_runs(
        session_factory=app.state.resources.session_factory, queue=app.state.resources.run_queue
    )

    assert swept == 1
    finished = await wait_for_status(client, account.workspace_id, run["id"], "succeeded")
    assert finished["output"] == {"text": "Recovered."}
