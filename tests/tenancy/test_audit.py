"""The audit log: what is recorded, who may read it, and how it pages."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.models import AuditEvent
from tests.accounts import STRONG_PASSWORD, emailed_token
from tests.conftest import browser_client
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio

PERMISSIONS_DOC = Path(__file__).parents[2] / "docs" / "permissions.md"
BROWSER = {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (test browser)"}
PHONE = {"ip_address": "198.51.100.23", "user_agent": "Bob's phone/1.0"}


def phone_client(app: FastAPI) -> httpx.AsyncClient:
    """A browser on another network with another User-Agent."""
    settings: Settings = app.state.settings
    origin = str(settings.public_url).rstrip("/")
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(PHONE["ip_address"], 4000)),
        base_url=origin,
        headers={"Origin": origin, "User-Agent": PHONE["user_agent"]},
    )


async def audit_log(http: httpx.AsyncClient, team_id: str, **params: object) -> httpx.Response:
    return await http.get(f"/api/v1/teams/{team_id}/audit-log", params=params)


async def test_member_changes_are_recorded_with_actor_and_client(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/teams/{owner.team_id}"
    invitation = (
        await client.post(
            f"{base}/invitations", json={"email": "bob@example.com", "role": "member"}
        )
    ).json()
    token = await emailed_token(app, "bob@example.com", "invitation")
    async with phone_client(app) as bob:
        signed = await bob.post(
            "/api/v1/auth/signup",
            json={"email": "bob@example.com", "password": STRONG_PASSWORD, "display_name": "B"},
        )
        bob_id = signed.json()["user"]["id"]
        assert (
            await bob.post("/api/v1/invitations/accept", json={"token": token})
        ).status_code == 200
    members = (await client.get(f"{base}/members")).json()["items"]
    bob_membership = next(m["id"] for m in members if m["email"] == "bob@example.com")
    await client.patch(f"{base}/members/{bob_membership}", json={"role": "viewer"})

    response = await audit_log(client, owner.team_id)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    invited, joined, changed = reversed(page["items"])
    assert [invited["action"], joined["action"], changed["action"]] == [
        "member.invited",
        "member.joined",
        "member.role_changed",
    ]
    assert invited["actor"] == {"user_id": owner.user_id, "email": owner.email, "api_key_id": None}
    assert invited["target"] == {"type": "invitation", "id": invitation["id"]}
    assert invited["data"] == {"email": "bob@example.com", "role": "member"}
    assert {k: invited[k] for k in BROWSER} == BROWSER
    assert joined["actor"]["email"] == "bob@example.com"
    assert joined["actor"]["user_id"] == bob_id
    assert joined["target"] == {"type": "membership", "id": bob_membership}
    assert joined["data"]["invitation_id"] == invitation["id"]
    assert {k: joined[k] for k in PHONE} == PHONE
    assert changed["data"]["from"] == "member"
    assert changed["data"]["to"] == "viewer"
    assert {k: changed[k] for k in BROWSER} == BROWSER
    assert all(event["created_at"] for event in page["items"])


async def test_leaving_revoking_and_transfers_are_recorded(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/teams/{owner.team_id}"
    invitation = (
        await client.post(f"{base}/invitations", json={"email": "x@example.com", "role": "admin"})
    ).json()
    await client.delete(f"{base}/invitations/{invitation['id']}")
    async with teammate(app, owner.team_id, "vera@example.com", "viewer") as vera:
        await vera.http.post(f"{base}/leave")
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        await client.post(f"{base}/transfer-ownership", json={"membership_id": mia.membership_id})
        events = (await audit_log(mia.http, owner.team_id)).json()["items"]
    actions = [event["action"] for event in reversed(events)]
    assert actions == [
        "member.invited",
        "member.invitation_revoked",
        "member.left",
        "team.ownership_transferred",
    ]
    left, transferred = events[1], events[0]
    assert left["actor"]["email"] == "vera@example.com"
    assert transferred["data"]["from_user_id"] == owner.user_id
    assert transferred["data"]["to_user_id"] == mia.user_id


async def test_only_owners_and_admins_read_the_log(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    assert (await audit_log(client, owner.team_id)).status_code == 200
    async with teammate(app, owner.team_id, "ada@example.com", "admin") as ada:
        assert (await audit_log(ada.http, owner.team_id)).status_code == 200
    for email, role in (("mo@example.com", "member"), ("vera@example.com", "viewer")):
        async with teammate(app, owner.team_id, email, role) as reader:
            refused = await audit_log(reader.http, owner.team_id)
            assert refused.status_code == 403, role
            assert refused.json()["type"] == "urn:luna:problem:forbidden"
    async with browser_client(app) as stranger:
        await stranger.post(
            "/api/v1/auth/signup",
            json={"email": "s@example.com", "password": STRONG_PASSWORD, "display_name": "S"},
        )
        assert (await audit_log(stranger, owner.team_id)).status_code == 404


async def test_cursor_pagination_returns_every_event_once(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    other = (await client.post("/api/v1/teams", json={"name": "Other"})).json()
    async with app.state.resources.session_factory() as session:
        for number in range(23):
            action = "api_key.created" if number % 3 else "workspace.created"
            audit.record(session, team_id=owner.team_id, action=action, data={"number": number})
        for _ in range(4):
            audit.record(session, team_id=other["id"], action="workspace.created")
        await session.commit()
        expected = list(
            await session.scalars(
                select(AuditEvent.id)
                .where(AuditEvent.team_id == owner.team_id)
                .order_by(AuditEvent.id.desc())
            )
        )
    seen = await walk_pages(client, owner.team_id, limit=5)
    assert seen == expected
    assert len(set(seen)) == 23
    only_workspaces = await walk_pages(client, owner.team_id, limit=2, action="workspace.created")
    assert len(only_workspaces) == 8
    assert only_workspaces == [event_id for event_id in expected if event_id in only_workspaces]
    assert len(await walk_pages(client, owner.team_id, limit=200)) == 23


async def walk_pages(http: httpx.AsyncClient, team_id: str, **params: object) -> list[str]:
    """Follow ``next_cursor`` to the end, checking each page's size."""
    seen: list[str] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = await audit_log(http, team_id, **query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= int(str(params["limit"]))
        seen += [event["id"] for event in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
        assert page["items"][-1]["id"] == cursor


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 500},
        {"limit": -1},
        {"limit": "ten"},
        {"cursor": "not-an-event-id"},
        {"action": "member.exploded"},
    ],
)
async def test_audit_log_query_is_validated(client: httpx.AsyncClient, sign_up, params) -> None:
    owner = await sign_up()
    response = await audit_log(client, owner.team_id, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["in"] == "query"


async def test_limits_at_the_bounds_are_accepted(client: httpx.AsyncClient, sign_up) -> None:
    owner = await sign_up()
    for limit in (1, 200):
        assert (await audit_log(client, owner.team_id, limit=limit)).status_code == 200


async def test_long_user_agents_are_cut_to_fit(app: FastAPI, sign_up) -> None:
    settings: Settings = app.state.settings
    origin = str(settings.public_url).rstrip("/")
    agent = "Agent/" + "x" * 1000
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("2001:db8::1", 1)),
        base_url=origin,
        headers={"Origin": origin, "User-Agent": agent},
    ) as http:
        signed = await http.post(
            "/api/v1/auth/signup",
            json={"email": "long@example.com", "password": STRONG_PASSWORD, "display_name": "L"},
        )
        team_id = signed.json()["teams"][0]["id"]
        created = await http.post(
            f"/api/v1/teams/{team_id}/invitations",
            json={"email": "bob@example.com", "role": "member"},
        )
        assert created.status_code == 201, created.text
        event = (await audit_log(http, team_id)).json()["items"][0]
    assert event["user_agent"] == agent[:512]
    assert event["ip_address"] == "2001:db8::1"


