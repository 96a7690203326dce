"""The onboarding wizard's progress: steps, resuming, other workspaces, skipping."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from luna.agents.catalog import load_catalog
from tests.conftest import browser_client
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio

STARTER = next(agent for agent in load_catalog() if agent.plan == "starter")


def onboarding_url(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/onboarding"


async def create_agent(client: httpx.AsyncClient, workspace_id: str) -> str:
    response = await client.post(
        f"/api/v1/workspaces/{workspace_id}/agents", json={"template": STARTER.slug}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def create_provider(client: httpx.AsyncClient, workspace_id: str) -> str:
    response = await client.post(
        f"/api/v1/workspaces/{workspace_id}/providers",
        json={
            "name": "On this machine",
            "kind": "openai_compatible",
            "base_url": "http://127.0.0.1:11434/v1",
            "default_model": "llama3.2",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def progress(client: httpx.AsyncClient, workspace_id: str) -> dict:
    response = await client.get(onboarding_url(workspace_id))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def record(client: httpx.AsyncClient, workspace_id: str, **changes: object) -> dict:
    response = await client.patch(onboarding_url(workspace_id), json=changes)
    assert response.status_code == 200, response.text
    return dict(response.json())


def done(body: dict) -> dict[str, bool]:
    return {step["key"]: step["done"] for step in body["steps"]}


async def test_a_new_workspace_starts_at_choosing_an_agent(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    body = await progress(client, account.workspace_id)
    assert done(body) == {"agent": False, "provider": False, "run": False}
    assert body["current_step"] == "agent"
    assert body["started_at"] is None
    assert body["completed_at"] is None
    assert body["dismissed"] is False


async def test_the_three_steps_complete_and_resume_after_signing_in_again(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent_id = await create_agent(client, account.workspace_id)

    picked = await record(client, account.workspace_id, agent_id=agent_id)
    assert done(picked) == {"agent": True, "provider": False, "run": False}
    assert picked["current_step"] == "provider"
    assert picked["started_at"] is not None

    provider_id = await create_provider(client, account.workspace_id)
    connected = await record(client, account.workspace_id, provider_id=provider_id)
    assert connected["current_step"] == "run"
    assert connected["completed_at"] is None

    run = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs",
        json={"input": "Review this pull request."},
    )
    assert run.status_code in (201, 202), run.text
    finished = await record(client, account.workspace_id, run_id=run.json()["id"])
    assert finished["current_step"] is None
    assert finished["completed_at"] is not None

    async with browser_client(app) as later:
        signed_in = await later.post(
            "/api/v1/auth/login",
            json={"email": account.email, "password": "correct horse battery staple"},
        )
        assert signed_in.status_code == 200, signed_in.text
        resumed = await progress(later, account.workspace_id)
    assert resumed == finished


async def test_a_provider_a_teammate_connected_counts_but_their_agent_does_not(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    await record(
        client, owner.workspace_id, agent_id=await create_agent(client, owner.workspace_id)
    )
    await create_provider(client, owner.workspace_id)
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        theirs = await progress(mia.http, owner.workspace_id)
    assert done(theirs) == {"agent": False, "provider": True, "run": False}
    assert theirs["current_step"] == "agent"
    assert done(await progress(client, owner.workspace_id))["agent"] is True


async def test_ids_of_another_workspace_are_refused_and_nothing_is_written(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    their_agent = await create_agent(client, owner.workspace_id)
    async with browser_client(app) as intruder_client:
        signed = await intruder_client.post(
            "/api/v1/auth/signup",
            json={
                "email": "eve@example.com",
                "password": "correct horse battery staple",
                "display_name": "Eve",
            },
        )
        assert signed.status_code == 201
        intruder_workspace = signed.json()["teams"][0]["workspaces"][0]["id"]
        for field, value in (("agent_id", their_agent), ("run_id", "run_missing")):
            response = await intruder_client.patch(
                onboarding_url(intruder_workspace), json={field: value}
            )
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["pointer"] == f"#/{field}"
        untouched = await progress(intruder_client, intruder_workspace)
        assert untouched["started_at"] is None
        assert untouched["agent_id"] is None
        # The owner's workspace is not the intruder's to read or write.
        assert (await intruder_client.get(onboarding_url(owner.workspace_id))).status_code == 404
        assert (
            await intruder_client.patch(
                onboarding_url(owner.workspace_id), json={"dismissed": True}
            )
        ).status_code == 404


async def test_skipping_the_wizard_is_remembered_and_can_be_undone(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    assert (await record(client, account.workspace_id, dismissed=True))["dismissed"] is True
    assert (await progress(client, account.workspace_id))["dismissed"] is True
    assert (await record(client, account.workspace_id, dismissed=False))["dismissed"] is False


async def test_deleting_the_picked_agent_reopens_its_step(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent_id = await create_agent(client, account.workspace_id)
    await record(client, account.workspace_id, agent_id=agent_id)
    deleted = await client.delete(f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}")
    assert deleted.status_code == 204, deleted.text
    body = await progress(client, account.workspace_id)
    assert body["agent_id"] is None
    assert body["current_step"] == "agent"


async def test_unknown_fields_are_refused(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    response = await client.patch(onboarding_url(account.workspace_id), json={"step": "run"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_api_keys_have_no_onboarding(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    created = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/api-keys",
        json={"name": "CI", "scopes": ["admin"]},
    )
    key = created.json()["key"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api",
        headers={"Authorization": f"Bearer {key}"},
    ) as sdk:
        response = await sdk.get(onboarding_url(account.workspace_id))
    assert response.status_code == 403


async def test_a_viewer_sees_the_progress_but_records_nothing(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    async with teammate(app, owner.team_id, "vera@example.com", "viewer") as vera:
        assert (await vera.http.get(onboarding_url(owner.workspace_id))).status_code == 200
        refused = await vera.http.patch(
            onboarding_url(owner.workspace_id), json={"dismissed": True}
        )
    assert refused.status_code == 403
