"""Share links of runs: created by members, opened by anyone, redacted, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.agents.models import Agent
from luna.runs.models import Run
from luna.runs.steps import StepRecord, recorded_steps
from luna.sharing.models import RunShare
from luna.tenancy.models import AuditEvent
from tests.accounts import STRONG_PASSWORD
from tests.conftest import browser_client
from tests.onboarding.test_routes import create_agent
from tests.runs.conftest import parse_events
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio

API_KEY = "sk-ant-api03-Zx9VbQ2mLp7RtY4kWn8sJd3fHg6cA1eU0oI5"
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXZhbHVl"
SECRETS = (API_KEY, "eyJhbGciOiJIUzI1NiJ9", "hunter2", "ada@example.com")


def shares_url(workspace_id: str, run_id: str, *parts: str) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/runs/{run_id}/shares", *parts])


def public_url(token: str, *parts: str) -> str:
    return "/".join([f"/api/v1/shared/runs/{token}", *parts])


def _steps(start: datetime) -> list[StepRecord]:
    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    request = StepRecord(
        key="req:1",
        kind="model_request",
        name="claude-sonnet-4-6",
        started_at=at(0),
        ended_at=at(1),
        content={
            "request": [{"part_kind": "user-prompt", "content": "Weather, for ada@example.com"}]
        },
        tokens_in=100,
        tokens_out=20,
        cost_usd=Decimal("0.0006"),
    )
    call = StepRecord(
        key="req:1/call:c1",
        kind="tool_call",
        name="weather",
        started_at=at(1),
        ended_at=at(1),
        parent_key="req:1",
        content={"tool_call_id": "c1", "arguments": {"city": "Paris", "api_key": API_KEY}},
    )
    result = StepRecord(
        key="req:1/call:c1/result",
        kind="tool_result",
        name="weather",
        started_at=at(1),
        ended_at=at(2),
        parent_key="req:1/call:c1",
        content={
            "tool_call_id": "c1",
            "result": {"forecast": "sunny", "echo": f"sent Authorization: {BEARER}"},
        },
    )
    final = StepRecord(
        key="final", kind="final", started_at=at(2.5), content={"text": "Sunny in Paris."}
    )
    return [request, call, result, final]


@dataclass
class StoredRun:
    id: str
    node_count: int


async def store_run(
    app: FastAPI, client: httpx.AsyncClient, workspace_id: str, status: str = "succeeded"
) -> StoredRun:
    """A run with a tool call whose arguments hold an API key and whose result holds a
    bearer token, written as the run engine would have stored it."""
    agent_id = await create_agent(client, workspace_id)
    start = datetime.now(UTC) - timedelta(minutes=5)
    steps = _steps(start)
    async with app.state.resources.session_factory() as session:
        agent = await session.get(Agent, agent_id)
        assert agent is not None and agent.current_version_id is not None
        run = Run(
            workspace_id=workspace_id,
            agent_id=agent_id,
            agent_version_id=agent.current_version_id,
            status=status,
            input={"value": {"question": "Weather?", "password": "hunter2"}},
            output={"text": "Sunny in Paris."} if status == "succeeded" else None,
            created_at=start,
            started_at=start,
            finished_at=start + timedelta(seconds=3) if status == "succeeded" else None,
            step_count=len(steps),
            tokens_in=100,
            tokens_out=20,
            model="claude-sonnet-4-6",
        )
        session.add(run)
        await session.flush()
        session.add_all(recorded_steps(steps, run_id=run.id, workspace_id=workspace_id))
        await session.commit()
        return StoredRun(id=run.id, node_count=len(steps))


async def create_share(
    client: httpx.AsyncClient, workspace_id: str, run_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(shares_url(workspace_id, run_id), json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def anonymous(app: FastAPI) -> httpx.AsyncClient:
    """A browser with no cookies at all, from another address."""
    return browser_client(app)


async def test_an_owner_shares_a_run_and_anyone_with_the_link_sees_it_redacted(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)

    share = await create_share(client, owner.workspace_id, run.id)
    assert share["url"].endswith(f"/app/share/{share['token']}")
    assert share["active"] is True and share["expires_at"] is None
    assert len(share["token"]) >= 43

    async with anonymous(app) as visitor:
        summary = await visitor.get(public_url(share["token"]))
        graph = await visitor.get(public_url(share["token"], "graph"))
        assert not visitor.cookies
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["id"] == run.id and body["status"] == "succeeded"
    assert body["input"] == {"question": "Weather?", "password": "[redacted]"}
    assert body["agent_name"]
    for hidden in ("workspace_id", "agent_id", "provider_id", "agent_version_id"):
        assert hidden not in body

    assert graph.status_code == 200, graph.text
    nodes = {node["kind"]: node for node in graph.json()["nodes"]}
    assert len(graph.json()["nodes"]) == run.node_count
    assert len(graph.json()["edges"]) >= 3
    assert nodes["tool_call"]["content"]["arguments"] == {"city": "Paris", "api_key": "[redacted]"}
    assert nodes["tool_result"]["content"]["result"]["echo"] == (
        "sent Authorization: Bearer [redacted]"
    )
    assert "a***@example.com" in str(nodes["model_request"]["content"])
    for secret in SECRETS:
        assert secret not in summary.text and secret not in graph.text


async def test_the_members_view_keeps_what_was_recorded(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with anonymous(app) as visitor:
        assert (await visitor.get(public_url(share["token"], "graph"))).status_code == 200
        assert (
            await visitor.get(public_url(share["token"], "replay"), params={"speed": 64})
        ).status_code == 200

    members = await client.get(f"/api/v1/workspaces/{owner.workspace_id}/runs/{run.id}/graph")
    assert API_KEY in members.text and "eyJhbGciOiJIUzI1NiJ9" in members.text
    assert members.json()["run"]["input"]["password"] == "hunter2"


async def test_the_public_replay_streams_the_redacted_steps_then_end(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)

    async with anonymous(app) as visitor:
        response = await visitor.get(public_url(share["token"], "replay"), params={"speed": 64})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    assert [event.event for event in events] == ["step"] * run.node_count + ["end"]
    assert [event.id for event in events[:-1]] == list(range(1, run.node_count + 1))
    assert events[-1].data["agent_name"] and "workspace_id" not in events[-1].data
    for secret in SECRETS:
        assert secret not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"].startswith("noindex")


async def test_public_answers_are_neither_cached_nor_indexed(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with anonymous(app) as visitor:
        for path in (public_url(share["token"]), public_url(share["token"], "graph")):
            response = await visitor.get(path)
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-robots-tag"].startswith("noindex")
            # Anonymous API requests are rate-limited per address.
            assert "ratelimit-limit" in response.headers
        missing = await visitor.get(public_url("x" * 43))
    assert missing.headers["x-robots-tag"].startswith("noindex")
    assert missing.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("suffix", ["", "/graph", "/replay"])
async def test_an_unknown_token_is_a_404_problem(app: FastAPI, suffix: str) -> None:
    async with anonymous(app) as visitor:
        for token in ("x" * 43, "short", "y" * 500):
            response = await visitor.get(f"/api/v1/shared/runs/{token}{suffix}")
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("not-found")


async def test_a_revoked_link_stops_working_and_revoking_again_is_harmless(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    kept = await create_share(client, owner.workspace_id, run.id)

    revoked = await client.delete(shares_url(owner.workspace_id, run.id, share["id"]))
    assert revoked.status_code == 204
    again = await client.delete(shares_url(owner.workspace_id, run.id, share["id"]))
    assert again.status_code == 204

    async with anonymous(app) as visitor:
        unknown = await visitor.get(public_url("z" * 43))
        for suffix in ("", "/graph", "/replay"):
            gone = await visitor.get(public_url(share["token"]) + suffix)
            assert gone.status_code == 404
            assert gone.json()["detail"] == unknown.json()["detail"]
        assert (await visitor.get(public_url(kept["token"]))).status_code == 200

    listed = (await client.get(shares_url(owner.workspace_id, run.id))).json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert [item["id"] for item in listed] == [kept["id"], share["id"]]
    assert by_id[share["id"]]["active"] is False and by_id[share["id"]]["revoked_at"]
    assert by_id[kept["id"]]["active"] is True
    assert all("token" not in item and "url" not in item for item in listed)

    async with app.state.resources.session_factory() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.action.like("run.share_%"))
            )
        )
    assert sorted(actions) == ["run.share_created", "run.share_created", "run.share_revoked"]


async def test_an_expired_link_is_a_404(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id, expires_in_days=2)
    created = datetime.fromisoformat(share["created_at"])
    assert datetime.fromisoformat(share["expires_at"]) == created + timedelta(days=2)

    async with anonymous(app) as visitor:
        clock.advance(days=1, hours=23)
        assert (await visitor.get(public_url(share["token"], "graph"))).status_code == 200
        clock.advance(hours=1, seconds=1)
        for suffix in ("", "/graph", "/replay"):
            assert (await visitor.get(public_url(share["token"]) + suffix)).status_code == 404
    # Two days on, the owner signs in again to see the link listed as expired.
    signed_in = await client.post(
        "/api/v1/auth/login", json={"email": owner.email, "password": STRONG_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    listed = (await client.get(shares_url(owner.workspace_id, run.id))).json()["items"]
    assert listed[0]["active"] is False and listed[0]["revoked_at"] is None


async def test_views_are_counted(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with anonymous(app) as visitor:
        await visitor.get(public_url(share["token"], "graph"))
        await visitor.get(public_url(share["token"], "graph"))
    listed = (await client.get(shares_url(owner.workspace_id, run.id))).json()["items"]
    assert listed[0]["view_count"] == 2 and listed[0]["last_viewed_at"] is not None


async def test_only_a_hash_of_the_token_is_stored(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with app.state.resources.session_factory() as session:
        stored = await session.scalar(select(RunShare).where(RunShare.id == share["id"]))
    assert stored is not None and share["id"].startswith("shr_")
    assert share["token"] not in stored.token_hash and len(stored.token_hash) == 64


@pytest.mark.parametrize("status", ["running", "queued", "waiting_approval"])
async def test_a_run_that_has_not_finished_cannot_be_shared(
    app: FastAPI, client: httpx.AsyncClient, sign_up, status: str
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id, status=status)
    response = await client.post(shares_url(owner.workspace_id, run.id), json={})
    assert response.status_code == 409, response.text
    assert response.json()["reason"] == "run-not-finished"


async def test_an_expiry_out_of_range_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    for days in (0, 366):
        response = await client.post(
            shares_url(owner.workspace_id, run.id), json={"expires_in_days": days}
        )
        assert response.status_code == 422


async def test_a_viewer_lists_links_but_cannot_create_or_revoke_them(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with teammate(app, owner.team_id, "vera@example.com", "viewer") as vera:
        assert (
            await vera.http.post(shares_url(owner.workspace_id, run.id), json={})
        ).status_code == 403
        listed = await vera.http.get(shares_url(owner.workspace_id, run.id))
        assert listed.status_code == 200 and len(listed.json()["items"]) == 1
        refused = await vera.http.delete(shares_url(owner.workspace_id, run.id, share["id"]))
        assert refused.status_code == 403
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        made = await mia.http.post(shares_url(owner.workspace_id, run.id), json={})
        assert made.status_code == 201, made.text


async def test_another_workspace_sees_none_of_the_links(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with browser_client(app) as other:
        signed = await other.post(
            "/api/v1/auth/signup",
            json={
                "email": "eve@example.com",
                "password": STRONG_PASSWORD,
                "display_name": "Eve",
            },
        )
        assert signed.status_code == 201
        own_workspace = signed.json()["teams"][0]["workspaces"][0]["id"]
        for workspace_id in (owner.workspace_id, own_workspace):
            assert (await other.post(shares_url(workspace_id, run.id), json={})).status_code == 404
            assert (await other.get(shares_url(workspace_id, run.id))).status_code == 404
            deleted = await other.delete(shares_url(workspace_id, run.id, share["id"]))
            assert deleted.status_code == 404
    own_run = await store_run(app, client, owner.workspace_id)
    # A link is revoked only through its own run.
    elsewhere = await client.delete(shares_url(owner.workspace_id, own_run.id, share["id"]))
    assert elsewhere.status_code == 404
    async with anonymous(app) as visitor:
        assert (await visitor.get(public_url(share["token"]))).status_code == 200


async def test_deleting_the_run_removes_its_links(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    share = await create_share(client, owner.workspace_id, run.id)
    async with app.state.resources.session_factory() as session:
        stored = await session.get(Run, run.id)
        await session.delete(stored)
        await session.commit()
        assert await session.scalar(select(RunShare).where(RunShare.id == share["id"])) is None
    async with anonymous(app) as visitor:
        assert (await visitor.get(public_url(share["token"]))).status_code == 404
