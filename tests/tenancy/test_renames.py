"""Renaming a workspace and a team, and changing one's display name: who may, what is
checked, and what the audit log keeps."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio


async def audit_actions(client: httpx.AsyncClient, team_id: str) -> list[str]:
    events = (await client.get(f"/api/v1/teams/{team_id}/audit-log")).json()["items"]
    return [event["action"] for event in events]


async def test_an_owner_renames_the_workspace_and_the_team(
    client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")

    workspace = await client.patch(
        f"/api/v1/workspaces/{owner.workspace_id}", json={"name": "  Production  "}
    )
    team = await client.patch(f"/api/v1/teams/{owner.team_id}", json={"name": "Analytical Engines"})

    assert workspace.status_code == 200, workspace.text
    assert workspace.json()["name"] == "Production"
    assert team.status_code == 200, team.text
    assert team.json()["name"] == "Analytical Engines"
    assert team.json()["role"] == "owner"
    me = (await client.get("/api/v1/me")).json()
    assert me["teams"][0]["name"] == "Analytical Engines"
    assert me["teams"][0]["workspaces"][0]["name"] == "Production"
    actions = await audit_actions(client, owner.team_id)
    assert {"workspace.renamed", "team.renamed"} <= set(actions)


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "   "}, {"name": "x" * 101}, {}])
async def test_a_bad_name_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, sign_up, body: dict[str, str]
) -> None:
    owner = await sign_up()
    before = (await client.get("/api/v1/me")).json()

    for path in (f"/api/v1/workspaces/{owner.workspace_id}", f"/api/v1/teams/{owner.team_id}"):
        assert (await client.patch(path, json=body)).status_code == 422

    assert (await client.get("/api/v1/me")).json() == before


async def test_members_cannot_rename_and_other_teams_see_nothing(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    async with teammate(app, owner.team_id, "mia@example.com", "member") as mia:
        assert (
            await mia.http.patch(f"/api/v1/workspaces/{owner.workspace_id}", json={"name": "Mine"})
        ).status_code == 403
        assert (
            await mia.http.patch(f"/api/v1/teams/{owner.team_id}", json={"name": "Mine"})
        ).status_code == 403
    client.cookies.clear()
    await sign_up("stranger@example.com")
    assert (
        await client.patch(f"/api/v1/workspaces/{owner.workspace_id}", json={"name": "Taken"})
    ).status_code == 404
    assert (
        await client.patch(f"/api/v1/teams/{owner.team_id}", json={"name": "Taken"})
    ).status_code == 404


async def test_a_user_changes_their_display_name(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()

    changed = await client.patch("/api/v1/me", json={"display_name": " Ada King "})
    refused = await client.patch("/api/v1/me", json={"display_name": ""})

    assert changed.status_code == 200, changed.text
    assert changed.json()["user"]["display_name"] == "Ada King"
    assert refused.status_code == 422
    assert (await client.get("/api/v1/me")).json()["user"]["display_name"] == "Ada King"
    assert "auth.profile_changed" in await audit_actions(client, account.team_id)
