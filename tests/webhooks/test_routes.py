"""A workspace's webhook endpoints over the API: the secret shown once, validation, the
address policy, duplicates, secret rotation, turning off and on, deletion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.security.crypto import column_context
from luna.settings import Settings
from luna.webhooks.models import WebhookEndpoint
from tests.accounts import Account
from tests.runs.conftest import json_of

pytestmark = pytest.mark.anyio

HOOK = "https://hooks.example.com/luna"


def webhooks_url(workspace_id: str, *parts: object) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/webhooks", *map(str, parts)])


async def create_endpoint(
    client: httpx.AsyncClient,
    account: Account,
    url: str = HOOK,
    event_types: list[str] | None = None,
) -> Any:
    body = {"url": url, "event_types": event_types or ["run.completed"], "description": "CI"}
    return await json_of(await client.post(webhooks_url(account.workspace_id), json=body), 201)


async def test_the_secret_is_shown_once_and_stored_encrypted(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    created = await create_endpoint(client, account, event_types=["run.failed", "run.failed"])
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["run.failed"]  # duplicates dropped
    assert created["enabled"] is True
    shown = await json_of(await client.get(webhooks_url(account.workspace_id, created["id"])))
    listed = await json_of(await client.get(webhooks_url(account.workspace_id)))
    assert "secret" not in shown
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]
    async with app.state.resources.session_factory() as session:
        row = await session.get(WebhookEndpoint, created["id"])
    assert row is not None and created["secret"] not in row.secret_encrypted
    context = column_context("webhook_endpoints", "secret_encrypted", row.id)
    assert app.state.keyring.decrypt_str(row.secret_encrypted, context=context) == created["secret"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"url": "ftp://example.com/x", "event_types": ["run.completed"]}, "url"),
        ({"url": "https://user:pw@example.com/x", "event_types": ["run.completed"]}, "url"),
        ({"url": "not a url", "event_types": ["run.completed"]}, "url"),
        ({"url": HOOK, "event_types": []}, "event_types"),
        ({"url": HOOK, "event_types": ["run.exploded"]}, "event_types"),
        ({"url": HOOK}, "event_types"),
        ({"url": HOOK, "event_types": ["run.completed"], "secret": "mine"}, "secret"),
    ],
)
async def test_bad_endpoints_are_refused_with_the_field_named(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], pointer: str
) -> None:
    account = await sign_up()
    refused = await client.post(webhooks_url(account.workspace_id), json=body)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert any(pointer in error["pointer"] for error in refused.json()["errors"])


async def test_a_cloud_metadata_address_is_refused_everywhere(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    for url in ("http://169.254.169.254/latest/meta-data", "http://metadata.google.internal/x"):
        body = {"url": url, "event_types": ["run.completed"]}
        refused = await client.post(webhooks_url(account.workspace_id), json=body)
        assert refused.status_code == 422, refused.text
        assert "metadata" in refused.json()["detail"]


class TestHosted:
    """The installation as a hosted service runs it (private networks refused)."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"webhooks_allow_private_networks": False})

    async def test_private_addresses_are_refused(self, client: httpx.AsyncClient, sign_up) -> None:
        account = await sign_up()
        for url in ("http://10.0.0.5/hook", "http://127.0.0.1:9000/hook", "http://localhost/x"):
            body = {"url": url, "event_types": ["run.completed"]}
            refused = await client.post(webhooks_url(account.workspace_id), json=body)
            assert refused.status_code == 422, refused.text
            assert "private" in refused.json()["detail"]
        allowed = await client.post(
            webhooks_url(account.workspace_id), json={"url": HOOK, "event_types": ["run.failed"]}
        )
        assert allowed.status_code == 201, allowed.text


async def test_the_same_url_twice_is_a_conflict(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    await create_endpoint(client, account)
    again = await client.post(
        webhooks_url(account.workspace_id), json={"url": HOOK, "event_types": ["run.failed"]}
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["pointer"] == "#/url"


async def test_change_turn_off_rotate_and_delete(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    created = await create_endpoint(client, account)
    url = webhooks_url(account.workspace_id, created["id"])
    changed = await json_of(
        await client.patch(
            url, json={"event_types": ["chain_run.completed"], "description": "Chains"}
        )
    )
    assert (changed["event_types"], changed["description"]) == (["chain_run.completed"], "Chains")
    off = await json_of(await client.patch(url, json={"enabled": False}))
    assert (off["enabled"], off["disabled_reason"]) == (False, "Turned off by a member.")
    assert (await client.post(f"{url}/test")).status_code == 409
    rotated = await json_of(await client.post(f"{url}/rotate-secret"))
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    shown = await json_of(await client.get(url))
    assert shown["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"{url}/deliveries")).status_code == 404
