"""Deleting one's own account: what goes, what stays, and what must be settled first."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.agents.models import Agent
from luna.billing.models import Subscription
from luna.identity.models import User
from luna.notifications.models import OutboxEmail
from luna.runs.models import Run
from luna.tenancy.models import AuditEvent, Membership, Team, Workspace
from tests.accounts import STRONG_PASSWORD, Account, MovableClock
from tests.agents.test_routes import DEFINITION, agents_url, create_agent
from tests.conftest import browser_client
from tests.identity.test_mfa import code_at, turn_on_mfa

pytestmark = pytest.mark.anyio


async def delete_account(
    client: httpx.AsyncClient, email: str = "ada@example.com", password: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"email": email, "password": password or STRONG_PASSWORD}
    return await client.request("DELETE", "/api/v1/me", json=body)


async def count(app: FastAPI, model: type, *where: Any) -> int:
    async with app.state.resources.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def sign_up_grace(browser: httpx.AsyncClient) -> httpx.Response:
    """Another person, in a browser of their own."""
    signed = await browser.post(
        "/api/v1/auth/signup",
        json={"email": "grace@example.com", "password": STRONG_PASSWORD, "display_name": "G"},
    )
    assert signed.status_code == 201, signed.text
    return signed


async def join(app: FastAPI, team_id: str, user_id: str, role: str) -> None:
    async with app.state.resources.session_factory() as session:
        session.add(Membership(team_id=team_id, user_id=user_id, role=role))
        await session.commit()


async def queue_run(app: FastAPI, client: httpx.AsyncClient, account: Account) -> str:
    agent = await create_agent(client, account.workspace_id, name="Busy", definition=DEFINITION)
    version = (
        await client.get(agents_url(account.workspace_id, agent["id"], "versions", 1))
    ).json()
    async with app.state.resources.session_factory() as session:
        run = Run(
            workspace_id=account.workspace_id,
            agent_id=agent["id"],
            agent_version_id=version["id"],
            input={"prompt": "hi"},
        )
        session.add(run)
        await session.commit()
        return run.id


async def test_deleting_an_account_deletes_its_own_team_and_work(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up()
    await create_agent(client, ada.workspace_id, name="Reviewer", definition=DEFINITION)
    async with browser_client(app) as other:
        grace = await sign_up_grace(other)
        grace_workspace = grace.json()["teams"][0]["workspaces"][0]["id"]
        await create_agent(other, grace_workspace, name="Kept", definition=DEFINITION)

        deleted = await delete_account(client)

        assert deleted.status_code == 204, deleted.text
        assert "luna_session=" in deleted.headers["set-cookie"]
        assert await count(app, User, User.id == ada.user_id) == 0
        assert await count(app, Team, Team.id == ada.team_id) == 0
        assert await count(app, Workspace, Workspace.id == ada.workspace_id) == 0
        assert await count(app, Agent, Agent.workspace_id == ada.workspace_id) == 0
        # Another tenant's work is untouched, and still reachable by its owner.
        assert (await other.get(agents_url(grace_workspace))).json()["items"][0]["name"] == "Kept"
    # The old session is dead, and the address is free for a new account.
    assert (await client.get("/api/v1/me")).status_code == 401
    again = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "Ada"},
    )
    assert again.status_code == 201, again.text
    assert again.json()["user"]["id"] != ada.user_id
    async with app.state.resources.session_factory() as session:
        goodbye = await session.scalar(
            select(OutboxEmail).where(OutboxEmail.template == "account-deleted")
        )
    assert goodbye is not None and goodbye.to_address == "ada@example.com"
    assert "Ada's team" in goodbye.text_body


async def test_a_shared_team_stays_with_its_other_members(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up()
    async with browser_client(app) as other:
        signed = await sign_up_grace(other)
        grace_id = signed.json()["user"]["id"]
        await join(app, ada.team_id, grace_id, "owner")
        await create_agent(client, ada.workspace_id, name="Shared", definition=DEFINITION)

        assert (await delete_account(client)).status_code == 204

        assert await count(app, Team, Team.id == ada.team_id) == 1
        listed = (await other.get(agents_url(ada.workspace_id))).json()["items"]
        assert [agent["name"] for agent in listed] == ["Shared"]
        members = (await other.get(f"/api/v1/teams/{ada.team_id}/members")).json()["items"]
        assert [member["user_id"] for member in members] == [grace_id]
        audit = (await other.get(f"/api/v1/teams/{ada.team_id}/audit-log")).json()["items"]
        assert audit[0]["action"] == "account.deleted"
        assert audit[0]["target"] == {"type": "user", "id": ada.user_id}
        assert audit[0]["actor"]["email"] is None


async def test_the_last_owner_of_a_shared_team_is_told_to_hand_it_over(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up()
    async with browser_client(app) as other:
        signed = await sign_up_grace(other)
        await join(app, ada.team_id, signed.json()["user"]["id"], "member")

    refused = await delete_account(client)

    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["blockers"] == [
        {
            "team_id": ada.team_id,
            "team_name": "Ada's team",
            "reason": "last-owner",
            "message": problem["blockers"][0]["message"],
        }
    ]
    assert "last owner of “Ada's team”" in problem["detail"]
    assert await count(app, User, User.id == ada.user_id) == 1
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_a_paid_subscription_and_running_work_hold_the_deletion_back(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    ada = await sign_up()
    run_id = await queue_run(app, client, ada)
    async with app.state.resources.session_factory() as session:
        subscription = Subscription(
            team_id=ada.team_id,
            provider="stripe",
            external_id="sub_123",
            plan_id="growth",
            status="past_due",
            provider_updated_at=clock(),
        )
        session.add(subscription)
        await session.commit()

    refused = await delete_account(client)

    assert refused.status_code == 409, refused.text
    reasons = [blocker["reason"] for blocker in refused.json()["blockers"]]
    assert reasons == ["open-subscription", "active-runs"]
    assert "1 run is still going" in refused.json()["detail"]
    async with app.state.resources.session_factory() as session:
        (await session.get(Subscription, subscription.id)).status = "canceled"
        (await session.get(Run, run_id)).status = "cancelled"
        await session.commit()
    assert (await delete_account(client)).status_code == 204


async def test_the_account_is_deleted_only_by_its_owner_proving_it_is_them(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    ada = await sign_up()
    wrong_address = await delete_account(client, email="grace@example.com")
    assert wrong_address.status_code == 422
    assert wrong_address.json()["errors"][0]["pointer"] == "#/email"
    wrong_password = await delete_account(client, password="not the password at all")
    assert wrong_password.status_code == 422
    assert wrong_password.json()["errors"][0]["pointer"] == "#/password"
    key = await client.post(
        f"/api/v1/workspaces/{ada.workspace_id}/api-keys",
        json={"name": "ci", "scopes": ["admin"]},
    )
    async with browser_client(app) as bearer:
        by_key = await bearer.request(
            "DELETE",
            "/api/v1/me",
            json={"email": ada.email, "password": STRONG_PASSWORD},
            headers={"Authorization": f"Bearer {key.json()['key']}"},
        )
    assert by_key.status_code == 403
    secret, _ = await turn_on_mfa(client, clock)
    clock.advance(minutes=11)
    needs_code = await delete_account(client)
    assert needs_code.status_code == 401
    assert needs_code.json()["type"] == "urn:luna:problem:mfa-step-up-required"
    stepped = await client.post("/api/v1/auth/mfa/step-up", json={"code": code_at(secret, clock)})
    assert stepped.status_code == 204, stepped.text
    assert await count(app, User, User.id == ada.user_id) == 1
    assert (await delete_account(client)).status_code == 204


async def test_an_account_without_a_password_needs_a_fresh_sign_in(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    ada = await sign_up()
    async with app.state.resources.session_factory() as session:
        (await session.get(User, ada.user_id)).password_hash = None
        await session.commit()
    clock.advance(minutes=11)
    stale = await client.request("DELETE", "/api/v1/me", json={"email": "ADA@example.com "})
    assert stale.status_code == 401
    assert stale.json()["type"] == "urn:luna:problem:recent-sign-in-required"
    assert await count(app, AuditEvent, AuditEvent.action == "account.deleted") == 0
    clock.advance(minutes=-11)
    fresh = await client.request("DELETE", "/api/v1/me", json={"email": "ADA@example.com "})
    assert fresh.status_code == 204, fresh.text