async def test_record_joins_the_callers_transaction(app: FastAPI, sign_up) -> None:
    owner = await sign_up()
    async with app.state.resources.session_factory() as session:
        audit.record(session, team_id=owner.team_id, action="auth.login")
        await session.rollback()
        event = audit.record(
            session, team_id=owner.team_id, action="auth.logout", actor_user_id=owner.user_id
        )
        await session.commit()
        stored = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.team_id == owner.team_id)
            )
        )
    assert stored == ["auth.logout"]
    assert (event.data, event.ip_address, event.user_agent) == ({}, "", "")


def test_the_permissions_doc_lists_every_audit_action() -> None:
    doc = PERMISSIONS_DOC.read_text()
    match = re.search(r"<!-- audit-actions:start -->\n(.*?)<!-- audit-actions:end -->", doc, re.S)
    assert match, "docs/permissions.md has lost its audit-actions markers"
    listed = re.findall(r"^- `([a-z_.]+)`$", match.group(1), re.M)
    assert listed == list(audit.AUDIT_ACTIONS)


async def test_account_events_reach_every_team_of_the_user(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    """Sign-in, failed sign-in, password change and sign-out land in the audit log."""
    account = await sign_up("owner-audit@example.com")
    await client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": "wrong password here"},
        headers={"User-Agent": "Mozilla/5.0 (test browser)"},
    )
    await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": STRONG_PASSWORD}
    )
    await client.post(
        "/api/v1/me/password",
        json={"current_password": STRONG_PASSWORD, "new_password": "a different passphrase"},
    )
    await client.post("/api/v1/auth/logout")
    await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": "a different passphrase"}
    )
    log = await client.get(f"/api/v1/teams/{account.team_id}/audit-log")
    assert log.status_code == 200, log.text
    actions = [event["action"] for event in log.json()["items"]]
    assert actions == [
        "auth.login",
        "auth.logout",
        "auth.password_changed",
        "auth.login",
        "auth.login_failed",
    ]
    assert log.json()["items"][-1]["ip_address"] == "203.0.113.7"


async def test_api_key_creation_and_revocation_are_audited(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up("keys-audit@example.com")
    base = f"/api/v1/workspaces/{account.workspace_id}/api-keys"
    created = (await client.post(base, json={"name": "CI", "scopes": ["runs:read"]})).json()
    await client.delete(f"{base}/{created['id']}")
    events = (await client.get(f"/api/v1/teams/{account.team_id}/audit-log")).json()["items"]
    keyed = [(e["action"], e["target"]["id"]) for e in events if e["action"].startswith("api_key.")]
    assert keyed == [("api_key.revoked", created["id"]), ("api_key.created", created["id"])]
