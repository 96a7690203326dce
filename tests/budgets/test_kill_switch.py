"""The workspace's kill switch: engaged, it stops the chain runs and runs under way and
refuses new ones with a problem naming it; lifted, runs start again. A run that slipped
in while it was being engaged is cancelled by its worker before reaching the model."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from luna.db.base import utcnow
from luna.runs.runtime import RunRuntime
from luna.tenancy.models import Workspace
from luna.worker import executing_durable_work
from tests.billing.conftest import set_plan
from tests.chains.test_runs import HoldingStandin, bracketing_model, chain_of, start
from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import wait_for_status
from tests.standins import OpenAIStandin

pytestmark = pytest.mark.anyio


def switch_url(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/kill-switch"


async def test_engaging_stops_everything_under_way_and_refuses_new_runs_until_lifted(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    await set_plan(app, account.team_id, "growth")
    model = HoldingStandin()
    async with bracketing_model(client, account, model):
        chain = await chain_of(client, account, [("a", "b")])
        chain_run = await json_of(await start(client, account, chain, "go"), 201)
        agents = await json_of(
            await client.get(f"/api/v1/workspaces/{account.workspace_id}/agents")
        )
        runs = f"/api/v1/workspaces/{account.workspace_id}/agents/{agents['items'][0]['id']}/runs"
        run = await json_of(await client.post(runs, json={"input": "hello"}), 202)
        await wait_for_status(client, account.workspace_id, run["id"], "running", within=30)

        engaged = await client.put(
            switch_url(account.workspace_id), json={"reason": "A runaway agent."}
        )
        refused = await client.post(runs, json={"input": "again"})
        refused_chain = await start(client, account, chain, "again")
        cancelled = await wait_for_status(
            client, account.workspace_id, run["id"], "cancelled", within=30
        )
        model.release.set()  # from now on it answers at once
        lifted = await json_of(await client.delete(switch_url(account.workspace_id)))
        again = await json_of(await client.post(runs, json={"input": "hello"}), 202)
        await wait_for_status(client, account.workspace_id, again["id"], "succeeded")

    assert lifted["engaged"] is False
    switch = await json_of(engaged)
    assert switch["engaged"] and switch["reason"] == "A runaway agent."
    assert (switch["runs_cancelled"], switch["chain_runs_cancelled"]) >= (1, 1)
    assert cancelled["error"]["code"] == "cancelled"
    chain_url = f"/api/v1/workspaces/{account.workspace_id}/chain-runs/{chain_run['id']}"
    assert (await json_of(await client.get(chain_url)))["status"] == "cancelled"
    for answer in (refused, refused_chain):
        assert answer.status_code == 409, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["type"] == "urn:luna:problem:runs-halted"
        assert "kill switch" in problem["detail"] and "A runaway agent." in problem["detail"]

    log = await json_of(await client.get(f"/api/v1/teams/{account.team_id}/audit-log"))
    actions = [event["action"] for event in log["items"] if event["action"].startswith("runs.")]
    assert actions == ["runs.resumed", "runs.halted"]


async def test_another_workspace_is_not_halted(client: httpx.AsyncClient, sign_up) -> None:
    ada = await sign_up()
    await json_of(await client.put(switch_url(ada.workspace_id), json={}))
    bob = await sign_up("bob@example.com")
    client.cookies = bob.cookies

    assert (await json_of(await client.get(switch_url(bob.workspace_id))))["engaged"] is False
    assert (await client.get(switch_url(ada.workspace_id))).status_code == 404
    assert (await client.delete(switch_url(ada.workspace_id))).status_code == 404


async def test_a_run_queued_before_the_switch_never_reaches_the_model(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent = await agent_with(client, account.workspace_id)
    runs = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent}/runs"
    # Queued while no worker runs; the switch is then set as a concurrent engagement would
    # have set it, after the run was stored and before any worker took it.
    queued = await json_of(await client.post(runs, json={"input": "hello"}), 202)
    async with app.state.resources.session_factory() as session:
        await session.execute(
            update(Workspace)
            .where(Workspace.id == account.workspace_id)
            .values(runs_halted_at=utcnow())
        )
        await session.commit()
    runtime = RunRuntime(
        settings=app.state.settings,
        session_factory=app.state.resources.session_factory,
        keyring=app.state.keyring,
        bus=app.state.resources.bus,
    )
    async with executing_durable_work(runtime):
        stopped = await wait_for_status(client, account.workspace_id, queued["id"], "cancelled")

    assert stopped["error"]["code"] == "runs-halted"
    assert openai_standin.model_calls == []
    steps = await json_of(await client.get(runs_url(account.workspace_id, queued["id"], "steps")))
    assert steps["items"] == []
