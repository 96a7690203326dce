"""Team members: listing, role changes, removal, leaving, ownership transfer, isolation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from luna.tenancy.models import Membership
from luna.tenancy.permissions import ROLE_ACTIONS, role_table_markdown
from tests.accounts import STRONG_PASSWORD
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio

PERMISSIONS_DOC = Path(__file__).parents[2] / "docs" / "permissions.md"


@dataclass
class Teammate:
    """Another person in a team, signed in in a browser of their own."""

    http: httpx.AsyncClient
    email: str
    user_id: str
    membership_id: str


@asynccontextmanager
async def teammate(app: FastAPI, team_id: str, email: str, role: str) -> AsyncIterator[Teammate]:
    """Sign up ``email`` in a second browser and add them to a team with a role."""
    async with browser_client(app) as http:
        signed = await http.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": STRONG_PASSWORD, "display_name": email[0]},
        )
        assert signed.status_code == 201, signed.text
        user_id = signed.json()["user"]["id"]
        async with app.state.resources.session_factory() as session:
            membership = Membership(team_id=team_id, user_id=user_id, role=role)
            session.add(membership)
            await session.commit()
        yield Teammate(http=http, email=email, user_id=user_id, membership_id=membership.id)


async def own_membership_id(http: httpx.AsyncClient, team_id: str, user_id: str) -> str:
    listed = (await http.get(f"/api/v1/teams/{team_id}/members")).json()["items"]
    return next(member["id"] for member in listed if member["user_id"] == user_id)


def team_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the member routes whose path names a team."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/teams/{team_id}/")
        for method, operation in operations.items()
        if "members" in operation["tags"]
    )


def fill(path: str, team_id: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "x_missing", path.replace("{team_id}", team_id))


async def test_members_are_listed_with_their_roles(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    async with teammate(app, owner.team_id, "vera@example.com", "viewer") as vera:
        for http in (client, vera.http):
            response = await http.get(f"/api/v1/teams/{owner.team_id}/members")
            assert response.status_code == 200, response.text
            listed = response.json()["items"]
            assert [(m["email"], m["role"]) for m in listed] == [
                ("owner@example.com", "owner"),
                ("vera@example.com", "viewer"),
            ]
        assert listed[1]["id"] == vera.membership_id
        assert listed[1]["user_id"] == vera.user_id
        assert listed[1]["display_name"] == "v"
        assert listed[1]["joined_at"]


async def test_every_team_route_hides_other_teams(app: FastAPI, sign_up) -> None:
    owner = await sign_up("owner@example.com")
    routes = team_routes(app)
    assert len(routes) >= 9, routes
    body = {"email": "x@example.com", "role": "member", "membership_id": "mem_x"}
    async with browser_client(app) as intruder:
        signed = await intruder.post(
            "/api/v1/auth/signup",
            json={
                "email": "intruder@example.com",
                "password": STRONG_PASSWORD,
                "display_name": "I",
            },
        )
        assert signed.status_code == 201
        for team_id in (owner.team_id, "team_missing"):
            for method, path in routes:
                response = await intruder.request(method, fill(path, team_id), json=body)
                assert response.status_code == 404, (method, path, response.text)
                assert response.json()["type"] == "urn:luna:problem:not-found"


async def test_team_routes_need_a_signed_in_user(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    created = await client.post(
        f"/api/v1/workspaces/{owner.workspace_id}/api-keys",
        json={"name": "CI", "scopes": ["admin"]},
    )
    key = created.json()["key"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api",
        headers={"Authorization": f"Bearer {key}"},
    ) as sdk:
        response = await sdk.get(f"/api/v1/teams/{owner.team_id}/members")
        assert response.status_code == 403
    client.cookies.clear()
    assert (await client.get(f"/api/v1/teams/{owner.team_id}/members")).status_code == 401


async def test_owner_changes_roles_and_may_make_owners(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/teams/{owner.team_id}/members"
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        promoted = await client.patch(f"{base}/{mia.membership_id}", json={"role": "admin"})
        assert promoted.status_code == 200, promoted.text
        assert promoted.json()["role"] == "admin"
        made_owner = await client.patch(f"{base}/{mia.membership_id}", json={"role": "owner"})
        assert made_owner.json()["role"] == "owner"
        # a second owner may change the first one
        mine = await own_membership_id(client, owner.team_id, owner.user_id)
        demoted = await mia.http.patch(f"{base}/{mine}", json={"role": "viewer"})
        assert demoted.status_code == 200, demoted.text
        roles = {m["email"]: m["role"] for m in (await client.get(base)).json()["items"]}
        assert roles == {"owner@example.com": "viewer", "mia@example.com": "owner"}


async def test_admins_manage_members_but_not_owners_or_admins(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/teams/{owner.team_id}/members"
    mine = await own_membership_id(client, owner.team_id, owner.user_id)
    async with AsyncExitStack() as stack:
        ada = await stack.enter_async_context(
            teammate(app, owner.team_id, "ada@example.com", "admin")
        )
        alan = await stack.enter_async_context(
            teammate(app, owner.team_id, "alan@example.com", "admin")
        )
        max_ = await stack.enter_async_context(
            teammate(app, owner.team_id, "max@example.com", "member")
        )
        for role in ("viewer", "member", "admin"):
            allowed = await ada.http.patch(f"{base}/{max_.membership_id}", json={"role": role})
            assert allowed.status_code == 200, (role, allowed.text)
            assert allowed.json()["role"] == role
        refused = [
            (mine, "admin"),  # an owner
            (alan.membership_id, "member"),  # another admin
            (max_.membership_id, "owner"),  # making an owner
            (ada.membership_id, "member"),  # themselves
            (max_.membership_id, "member"),  # now an admin too
        ]
        for membership_id, role in refused:
            response = await ada.http.patch(f"{base}/{membership_id}", json={"role": role})
            assert response.status_code == 403, (membership_id, role, response.text)
            assert response.json()["type"] == "urn:luna:problem:forbidden"
        own = await client.patch(f"{base}/{mine}", json={"role": "admin"})
        assert own.status_code == 403
        assert "yourself" in own.json()["detail"]
        member_tries = await max_.http.patch(
            f"{base}/{alan.membership_id}", json={"role": "viewer"}
        )
        assert member_tries.status_code == 403
        roles = {m["email"]: m["role"] for m in (await client.get(base)).json()["items"]}
        assert roles["owner@example.com"] == "owner"
        assert roles["alan@example.com"] == "admin"


async def test_role_change_of_unknown_or_foreign_membership_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    other_team = (await client.post("/api/v1/teams", json={"name": "Other"})).json()
    async with teammate(app, other_team["id"], "sam@example.com", "member") as sam:
        base = f"/api/v1/teams/{owner.team_id}/members"
        for membership_id in (sam.membership_id, "mem_missing"):
            response = await client.patch(f"{base}/{membership_id}", json={"role": "viewer"})
            assert response.status_code == 404
            assert (await client.delete(f"{base}/{membership_id}")).status_code == 404


@pytest.mark.parametrize("role", ["root", "", None, "Owner"])
async def test_role_must_be_a_known_role(client: httpx.AsyncClient, sign_up, role) -> None:
    owner = await sign_up()
    response = await client.patch(
        f"/api/v1/teams/{owner.team_id}/members/mem_x", json={"role": role}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_removal_follows_the_owner_and_admin_rules(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/teams/{owner.team_id}/members"
    mine = await own_membership_id(client, owner.team_id, owner.user_id)
    async with AsyncExitStack() as stack:
        ada = await stack.enter_async_context(
            teammate(app, owner.team_id, "ada@example.com", "admin")
        )
        alan = await stack.enter_async_context(
            teammate(app, owner.team_id, "alan@example.com", "admin")
        )
        max_ = await stack.enter_async_context(
            teammate(app, owner.team_id, "max@example.com", "member")
        )
        for membership_id in (mine, alan.membership_id, ada.membership_id):
            assert (await ada.http.delete(f"{base}/{membership_id}")).status_code == 403
        assert (await max_.http.delete(f"{base}/{ada.membership_id}")).status_code == 403
        assert (await ada.http.delete(f"{base}/{max_.membership_id}")).status_code == 204
        assert (await client.delete(f"{base}/{alan.membership_id}")).status_code == 204
        for gone in (max_, alan):
            assert (await gone.http.get(base)).status_code == 404
        assert (await client.delete(f"{base}/{mine}")).status_code == 403
        remaining = [m["email"] for m in (await client.get(base)).json()["items"]]
        assert remaining == ["owner@example.com", "ada@example.com"]


async def test_removed_members_api_keys_are_kept_and_reported(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    async with teammate(app, owner.team_id, "max@example.com", "member") as max_:
        created = await max_.http.post(
            f"/api/v1/workspaces/{owner.workspace_id}/api-keys",
            json={"name": "max's key", "scopes": ["runs:read"]},
        )
        assert created.status_code == 201, created.text
        key_id = created.json()["id"]
        removed = await client.delete(f"/api/v1/teams/{owner.team_id}/members/{max_.membership_id}")
        assert removed.status_code == 204
    keys = (await client.get(f"/api/v1/workspaces/{owner.workspace_id}/api-keys")).json()["items"]
    assert [(k["id"], k["revoked_at"]) for k in keys] == [(key_id, None)]
    log = (await client.get(f"/api/v1/teams/{owner.team_id}/audit-log")).json()["items"]
    event = next(e for e in log if e["action"] == "member.removed")
    assert event["data"]["api_keys_kept"] == [key_id]
    assert event["data"]["email"] == "max@example.com"
    assert event["target"] == {"type": "membership", "id": max_.membership_id}


async def test_the_last_owner_cannot_leave(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    leave = f"/api/v1/teams/{owner.team_id}/leave"
    async with teammate(app, owner.team_id, "vera@example.com", "viewer") as vera:
        refused = await client.post(leave)
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert "transfer ownership" in refused.json()["detail"]
        assert (await vera.http.post(leave)).status_code == 204
        assert (await vera.http.get(f"/api/v1/teams/{owner.team_id}/members")).status_code == 404
        teams = (await vera.http.get("/api/v1/teams")).json()["items"]
        assert owner.team_id not in [team["id"] for team in teams]


async def test_an_owner_may_leave_when_another_owner_remains(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    async with teammate(app, owner.team_id, "olga@example.com", "owner") as olga:
        assert (await client.post(f"/api/v1/teams/{owner.team_id}/leave")).status_code == 204
        left = (await olga.http.get(f"/api/v1/teams/{owner.team_id}/members")).json()["items"]
        assert [(m["email"], m["role"]) for m in left] == [("olga@example.com", "owner")]
        assert (await olga.http.post(f"/api/v1/teams/{owner.team_id}/leave")).status_code == 409


async def test_ownership_transfer_swaps_roles(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    transfer = f"/api/v1/teams/{owner.team_id}/transfer-ownership"
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        assert (
            await mia.http.post(transfer, json={"membership_id": mia.membership_id})
        ).status_code == 403
        moved = await client.post(transfer, json={"membership_id": mia.membership_id})
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert body["new_owner"]["email"] == "mia@example.com"
        assert body["new_owner"]["role"] == "owner"
        assert body["previous_owner"]["email"] == "owner@example.com"
        assert body["previous_owner"]["role"] == "admin"
        roles = {
            m["email"]: m["role"]
            for m in (await client.get(f"/api/v1/teams/{owner.team_id}/members")).json()["items"]
        }
        assert roles == {"owner@example.com": "admin", "mia@example.com": "owner"}
        again = await client.post(transfer, json={"membership_id": mia.membership_id})
        assert again.status_code == 403
        assert (await client.post(f"/api/v1/teams/{owner.team_id}/leave")).status_code == 204


async def test_ownership_transfer_needs_another_member_of_the_team(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    transfer = f"/api/v1/teams/{owner.team_id}/transfer-ownership"
    mine = await own_membership_id(client, owner.team_id, owner.user_id)
    to_self = await client.post(transfer, json={"membership_id": mine})
    assert to_self.status_code == 422
    assert to_self.json()["errors"][0]["pointer"] == "#/membership_id"
    assert (await client.post(transfer, json={"membership_id": "mem_missing"})).status_code == 404
    assert (await client.post(transfer, json={"membership_id": ""})).status_code == 422
    members = (await client.get(f"/api/v1/teams/{owner.team_id}/members")).json()["items"]
    assert [m["role"] for m in members] == ["owner"]


def test_the_permissions_doc_matches_the_role_table() -> None:
    doc = PERMISSIONS_DOC.read_text()
    match = re.search(r"<!-- role-table:start -->\n(.*?)<!-- role-table:end -->", doc, re.S)
    assert match, "docs/permissions.md has lost its role-table markers"
    table = match.group(1)
    assert table == role_table_markdown(), (
        "docs/permissions.md is out of date: paste luna.tenancy.permissions.role_table_markdown()"
    )
    header, _, *rows = table.strip().splitlines()
    roles = [cell.strip() for cell in header.strip("|").split("|")][2:]
    documented: dict[str, set[str]] = {role: set() for role in roles}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        action = cells[0].strip("`")
        for role, mark in zip(roles, cells[2:], strict=True):
            if mark == "yes":
                documented[role].add(action)
    assert documented == {role: set(actions) for role, actions in ROLE_ACTIONS.items()}


async def test_roles_lists_what_each_role_may_do_as_the_server_enforces(
    client: httpx.AsyncClient, sign_up
) -> None:
    await sign_up()
    response = await client.get("/api/v1/roles")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [action["action"] for action in body["actions"]] == ["read", "write", "manage", "own"]
    assert all(action["meaning"] for action in body["actions"])
    roles = {role["role"]: role for role in body["roles"]}
    assert [role["role"] for role in body["roles"]] == ["viewer", "member", "admin", "owner"]
    for name, role in roles.items():
        assert set(role["actions"]) == ROLE_ACTIONS[name]
    assert not roles["owner"]["may_be_invited"]
    assert roles["admin"]["may_be_invited"] and roles["viewer"]["may_be_invited"]
    client.cookies.clear()
    assert (await client.get("/api/v1/roles")).status_code == 401
