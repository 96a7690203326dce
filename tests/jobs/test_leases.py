"""Worker leases: one claimant per gone worker, a lost lease is noticed, and a run whose
worker is gone can always be cancelled."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from luna.db.base import utcnow
from luna.jobs import leases
from luna.runs.models import Run
from luna.settings import Settings
from tests.runs.conftest import json_of
from tests.runs.test_streaming import openai_setup
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio


async def test_an_expired_lease_is_claimed_by_exactly_one_worker(app: FastAPI) -> None:
    factory = app.state.resources.session_factory
    start = utcnow()
    await leases.take_lease(factory, executor_id="gone", host="a", pid=1, now=start)
    await leases.take_lease(factory, executor_id="alive", host="b", pid=2, now=start)
    later = start + timedelta(seconds=31)
    await leases.renew_lease(factory, executor_id="alive", now=later)

    claims = await asyncio.gather(
        *(leases.claim_expired_leases(factory, now=later, lease_seconds=30) for _ in range(4))
    )

    assert sorted(executor for claim in claims for executor in claim) == ["gone"]
    assert not await leases.renew_lease(factory, executor_id="gone", now=later)
    async with factory() as session:
        live = await leases.live_executors(
            session, ["gone", "alive", "never"], now=later, lease_seconds=30
        )
    assert live == {"alive"}


async def _running_run(
    client: httpx.AsyncClient, app: FastAPI, sign_up, standin: OpenAIStandin, executor: str
) -> tuple[str, str]:
    account = await sign_up()
    agent_id = await openai_setup(client, account, standin)
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    run = await json_of(await client.post(url, json={"input": "Review"}), 202)
    async with app.state.resources.session_factory() as session:
        await session.execute(
            update(Run).where(Run.id == run["id"]).values(status="running", executor_id=executor)
        )
        await session.commit()
    return account.workspace_id, run["id"]


async def test_cancel_ends_a_run_whose_worker_is_gone(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    workspace_id, run_id = await _running_run(client, app, sign_up, openai_standin, "gone-pod")

    cancelled = await client.post(f"/api/v1/workspaces/{workspace_id}/runs/{run_id}/cancel")

    assert (await json_of(cancelled))["status"] == "cancelled"


async def test_cancel_leaves_a_live_workers_run_to_its_worker(
    app: FastAPI,
    client: httpx.AsyncClient,
    sign_up,
    openai_standin: OpenAIStandin,
    settings: Settings,
) -> None:
    workspace_id, run_id = await _running_run(client, app, sign_up, openai_standin, "live-pod")
    await leases.take_lease(
        app.state.resources.session_factory, executor_id="live-pod", host="h", pid=1, now=utcnow()
    )

    answer = await client.post(f"/api/v1/workspaces/{workspace_id}/runs/{run_id}/cancel")

    body = await json_of(answer)
    assert body["status"] == "running"
    async with app.state.resources.session_factory() as session:
        run = await session.get(Run, run_id)
        assert run is not None and run.cancel_requested_at is not None
