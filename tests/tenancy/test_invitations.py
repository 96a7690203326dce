"""Invitations: emailed, single-use, expiring, bound to an address, revocable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.identity.tokens import digest
from luna.notifications.models import OutboxEmail
from luna.tenancy.models import Invitation
from tests.accounts import STRONG_PASSWORD, Account, MovableClock, emailed_token
from tests.conftest import browser_client
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def signed_up(app: FastAPI, email: str) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser with a new account for ``email``."""
    async with browser_client(app) as http:
        response = await http.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": STRONG_PASSWORD, "display_name": "Bob"},
        )
        assert response.status_code == 201, response.text
        yield http


async def invite(
    client: httpx.AsyncClient, owner: Account, email: str = "bob@example.com", role: str = "member"
) -> httpx.Response:
    return await client.post(
        f"/api/v1/teams/{owner.team_id}/invitations", json={"email": email, "role": role}
    )


async def test_invitee_signs_up_and_accepts(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    created = await invite(client, owner, "Bob@Example.com", "viewer")
    assert created.status_code == 201, created.text
    invitation = created.json()
    assert invitation["email"] == "bob@example.com"
    assert invitation["role"] == "viewer"
    assert invitation["invited_by_user_id"] == owner.user_id
    async with app.state.resources.session_factory() as session:
        email = await session.scalar(
            select(OutboxEmail).where(OutboxEmail.template == "invitation")
        )
    assert email is not None
    assert email.to_address == "bob@example.com"
    assert "Ada's team" in email.text_body
    assert "Ada (owner@example.com)" in email.text_body
    assert "http://127.0.0.1:8000/invitations/accept?token=" in email.text_body
    token = await emailed_token(app, "bob@example.com", "invitation")

    async with signed_up(app, "BOB@example.com") as bob:
        accepted = await bob.post("/api/v1/invitations/accept", json={"token": token})
        assert accepted.status_code == 200, accepted.text
        team = accepted.json()
        assert (team["id"], team["role"]) == (owner.team_id, "viewer")
        assert team["personal"] is True  # a personal team takes invitations too
        assert [w["id"] for w in team["workspaces"]] == [owner.workspace_id]
        me = (await bob.get("/api/v1/me")).json()
        assert owner.team_id in [t["id"] for t in me["teams"]]
        workspace = await bob.get(f"/api/v1/workspaces/{owner.workspace_id}")
        assert workspace.status_code == 200
    members = (await client.get(f"/api/v1/teams/{owner.team_id}/members")).json()["items"]
    assert [(m["email"], m["role"]) for m in members][-1] == ("bob@example.com", "viewer")
    assert (await client.get(f"/api/v1/teams/{owner.team_id}/invitations")).json()["items"] == []


async def test_the_token_is_stored_hashed_and_never_listed(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    created = await invite(client, owner)
    token = await emailed_token(app, "bob@example.com", "invitation")
    assert token not in created.text
    listed = await client.get(f"/api/v1/teams/{owner.team_id}/invitations")
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]
    assert token not in listed.text
    assert "token" not in listed.text
    async with app.state.resources.session_factory() as session:
        stored = await session.get(Invitation, created.json()["id"])
    assert stored is not None
    assert stored.token_hash == digest(token)
    assert (stored.expires_at - stored.created_at).days == 7


async def test_another_address_cannot_accept(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    await invite(client, owner, "bob@example.com")
    token = await emailed_token(app, "bob@example.com", "invitation")
    async with signed_up(app, "carol@example.com") as carol:
        refused = await carol.post("/api/v1/invitations/accept", json={"token": token})
        assert refused.status_code == 403
        assert refused.json()["type"] == "urn:luna:problem:forbidden"
        assert "another email address" in refused.json()["detail"]
        assert (await carol.get(f"/api/v1/teams/{owner.team_id}/members")).status_code == 404
    async with signed_up(app, "bob@example.com") as bob:
        accepted = await bob.post("/api/v1/invitations/accept", json={"token": token})
        assert accepted.status_code == 200


async def test_an_invitation_works_once(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    owner = await sign_up("owner@example.com")
    await invite(client, owner)
    token = await emailed_token(app, "bob@example.com", "invitation")
    async with signed_up(app, "bob@example.com") as bob:
        assert (
            await bob.post("/api/v1/invitations/accept", json={"token": token})
        ).status_code == 200
        again = await bob.post("/api/v1/invitations/accept", json={"token": token})
        assert again.status_code == 422
        assert again.headers["content-type"] == "application/problem+json"
        assert again.json()["type"] == "urn:luna:problem:validation-failed"
        assert "already used" in again.json()["detail"]
    members = (await client.get(f"/api/v1/teams/{owner.team_id}/members")).json()["items"]
    assert len(members) == 2


async def test_an_expired_invitation_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    owner = await sign_up("owner@example.com")
    await invite(client, owner)
    token = await emailed_token(app, "bob@example.com", "invitation")
    clock.advance(days=8)
    async with signed_up(app, "bob@example.com") as bob:
        expired = await bob.post("/api/v1/invitations/accept", json={"token": token})
        assert expired.status_code == 422
        assert "expired" in expired.json()["detail"]
        assert (await bob.get(f"/api/v1/teams/{owner.team_id}/members")).status_code == 404
    signed_in = await client.post(
        "/api/v1/auth/login", json={"email": owner.email, "password": STRONG_PASSWORD}
    )
    assert signed_in.status_code == 200
    assert (await client.get(f"/api/v1/teams/{owner.team_id}/invitations")).json()["items"] == []
    # an expired invitation does not block a new one
    assert (await invite(client, owner)).status_code == 201


async def test_a_revoked_invitation_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    created = (await invite(client, owner)).json()
    token = await emailed_token(app, "bob@example.com", "invitation")
    url = f"/api/v1/teams/{owner.team_id}/invitations/{created['id']}"
    assert (await client.delete(url)).status_code == 204
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(f"/api/v1/teams/{owner.team_id}/invitations")).json()["items"] == []
    async with signed_up(app, "bob@example.com") as bob:
        revoked = await bob.post("/api/v1/invitations/accept", json={"token": token})
        assert revoked.status_code == 422
        assert "withdrawn" in revoked.json()["detail"]
    assert (await invite(client, owner)).status_code == 201


async def test_an_accepted_invitation_cannot_be_revoked(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    created = (await invite(client, owner)).json()
    token = await emailed_token(app, "bob@example.com", "invitation")
    async with signed_up(app, "bob@example.com") as bob:
        await bob.post("/api/v1/invitations/accept", json={"token": token})
    url = f"/api/v1/teams/{owner.team_id}/invitations/{created['id']}"
    assert (await client.delete(url)).status_code == 409
    missing = f"/api/v1/teams/{owner.team_id}/invitations/inv_missing"
    assert (await client.delete(missing)).status_code == 404


async def test_unknown_tokens_are_refused(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    response = await client.post(
        "/api/v1/invitations/accept", json={"token": "not-a-real-invitation-token"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/token"


async def test_duplicates_are_conflicts(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    owner = await sign_up("owner@example.com")
    assert (await invite(client, owner, "bob@example.com")).status_code == 201
    duplicate = await invite(client, owner, " BOB@example.com", "admin")
    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "urn:luna:problem:conflict"
    member = await invite(client, owner, "owner@example.com")
    assert member.status_code == 409
    assert "already a member" in member.json()["detail"]
    async with app.state.resources.session_factory() as session:
        emails = (
            await session.scalars(select(OutboxEmail).where(OutboxEmail.template == "invitation"))
        ).all()
    assert len(emails) == 1


async def test_who_may_invite(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/teams/{owner.team_id}/invitations"
    async with teammate(app, owner.team_id, "vera@example.com", "viewer") as vera:
        refused = await vera.http.post(base, json={"email": "x@example.com", "role": "viewer"})
        assert refused.status_code == 403
        assert refused.json()["type"] == "urn:luna:problem:forbidden"
        assert (await vera.http.get(base)).status_code == 403
    async with teammate(app, owner.team_id, "mo@example.com", "member") as mo:
        assert (
            await mo.http.post(base, json={"email": "x@example.com", "role": "viewer"})
        ).status_code == 403
    async with teammate(app, owner.team_id, "ada@example.com", "admin") as ada:
        made = await ada.http.post(base, json={"email": "y@example.com", "role": "admin"})
        assert made.status_code == 201, made.text
        assert made.json()["invited_by_user_id"] == ada.user_id
        revoked = await ada.http.delete(f"{base}/{made.json()['id']}")
        assert revoked.status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "role": "member"},
        {"email": "", "role": "member"},
        {"email": "bob@example.com", "role": "owner"},
        {"email": "bob@example.com", "role": "superuser"},
        {"email": "bob@example.com"},
        {"role": "member"},
    ],
)
async def test_invitation_input_is_validated(client: httpx.AsyncClient, sign_up, body) -> None:
    owner = await sign_up()
    response = await client.post(f"/api/v1/teams/{owner.team_id}/invitations", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]


@pytest.mark.parametrize("body", [{}, {"token": "short"}, {"token": "x" * 201}, {"token": 7}])
async def test_accept_input_is_validated(client: httpx.AsyncClient, sign_up, body) -> None:
    await sign_up()
    response = await client.post("/api/v1/invitations/accept", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_accepting_needs_a_signed_in_user(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    await invite(client, owner)
    token = await emailed_token(app, "bob@example.com", "invitation")
    async with browser_client(app) as anonymous:
        response = await anonymous.post("/api/v1/invitations/accept", json={"token": token})
        assert response.status_code == 401
