"""A workspace's tool settings and knowledge documents through the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.tenancy.models import Membership

pytestmark = pytest.mark.anyio


def settings_url(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/tool-settings"


def documents_url(workspace_id: str, *parts: str) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/knowledge/documents", *parts])


def search_url(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/knowledge/search"


async def upload(client: httpx.AsyncClient, workspace_id: str, **body: Any) -> dict[str, Any]:
    response = await client.post(documents_url(workspace_id), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def add_member(app: FastAPI, team_id: str, user_id: str, role: str) -> None:
    async with app.state.resources.session_factory() as session:
        session.add(Membership(team_id=team_id, user_id=user_id, role=role))
        await session.commit()


def stamp(moment: datetime) -> str:
    """A time as the API writes it."""
    return moment.isoformat().replace("+00:00", "Z")


def pointers(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json"
    return [error.get("pointer") or error.get("name") for error in response.json()["errors"]]


async def test_tool_settings_start_empty_and_are_replaced(
    client: httpx.AsyncClient, sign_up, clock
) -> None:
    account = await sign_up()
    url = settings_url(account.workspace_id)
    assert (await client.get(url)).json() == {
        "http_allowed_hosts": [],
        "updated_at": None,
        "updated_by_user_id": None,
    }
    hosts = ["Docs.Example.com.", "*.example.org", "bücher.example", "[::1]", "203.0.113.7"]
    saved = await client.put(url, json={"http_allowed_hosts": hosts})
    assert saved.status_code == 200, saved.text
    expected = ["docs.example.com", "*.example.org", "xn--bcher-kva.example", "::1", "203.0.113.7"]
    assert saved.json() == {
        "http_allowed_hosts": expected,
        "updated_at": stamp(clock.now),
        "updated_by_user_id": account.user_id,
    }
    assert (await client.get(url)).json() == saved.json()
    cleared = await client.put(url, json={"http_allowed_hosts": []})
    assert cleared.json()["http_allowed_hosts"] == []


@pytest.mark.parametrize(
    ("hosts", "pointer"),
    [
        (["*"], "#/http_allowed_hosts/0"),
        (["*.com"], "#/http_allowed_hosts/0"),
        (["ok.example", "https://x.example/"], "#/http_allowed_hosts/1"),
        (["a.example", "A.example."], "#/http_allowed_hosts"),
        ([f"h{number}.example" for number in range(101)], "#/http_allowed_hosts"),
    ],
)
async def test_bad_allow_lists_are_refused(
    client: httpx.AsyncClient, sign_up, hosts: list[str], pointer: str
) -> None:
    account = await sign_up()
    response = await client.put(
        settings_url(account.workspace_id), json={"http_allowed_hosts": hosts}
    )
    assert response.status_code == 422
    assert pointers(response) == [pointer]


async def test_members_read_tool_settings_and_only_admins_change_them(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    await client.put(settings_url(owner.workspace_id), json={"http_allowed_hosts": ["a.example"]})
    for role, may_change in [("viewer", False), ("member", False), ("admin", True)]:
        person = await sign_up(f"{role}@example.com")
        await add_member(app, owner.team_id, person.user_id, role)
        url = settings_url(owner.workspace_id)
        assert (await client.get(url)).json()["http_allowed_hosts"] == ["a.example"]
        changed = await client.put(url, json={"http_allowed_hosts": ["a.example"]})
        assert changed.status_code == (200 if may_change else 403), (role, changed.text)


async def test_documents_are_uploaded_listed_read_and_deleted(
    client: httpx.AsyncClient, sign_up, clock
) -> None:
    account = await sign_up()
    created = await upload(
        client,
        account.workspace_id,
        title="  Refund policy ",
        content="Refunds within 30 days. ✓",
        media_type="text/markdown",
    )
    assert created["id"].startswith("kdoc_")
    assert created == {
        "id": created["id"],
        "title": "Refund policy",
        "media_type": "text/markdown",
        "size_bytes": len("Refunds within 30 days. ✓".encode()),
        "created_by_user_id": account.user_id,
        "created_at": stamp(clock.now),
    }
    url = documents_url(account.workspace_id, created["id"])
    detail = (await client.get(url)).json()
    assert detail == created | {"content": "Refunds within 30 days. ✓"}
    clock.advance(minutes=1)
    second = await upload(client, account.workspace_id, title="About us", content="We are Luna.")
    assert second["media_type"] == "text/plain"

    listed = await client.get(documents_url(account.workspace_id), params={"limit": 1})
    assert [item["id"] for item in listed.json()["items"]] == [second["id"]]
    assert "content" not in listed.json()["items"][0]
    rest = await client.get(
        documents_url(account.workspace_id),
        params={"limit": 1, "cursor": listed.json()["next_cursor"]},
    )
    assert [item["id"] for item in rest.json()["items"]] == [created["id"]]
    assert rest.json()["next_cursor"] is None
    by_title = await client.get(documents_url(account.workspace_id), params={"sort": "title"})
    assert [item["title"] for item in by_title.json()["items"]] == ["About us", "Refund policy"]

    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url)).status_code == 404
    remaining = (await client.get(documents_url(account.workspace_id))).json()["items"]
    assert [item["id"] for item in remaining] == [second["id"]]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"title": "t", "content": "a" * (512 * 1024 + 1)}, "#/content"),
        ({"title": "t", "content": "binary \x00 data"}, "#/content"),
        ({"title": "t", "content": "bell \x07"}, "#/content"),
        ({"title": "t", "content": "   \n "}, "#/content"),
        ({"title": "t", "content": "x", "media_type": "application/pdf"}, "#/media_type"),
        ({"title": "", "content": "x"}, "#/title"),
        ({"title": "line\nbreak", "content": "x"}, "#/title"),
        ({"title": "t" * 201, "content": "x"}, "#/title"),
        ({"title": "t", "content": "x", "url": "http://x"}, "#/url"),
        ({"content": "x"}, "#/title"),
    ],
)
async def test_uploads_must_be_text(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], pointer: str
) -> None:
    account = await sign_up()
    response = await client.post(documents_url(account.workspace_id), json=body)
    assert response.status_code == 422, response.text
    assert pointers(response) == [pointer]


async def test_uploads_must_be_valid_unicode(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    response = await client.post(
        documents_url(account.workspace_id),
        content=b'{"title": "t", "content": "a lone \\ud800 surrogate"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert pointers(response) == ["#/content"]


async def test_the_largest_upload_is_accepted(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    content = "é" * (256 * 1024)  # 512 KiB of UTF-8
    created = await upload(client, account.workspace_id, title="Big", content=content)
    assert created["size_bytes"] == 512 * 1024


async def test_search_ranks_the_matching_document_first(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    workspace_id = account.workspace_id
    refunds = await upload(
        client,
        workspace_id,
        title="Refund policy",
        content="Customers may ask for a refund within 30 days of purchase. Refunds are "
        "paid back to the original card.",
    )
    shipping = await upload(
        client,
        workspace_id,
        title="Shipping",
        content="We ship worldwide within five days. Questions about refunds go to support.",
    )
    await upload(client, workspace_id, title="Team", content="Our team works from Lisbon.")
    found = await client.get(search_url(workspace_id), params={"q": "refunding purchases?"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["query"] == "refunding purchases?"
    assert [hit["document_id"] for hit in body["items"]] == [refunds["id"], shipping["id"]]
    best = body["items"][0]
    assert best["title"] == "Refund policy"
    assert "**refund**" in best["snippet"].lower()
    assert best["score"] > body["items"][1]["score"]

    one = await client.get(search_url(workspace_id), params={"q": "refund", "limit": 1})
    assert len(one.json()["items"]) == 1
    nothing = await client.get(search_url(workspace_id), params={"q": "kangaroo"})
    assert nothing.json()["items"] == []
    no_words = await client.get(search_url(workspace_id), params={"q": "?! *"})
    assert no_words.json()["items"] == []
    syntax = await client.get(search_url(workspace_id), params={"q": 'refund" OR NEAR(x'})
    assert [hit["document_id"] for hit in syntax.json()["items"]][:1] == [refunds["id"]]

    await client.delete(documents_url(workspace_id, refunds["id"]))
    after = await client.get(search_url(workspace_id), params={"q": "refund"})
    assert [hit["document_id"] for hit in after.json()["items"]] == [shipping["id"]]


async def test_search_never_crosses_workspaces(client: httpx.AsyncClient, sign_up) -> None:
    owner = await sign_up("owner@example.com")
    await upload(client, owner.workspace_id, title="Secret plan", content="Launch on Monday.")
    intruder = await sign_up("intruder@example.com")
    await upload(client, intruder.workspace_id, title="Mine", content="Nothing to launch.")
    found = await client.get(search_url(intruder.workspace_id), params={"q": "launch monday"})
    assert [hit["title"] for hit in found.json()["items"]] == ["Mine"]


def tool_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the tools domain."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.endswith("/tool-settings") or "/knowledge/" in path
        for method in operations
    )


async def test_another_teams_member_finds_nothing(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    document = await upload(client, owner.workspace_id, title="Secret", content="The secret.")
    routes = tool_routes(app)
    assert len(routes) == 7, routes
    intruder = await sign_up("intruder@example.com")  # the client is now signed in as them
    bodies = {"PUT": {"http_allowed_hosts": []}, "POST": {"title": "x", "content": "y"}}
    for method, path in routes:
        url = path.replace("{workspace_id}", owner.workspace_id).replace(
            "{document_id}", document["id"]
        )
        response = await client.request(
            method, url, json=bodies.get(method), params={"q": "secret"}
        )
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["type"] == "urn:luna:problem:not-found"
        mine = url.replace(owner.workspace_id, intruder.workspace_id)
        if "{document_id}" in path:
            # The document id in the intruder's own workspace: not found either.
            assert (await client.request(method, mine)).status_code == 404, (method, mine)


async def test_a_viewer_reads_but_cannot_write(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    document = await upload(client, owner.workspace_id, title="Shared", content="Shared text.")
    viewer = await sign_up("viewer@example.com")
    await add_member(app, owner.team_id, viewer.user_id, "viewer")
    bodies = {"PUT": {"http_allowed_hosts": []}, "POST": {"title": "x", "content": "y"}}
    for method, path in tool_routes(app):
        url = path.replace("{workspace_id}", owner.workspace_id).replace(
            "{document_id}", document["id"]
        )
        response = await client.request(
            method, url, json=bodies.get(method), params={"q": "shared"}
        )
        expected = 200 if method == "GET" else 403
        assert response.status_code == expected, (method, url, response.text)
    listed = await client.get(documents_url(owner.workspace_id))
    assert [item["id"] for item in listed.json()["items"]] == [document["id"]]


async def test_api_keys_need_the_agents_scopes(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    keys = {}
    for scope in ("agents:read", "agents:write", "runs:read"):
        created = await client.post(
            f"/api/v1/workspaces/{account.workspace_id}/api-keys",
            json={"name": scope, "scopes": [scope]},
        )
        keys[scope] = created.json()["key"]

    def sdk(scope: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api",
            headers={"Authorization": f"Bearer {keys[scope]}"},
        )

    url = documents_url(account.workspace_id)
    body = {"title": "From CI", "content": "Uploaded by a pipeline."}
    async with (
        sdk("agents:read") as reader,
        sdk("agents:write") as writer,
        sdk("runs:read") as other,
    ):
        assert (await reader.post(url, json=body)).status_code == 403
        assert (await writer.post(url, json=body)).status_code == 201
        assert (await reader.get(url)).status_code == 200
        assert (await other.get(url)).status_code == 403
        settings = settings_url(account.workspace_id)
        assert (await reader.get(settings)).status_code == 200
        changed = await writer.put(settings, json={"http_allowed_hosts": []})
        assert changed.status_code == 403
