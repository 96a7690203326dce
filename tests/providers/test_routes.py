"""A workspace's providers through the HTTP API: add, list, read, change, delete, check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.providers.models import Provider
from luna.security.crypto import column_context
from luna.tenancy.models import AuditEvent
from tests.accounts import STRONG_PASSWORD
from tests.conftest import browser_client
from tests.providers.helpers import (
    ANTHROPIC_KEY,
    claude_body,
    closed_port_url,
    create_provider,
    pointers,
    providers_url,
)
from tests.standins import AnthropicStandin, OpenAIStandin
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio

LOCAL = {"name": "Ollama", "kind": "openai_compatible", "base_url": "http://127.0.0.1:11434/v1"}


async def stored_row(app: FastAPI, provider_id: str) -> Provider:
    async with app.state.resources.session_factory() as session:
        provider = await session.get(Provider, provider_id)
    assert provider is not None
    return provider


async def audit_events(app: FastAPI, team_id: str) -> list[AuditEvent]:
    async with app.state.resources.session_factory() as session:
        events = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.team_id == team_id, AuditEvent.action.startswith("provider."))
            .order_by(AuditEvent.id)
        )
        return list(events)


async def test_adding_a_provider_stores_the_key_sealed_and_never_shows_it(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    response = await client.post(providers_url(account.workspace_id), json=claude_body())

    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == providers_url(account.workspace_id, created["id"])
    assert created["id"].startswith("prv_")
    assert created["kind"] == "anthropic"
    assert created["base_url"] is None
    assert created["default_model"] == "claude-sonnet-4-6"
    assert created["is_default"] is True  # the workspace's first provider
    assert created["api_key_set"] is True
    assert created["api_key_hint"] == ANTHROPIC_KEY[-4:]
    assert created["last_checked_at"] is None
    listed = await client.get(providers_url(account.workspace_id))
    fetched = await client.get(providers_url(account.workspace_id, created["id"]))
    assert fetched.json() == created
    assert listed.json() == {"items": [created], "next_cursor": None}
    for text in (response.text, listed.text, fetched.text):
        assert ANTHROPIC_KEY not in text
        assert ANTHROPIC_KEY[:-4] not in text

    row = await stored_row(app, created["id"])
    assert row.api_key_encrypted is not None
    assert ANTHROPIC_KEY not in row.api_key_encrypted
    context = column_context("providers", "api_key_encrypted", row.id)
    assert app.state.keyring.decrypt_str(row.api_key_encrypted, context=context) == ANTHROPIC_KEY


async def test_a_local_server_needs_a_base_url_and_no_key(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    created = await create_provider(client, account.workspace_id, **LOCAL)
    assert created["api_key_set"] is False
    assert created["api_key_hint"] is None
    assert created["base_url"] == "http://127.0.0.1:11434/v1"
    assert created["options"] == {"logprobs": None}


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"name": "x", "kind": "openai_compatible"}, "#/base_url"),
        ({"name": "x", "kind": "anthropic"}, "#/api_key"),
        ({"name": "x", "kind": "openai", "base_url": "https://gw.example.com/v1"}, "#/api_key"),
        (LOCAL | {"base_url": "ftp://127.0.0.1/v1"}, "#/base_url"),
        (LOCAL | {"base_url": "http://user:pw@127.0.0.1/v1"}, "#/base_url"),
        (LOCAL | {"base_url": "http://127.0.0.1/v1?key=1"}, "#/base_url"),
        (LOCAL | {"kind": "gemini"}, "#/kind"),
        (LOCAL | {"api_key": "two words"}, "#/api_key"),
        (LOCAL | {"name": " "}, "#/name"),
        (LOCAL | {"owner": "me"}, "#/owner"),
        (claude_body(options={"logprobs": True}), "#/options/logprobs"),
        (LOCAL | {"options": {"temperature": 1}}, "#/options/temperature"),
    ],
)
async def test_invalid_providers_are_refused_on_the_field(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], pointer: str
) -> None:
    account = await sign_up()
    response = await client.post(providers_url(account.workspace_id), json=body)
    assert response.status_code == 422, response.text
    assert pointer in pointers(response)
    assert "two words" not in response.text


async def test_names_are_unique_in_a_workspace(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    await create_provider(client, account.workspace_id, **LOCAL)
    again = await client.post(providers_url(account.workspace_id), json=LOCAL)
    assert again.status_code == 409
    assert pointers(again) == ["#/name"]


async def test_one_default_provider_per_workspace(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    first = await create_provider(client, account.workspace_id, **LOCAL)
    second = await create_provider(client, account.workspace_id, **claude_body())
    assert (first["is_default"], second["is_default"]) == (True, False)
    third = await create_provider(client, account.workspace_id, **LOCAL | {"name": "vLLM"})
    assert third["is_default"] is False

    made = await client.patch(
        providers_url(account.workspace_id, second["id"]), json={"is_default": True}
    )
    assert made.status_code == 200, made.text
    assert made.json()["is_default"] is True
    listed = (await client.get(providers_url(account.workspace_id))).json()["items"]
    assert [item["name"] for item in listed if item["is_default"]] == ["Claude"]

    fourth = await create_provider(
        client, account.workspace_id, **LOCAL | {"name": "LM Studio", "is_default": True}
    )
    listed = (await client.get(providers_url(account.workspace_id))).json()["items"]
    assert [item["id"] for item in listed if item["is_default"]] == [fourth["id"]]

    cleared = await client.patch(
        providers_url(account.workspace_id, fourth["id"]), json={"is_default": False}
    )
    assert cleared.json()["is_default"] is False
    listed = (await client.get(providers_url(account.workspace_id))).json()["items"]
    assert not any(item["is_default"] for item in listed)


async def test_changing_a_provider(client: httpx.AsyncClient, sign_up, clock) -> None:
    account = await sign_up()
    created = await create_provider(client, account.workspace_id, **LOCAL)
    url = providers_url(account.workspace_id, created["id"])
    clock.advance(minutes=5)

    renamed = await client.patch(
        url, json={"name": "Home GPU", "default_model": "qwen3:8b", "options": {"logprobs": False}}
    )
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert (body["name"], body["default_model"]) == ("Home GPU", "qwen3:8b")
    assert body["options"] == {"logprobs": False}
    assert body["updated_at"] != created["updated_at"]

    keyed = await client.patch(url, json={"api_key": "local-secret-token-9876"})
    assert (keyed.json()["api_key_set"], keyed.json()["api_key_hint"]) == (True, "9876")
    short = await client.patch(url, json={"api_key": "tiny"})
    assert (short.json()["api_key_set"], short.json()["api_key_hint"]) == (True, None)
    unkeyed = await client.patch(url, json={"api_key": None, "default_model": None})
    assert unkeyed.json()["api_key_set"] is False
    assert unkeyed.json()["default_model"] is None

    for body, pointer in [
        ({"name": None}, "#/name"),
        ({"base_url": None}, "#/base_url"),
        ({"kind": "openai"}, "#/kind"),
    ]:
        refused = await client.patch(url, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert pointers(refused) == [pointer]


async def test_a_stored_key_never_follows_a_new_base_url(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    created = await create_provider(client, account.workspace_id, **claude_body())
    url = providers_url(account.workspace_id, created["id"])

    moved = await client.patch(url, json={"base_url": "https://attacker.example.com"})
    assert moved.status_code == 422
    assert pointers(moved) == ["#/api_key"]
    assert (await stored_row(app, created["id"])).base_url is None

    rekeyed = await client.patch(
        url, json={"base_url": "https://gateway.example.com", "api_key": "sk-ant-gateway-key-1111"}
    )
    assert rekeyed.status_code == 200, rekeyed.text
    assert rekeyed.json()["base_url"] == "https://gateway.example.com"
    assert rekeyed.json()["api_key_hint"] == "1111"
    no_key = await client.patch(url, json={"api_key": None})
    assert no_key.status_code == 422  # Anthropic needs one
    assert pointers(no_key) == ["#/api_key"]


async def test_deleting_a_provider(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    used = await create_provider(client, account.workspace_id, **LOCAL)
    unused = await create_provider(client, account.workspace_id, **claude_body())
    definition = {
        "instructions": "Answer briefly.",
        "model": {"provider_id": used["id"], "model": "llama3.2"},
    }
    agent = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/agents",
        json={"name": "Helper", "definition": definition},
    )
    assert agent.status_code == 201, agent.text

    refused = await client.delete(providers_url(account.workspace_id, used["id"]))
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["reason"] == "provider-in-use"
    assert problem["agent_ids"] == [agent.json()["id"]]
    assert "'Helper'" in problem["detail"]

    deleted = await client.delete(providers_url(account.workspace_id, unused["id"]))
    assert deleted.status_code == 204
    gone = await client.get(providers_url(account.workspace_id, unused["id"]))
    assert gone.status_code == 404
    moved = await client.patch(
        f"/api/v1/workspaces/{account.workspace_id}/agents/{agent.json()['id']}",
        json={"definition": {"instructions": "Answer briefly."}},
    )
    assert moved.status_code == 200, moved.text
    assert (await client.delete(providers_url(account.workspace_id, used["id"]))).status_code == 204


async def test_another_tenant_sees_nothing(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    owner = await sign_up("owner@example.com")
    created = await create_provider(
        client,
        owner.workspace_id,
        **LOCAL | {"base_url": openai_standin.base_url, "api_key": openai_standin.api_key},
    )
    async with browser_client(app) as intruder:
        signed = await intruder.post(
            "/api/v1/auth/signup",
            json={"email": "eve@example.com", "password": STRONG_PASSWORD, "display_name": "E"},
        )
        own_workspace = signed.json()["teams"][0]["workspaces"][0]["id"]
        for workspace in (owner.workspace_id, own_workspace):
            url = providers_url(workspace, created["id"])
            for method, path, body in [
                ("GET", url, None),
                ("PATCH", url, {"name": "Mine"}),
                ("DELETE", url, None),
                ("POST", f"{url}/check", None),
            ]:
                response = await intruder.request(method, path, json=body)
                assert response.status_code == 404, (method, path, response.text)
                assert response.json()["type"] == "urn:luna:problem:not-found"
        listed = await intruder.get(providers_url(own_workspace))
        assert listed.json()["items"] == []
    assert openai_standin.requests == []
    assert (await client.get(providers_url(owner.workspace_id, created["id"]))).json() == created


async def test_roles_decide_who_configures_and_who_checks(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    owner = await sign_up("owner@example.com")
    created = await create_provider(
        client, owner.workspace_id, **LOCAL | {"base_url": openai_standin.base_url}
    )
    url = providers_url(owner.workspace_id, created["id"])
    async with (
        teammate(app, owner.team_id, "vera@example.com", "viewer") as viewer,
        teammate(app, owner.team_id, "max@example.com", "member") as member,
    ):
        for who in (viewer, member):
            assert (await who.http.get(url)).status_code == 200
            assert (
                await who.http.post(providers_url(owner.workspace_id), json=LOCAL)
            ).status_code == 403
            assert (await who.http.patch(url, json={"name": "x"})).status_code == 403
            assert (await who.http.delete(url)).status_code == 403
        assert (await viewer.http.post(f"{url}/check")).status_code == 403
        checked = await member.http.post(f"{url}/check")
        assert checked.status_code == 200, checked.text
    assert len(openai_standin.requests) == 1


async def test_api_key_scopes(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    created = await create_provider(client, account.workspace_id, **LOCAL)
    keys = {}
    for scope in ("providers:read", "providers:write", "admin"):
        response = await client.post(
            f"/api/v1/workspaces/{account.workspace_id}/api-keys",
            json={"name": scope, "scopes": [scope]},
        )
        assert response.status_code == 201, response.text
        keys[scope] = response.json()["key"]

    def sdk(scope: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api",
            headers={"Authorization": f"Bearer {keys[scope]}"},
        )

    url = providers_url(account.workspace_id)
    async with (
        sdk("providers:read") as reader,
        sdk("providers:write") as checker,
        sdk("admin") as admin,
    ):
        assert (await reader.get(url)).status_code == 200
        assert (await reader.post(f"{url}/{created['id']}/check")).status_code == 403
        assert (await checker.get(url)).status_code == 403
        assert (await checker.post(url, json=claude_body())).status_code == 403
        added = await admin.post(url, json=claude_body())
        assert added.status_code == 201, added.text


async def test_check_an_openai_compatible_server(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    created = await create_provider(
        client,
        account.workspace_id,
        **LOCAL | {"base_url": openai_standin.base_url, "api_key": openai_standin.api_key},
    )
    checked = await client.post(providers_url(account.workspace_id, created["id"], "check"))

    assert checked.status_code == 200, checked.text
    result = checked.json()
    assert result["ok"] is True
    assert result["error"] is None
    assert result["models"] == openai_standin.models
    assert result["latency_ms"] > 0
    [request] = openai_standin.requests
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {openai_standin.api_key}"
    shown = (await client.get(providers_url(account.workspace_id, created["id"]))).json()
    assert shown["last_check_ok"] is True
    assert shown["last_check_latency_ms"] == result["latency_ms"]
    checked_at = clock.now.isoformat().replace("+00:00", "Z")
    assert shown["last_checked_at"] == result["checked_at"] == checked_at
    assert shown["last_check_error"] is None


async def test_check_anthropic(
    client: httpx.AsyncClient, sign_up, anthropic_standin: AnthropicStandin
) -> None:
    account = await sign_up()
    created = await create_provider(
        client,
        account.workspace_id,
        **claude_body(base_url=anthropic_standin.base_url, api_key=anthropic_standin.api_key),
    )
    checked = await client.post(providers_url(account.workspace_id, created["id"], "check"))
    assert checked.status_code == 200, checked.text
    assert checked.json()["ok"] is True
    assert checked.json()["models"] == anthropic_standin.models
    assert [request.path for request in anthropic_standin.requests] == ["/v1/models"]


async def test_a_wrong_key_is_a_failed_check_not_an_error(
    app: FastAPI, client: httpx.AsyncClient, sign_up, anthropic_standin: AnthropicStandin
) -> None:
    account = await sign_up()
    created = await create_provider(
        client, account.workspace_id, **claude_body(base_url=anthropic_standin.base_url)
    )
    checked = await client.post(providers_url(account.workspace_id, created["id"], "check"))

    assert checked.status_code == 200, checked.text
    result = checked.json()
    assert (result["ok"], result["models"]) == (False, [])
    assert result["error"]["code"] == "provider-auth"
    assert result["error"]["status"] == 401
    assert ANTHROPIC_KEY[-8:] not in checked.text
    row = await stored_row(app, created["id"])
    assert row.last_check_ok is False
    assert row.last_check_error == result["error"]["message"]


async def test_a_server_that_is_down_is_a_failed_check(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    created = await create_provider(
        client, account.workspace_id, **LOCAL | {"base_url": closed_port_url()}
    )
    checked = await client.post(providers_url(account.workspace_id, created["id"], "check"))
    assert checked.status_code == 200, checked.text
    assert checked.json()["ok"] is False
    assert checked.json()["error"]["code"] == "provider-unavailable"
    assert checked.json()["error"]["status"] is None


async def test_changes_are_audited_without_the_key(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    created = await create_provider(
        client, account.workspace_id, **LOCAL | {"base_url": openai_standin.base_url}
    )
    url = providers_url(account.workspace_id, created["id"])
    await client.patch(url, json={"api_key": "local-secret-token-9876", "name": "GPU"})
    await client.post(f"{url}/check")
    await client.delete(url)

    events = await audit_events(app, account.team_id)
    assert [event.action for event in events] == [
        "provider.created",
        "provider.updated",
        "provider.checked",
        "provider.deleted",
    ]
    assert {event.target_id for event in events} == {created["id"]}
    assert {event.actor_user_id for event in events} == {account.user_id}
    assert events[1].data["changed"] == ["name", "api_key"]
    assert (events[2].data["ok"], events[2].data["error"]) == (False, "provider-auth")
    assert "9876" not in str([event.data for event in events])
    logged = await client.get(
        f"/api/v1/teams/{account.team_id}/audit-log", params={"action": "provider.checked"}
    )
    assert [event["action"] for event in logged.json()["items"]] == ["provider.checked"]


async def test_pages(client: httpx.AsyncClient, sign_up, clock) -> None:
    account = await sign_up()
    names = ["delta", "alpha", "charlie", "bravo", "echo"]
    for name in names:
        clock.advance(seconds=1)
        await create_provider(client, account.workspace_id, **LOCAL | {"name": name})
    url = providers_url(account.workspace_id)
    for sort, expected in [
        ("name", sorted(names)),
        ("-name", sorted(names, reverse=True)),
        ("created_at", names),
        ("-created_at", names[::-1]),
    ]:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"sort": sort, "limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get(url, params=params)).json()
            seen += [item["name"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected, sort
