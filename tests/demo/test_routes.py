"""A team's demo workspace: seeded with one request, replayable, kept out of the plan."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from luna.demo.scenarios import HISTORY_DAYS
from luna.tenancy.models import Workspace
from tests.runs.conftest import parse_events
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio


def demo_url(team_id: str) -> str:
    return f"/api/v1/teams/{team_id}/demo"


async def seed(client: httpx.AsyncClient, team_id: str) -> dict[str, Any]:
    response = await client.post(demo_url(team_id))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def all_runs(client: httpx.AsyncClient, workspace_id: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"/api/v1/workspaces/{workspace_id}/runs", params=params)).json()
        runs += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return runs


def run_with_input(runs: list[dict[str, Any]], start: str) -> list[dict[str, Any]]:
    return [run for run in runs if str(run["input"]).startswith(start)]


async def test_one_request_seeds_a_labelled_demo_workspace_once(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    workspace = await seed(client, owner.team_id)
    assert workspace["demo"] is True
    assert workspace["name"].startswith("Demo")

    again = await client.post(demo_url(owner.team_id))
    assert again.status_code == 200
    assert again.json()["id"] == workspace["id"]
    me = (await client.get("/api/v1/me")).json()
    listed = {ws["id"]: ws["demo"] for ws in me["teams"][0]["workspaces"]}
    assert listed == {owner.workspace_id: False, workspace["id"]: True}
    agents = (await client.get(f"/api/v1/workspaces/{workspace['id']}/agents")).json()["items"]
    assert len(agents) == 4
    audit = (await client.get(f"/api/v1/teams/{owner.team_id}/audit-log")).json()["items"]
    assert [event["action"] for event in audit].count("demo.seeded") == 1


async def test_simultaneous_requests_seed_one_demo_workspace(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()

    responses = await asyncio.gather(*(client.post(demo_url(owner.team_id)) for _ in range(4)))

    assert sorted(response.status_code for response in responses) == [200, 200, 200, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    me = (await client.get("/api/v1/me")).json()
    assert [ws["demo"] for ws in me["teams"][0]["workspaces"]].count(True) == 1
    audit = (await client.get(f"/api/v1/teams/{owner.team_id}/audit-log")).json()["items"]
    assert [event["action"] for event in audit].count("demo.seeded") == 1


async def test_the_database_holds_one_demo_workspace_per_team(app: FastAPI, sign_up) -> None:
    owner = await sign_up()
    async with app.state.resources.session_factory() as session:
        session.add(Workspace(team_id=owner.team_id, name="Demo one", demo=True))
        await session.commit()
        session.add(Workspace(team_id=owner.team_id, name="Demo two", demo=True))
        with pytest.raises(IntegrityError):
            await session.commit()
        await session.rollback()
        session.add(Workspace(team_id=owner.team_id, name="Not a demo", demo=False))
        await session.commit()


async def test_the_recorded_runs_tell_their_story_through_the_graph(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    workspace = await seed(client, owner.team_id)
    runs = await all_runs(client, workspace["id"])

    review = run_with_input(runs, "Review pull request #482")[0]
    graph = await client.get(f"/api/v1/workspaces/{workspace['id']}/runs/{review['id']}/graph")
    assert graph.status_code == 200, graph.text
    nodes = graph.json()["nodes"]
    kinds = [node["kind"] for node in nodes]
    assert kinds.count("model_request") == 3
    assert kinds.count("tool_call") == 3 and kinds.count("tool_result") == 3
    assert "thinking" in kinds and kinds[-1] == "final"
    assert sum(node["tokens_in"] for node in nodes) == review["tokens_in"]
    assert review["step_count"] == len(nodes)
    confident = [node["confidence"] for node in nodes if node["kind"] == "model_request"]
    assert all(0 < value <= 1 for value in confident)
    edges = {(edge["source"], edge["target"]) for edge in graph.json()["edges"]}
    requests = [node["id"] for node in nodes if node["kind"] == "model_request"]
    results = {
        node["content"]["tool_call_id"]: node["id"]
        for node in nodes
        if node["kind"] == "tool_result"
    }
    # Both parallel tool results lead to the second model request.
    assert (results["call_diff"], requests[1]) in edges
    assert (results["call_ci"], requests[1]) in edges

    failed, retried = sorted(
        run_with_input(runs, "Run the payment service's integration tests"),
        key=lambda run: run["created_at"],
    )
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "provider-unavailable"
    assert retried["status"] == "succeeded"
    assert retried["parent_run_id"] == failed["id"]


async def test_a_recorded_run_replays_without_any_provider(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    workspace = await seed(client, owner.team_id)
    assert (await client.get(f"/api/v1/workspaces/{workspace['id']}/providers")).json()[
        "items"
    ] == []
    runs = await all_runs(client, workspace["id"])
    guide = run_with_input(runs, "Document how webhook deliveries")[0]

    replay = await client.get(
        f"/api/v1/workspaces/{workspace['id']}/runs/{guide['id']}/replay", params={"speed": 16}
    )

    assert replay.status_code == 200, replay.text
    events = parse_events(replay.text)
    steps = [event.data for event in events if event.event == "step"]
    assert [step["sequence"] for step in steps] == list(range(1, guide["step_count"] + 1))
    assert [step["kind"] for step in steps] == ["model_request", "thinking", "text", "final"]
    assert events[-1].event == "end"


async def test_weeks_of_usage_show_in_the_demo_workspace_and_nowhere_else(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    workspace = await seed(client, owner.team_id)

    demo_usage = (await client.get(f"/api/v1/workspaces/{workspace['id']}/usage")).json()
    real_usage = (await client.get(f"/api/v1/workspaces/{owner.workspace_id}/usage")).json()

    busy_days = [row for row in demo_usage["rows"] if row["runs"] > 0]
    assert len(busy_days) >= HISTORY_DAYS // 2
    assert demo_usage["totals"]["runs"] > 50
    assert real_usage["totals"]["runs"] == 0
    billing = (await client.get(f"/api/v1/teams/{owner.team_id}/billing")).json()
    used = {row["entitlement"]: row["used"] for row in billing["usage"]}
    assert used["active-agents"] == 0
    assert used["workspaces"] == 1
    assert used["runs-per-day"] == 0
    # The Starter plan's one active agent is still free for real work.
    created = await client.post(
        f"/api/v1/workspaces/{owner.workspace_id}/agents", json={"template": "code-review"}
    )
    assert created.status_code == 201, created.text


async def test_removing_the_demo_deletes_everything_in_it(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    workspace = await seed(client, owner.team_id)

    removed = await client.delete(demo_url(owner.team_id))

    assert removed.status_code == 204
    gone = await client.get(f"/api/v1/workspaces/{workspace['id']}/runs")
    assert gone.status_code == 404
    async with app.state.resources.session_factory() as session:
        from sqlalchemy import func, select

        from luna.runs.models import Run, RunStep

        assert await session.scalar(select(func.count()).select_from(Run)) == 0
        assert await session.scalar(select(func.count()).select_from(RunStep)) == 0
    again = await client.delete(demo_url(owner.team_id))
    assert again.status_code == 404


async def test_only_owners_and_admins_of_the_team_seed_or_remove_it(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        assert (await mia.http.post(demo_url(owner.team_id))).status_code == 403
        assert (await mia.http.delete(demo_url(owner.team_id))).status_code == 403
    stranger = await sign_up("eve@example.com")
    assert (await client.post(demo_url(owner.team_id))).status_code == 404
    assert (await client.post(demo_url(stranger.team_id))).status_code == 201
