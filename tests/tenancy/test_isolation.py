"""Workspaces are isolated: another tenant's resources answer 404; viewers cannot write."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from luna.tenancy.models import Membership
from tests.accounts import STRONG_PASSWORD
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio


def tenant_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the API whose path names a workspace."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if "{workspace_id}" in path
        for method in operations
    )


def fill(path: str, workspace_id: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "x_missing", path.replace("{workspace_id}", workspace_id))


async def test_every_tenant_route_hides_other_workspaces(app: FastAPI, sign_up) -> None:
    owner = await sign_up("owner@example.com")
    routes = tenant_routes(app)
    assert routes, "no workspace routes found"
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
        for method, path in routes:
            response = await intruder.request(
                method, fill(path, owner.workspace_id), json={"name": "x", "scopes": ["admin"]}
            )
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["type"] == "urn:luna:problem:not-found"


async def test_viewer_can_read_but_not_write(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    async with browser_client(app) as viewer:
        signed = await viewer.post(
            "/api/v1/auth/signup",
            json={"email": "viewer@example.com", "password": STRONG_PASSWORD, "display_name": "V"},
        )
        viewer_id = signed.json()["user"]["id"]
        async with app.state.resources.session_factory() as session:
            session.add(Membership(team_id=owner.team_id, user_id=viewer_id, role="viewer"))
            await session.commit()
        base = f"/api/v1/workspaces/{owner.workspace_id}"
        assert (await viewer.get(base)).status_code == 200
        assert (await viewer.get(f"{base}/api-keys")).status_code == 200
        write = await viewer.post(f"{base}/api-keys", json={"name": "k", "scopes": ["runs:read"]})
        assert write.status_code == 403
        assert write.json()["type"] == "urn:luna:problem:forbidden"


async def test_api_key_lifecycle(client: httpx.AsyncClient, app: FastAPI, sign_up) -> None:
    account = await sign_up()
    base = f"/api/v1/workspaces/{account.workspace_id}"
    created = await client.post(f"{base}/api-keys", json={"name": "CI", "scopes": ["admin"]})
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("luna_sk_")
    assert body["prefix"] == key[:12]
    listed = (await client.get(f"{base}/api-keys")).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert key not in str(listed)

    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 1))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://api", headers={"Authorization": f"Bearer {key}"}
    ) as sdk:
        assert (await sdk.get(base)).status_code == 200
        used = (await client.get(f"{base}/api-keys")).json()["items"][0]
        assert used["last_used_ip"] == "192.0.2.10"
        assert used["last_used_at"] is not None
        # an API key cannot reach account endpoints or other workspaces
        assert (await sdk.get("/api/v1/me")).status_code == 403
        other = (await client.post("/api/v1/teams", json={"name": "B"})).json()
        assert (
            await sdk.get(f"/api/v1/workspaces/{other['workspaces'][0]['id']}")
        ).status_code == 404
        revoked = await client.delete(f"{base}/api-keys/{body['id']}")
        assert revoked.status_code == 204
        refused = await sdk.get(base)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")


async def test_api_key_scopes_are_enforced(
    client: httpx.AsyncClient, app: FastAPI, sign_up
) -> None:
    account = await sign_up()
    base = f"/api/v1/workspaces/{account.workspace_id}"
    created = await client.post(f"{base}/api-keys", json={"name": "r", "scopes": ["runs:read"]})
    key = created.json()["key"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api",
        headers={"Authorization": f"Bearer {key}"},
    ) as sdk:
        assert (await sdk.get(f"{base}/api-keys")).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "scopes": ["admin"]},
        {"name": "k", "scopes": []},
        {"name": "k", "scopes": ["root"]},
        {"name": "k", "scopes": ["admin"], "expires_at": "2020-01-01T00:00:00Z"},
        {"name": "k", "scopes": ["admin"], "expires_at": "2030-01-01T00:00:00"},
    ],
)
async def test_api_key_input_is_validated(client: httpx.AsyncClient, sign_up, body) -> None:
    account = await sign_up()
    response = await client.post(f"/api/v1/workspaces/{account.workspace_id}/api-keys", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_expired_api_key_is_refused(
    client: httpx.AsyncClient, app: FastAPI, sign_up, clock
) -> None:
    account = await sign_up()
    base = f"/api/v1/workspaces/{account.workspace_id}"
    created = await client.post(
        f"{base}/api-keys",
        json={
            "name": "short",
            "scopes": ["admin"],
            "expires_at": (clock.now + timedelta(hours=1)).isoformat(),
        },
    )
    key = created.json()["key"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://api",
        headers={"Authorization": f"Bearer {key}"},
    ) as sdk:
        assert (await sdk.get(base)).status_code == 200
        clock.advance(hours=2)
        assert (await sdk.get(base)).status_code == 401


async def test_unknown_bearer_tokens_are_refused(client: httpx.AsyncClient) -> None:
    for token in ("luna_sk_forged", "eyJhbGciOiJub25lIn0.e30."):
        response = await client.get(
            "/api/v1/workspaces", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401


async def test_workspace_creation_needs_a_managed_team(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    created = await client.post(
        "/api/v1/workspaces", json={"team_id": account.team_id, "name": "Second"}
    )
    assert created.status_code == 201
    assert len((await client.get("/api/v1/workspaces")).json()["items"]) == 2
    foreign = await client.post("/api/v1/workspaces", json={"team_id": "team_nope", "name": "X"})
    assert foreign.status_code == 404


async def test_a_viewer_is_refused_every_workspace_write(app: FastAPI, sign_up) -> None:
    """Walk every write operation on a workspace: a viewer of the team gets 403 on each."""
    owner = await sign_up("owner@example.com")
    writes = [(method, path) for method, path in tenant_routes(app) if method != "GET"]
    assert len(writes) >= 5, writes
    async with browser_client(app) as viewer:
        signed = await viewer.post(
            "/api/v1/auth/signup",
            json={"email": "viewer@example.com", "password": STRONG_PASSWORD, "display_name": "V"},
        )
        async with app.state.resources.session_factory() as session:
            session.add(
                Membership(
                    team_id=owner.team_id, user_id=signed.json()["user"]["id"], role="viewer"
                )
            )
            await session.commit()
        for method, path in writes:
            response = await viewer.request(
                method, fill(path, owner.workspace_id), json={"name": "x", "scopes": ["runs:read"]}
            )
            assert response.status_code == 403, (method, path, response.text)


async def test_an_api_key_reads_its_own_workspace_team_and_scopes(
    client: httpx.AsyncClient, app: FastAPI, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    base = f"/api/v1/workspaces/{owner.workspace_id}"
    created = (
        await client.post(f"{base}/api-keys", json={"name": "CI", "scopes": ["runs:read"]})
    ).json()
    transport = httpx.ASGITransport(app=app)
    bearer = {"Authorization": f"Bearer {created['key']}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://api", headers=bearer) as sdk:
        itself = await sdk.get("/api/v1/api-key")
        me = await sdk.get("/api/v1/me")

        assert itself.status_code == 200, itself.text
        body = itself.json()
        assert (body["id"], body["workspace_id"], body["team_id"]) == (
            created["id"],
            owner.workspace_id,
            owner.team_id,
        )
        assert body["scopes"] == ["runs:read"]
        assert "key" not in body
        assert me.status_code == 403
        assert "/api/v1/api-key" in me.json()["detail"]

        assert (await client.delete(f"{base}/api-keys/{created['id']}")).status_code == 204
        assert (await sdk.get("/api/v1/api-key")).status_code == 401
    # A signed-in person has no key to describe.
    assert (await client.get("/api/v1/api-key")).status_code == 403
