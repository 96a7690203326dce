"""Checking a provider's changes before saving them: the edit form's "check" and its model
picker. The probe uses the new address or key; nothing of the provider changes."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.providers.helpers import closed_port_url, create_provider, pointers, providers_url
from tests.providers.test_routes import audit_events, stored_row
from tests.standins import OpenAIStandin
from tests.tenancy.test_members import teammate

pytestmark = pytest.mark.anyio


async def local_provider(client: httpx.AsyncClient, workspace_id: str, base_url: str) -> str:
    created = await create_provider(
        client,
        workspace_id,
        name="GPU box",
        kind="openai_compatible",
        base_url=base_url,
        api_key="an-old-key-that-no-longer-works",
        default_model="gpt-4.1-mini",
    )
    return str(created["id"])


async def test_a_new_key_is_checked_and_its_models_listed_without_being_saved(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    provider_id = await local_provider(client, account.workspace_id, openai_standin.base_url)
    url = providers_url(account.workspace_id, provider_id)
    # The stored key is refused.
    assert (await client.post(f"{url}/check")).json()["ok"] is False

    checked = await client.post(f"{url}/check-changes", json={"api_key": openai_standin.api_key})

    assert checked.status_code == 200, checked.text
    result = checked.json()
    assert (result["ok"], result["error"]) == (True, None)
    assert result["models"] == openai_standin.models
    assert openai_standin.requests[-1].headers["authorization"] == (
        f"Bearer {openai_standin.api_key}"
    )
    # Nothing was saved: the old key, and the stored check is still the failed one.
    row = await stored_row(app, provider_id)
    assert row.last_check_ok is False
    shown = (await client.get(url)).json()
    assert shown["api_key_hint"] == "orks"
    events = await audit_events(app, account.team_id)
    assert [event.action for event in events][-1] == "provider.checked"
    assert events[-1].data["changes"] == ["api_key"]
    assert openai_standin.api_key not in str([event.data for event in events])


async def test_a_stored_key_is_never_sent_to_a_new_address(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    stored_address = closed_port_url()
    provider_id = await local_provider(client, account.workspace_id, stored_address)
    url = providers_url(account.workspace_id, provider_id)

    moved = await client.post(f"{url}/check-changes", json={"base_url": openai_standin.base_url})
    assert moved.status_code == 422
    assert pointers(moved) == ["#/api_key"]
    assert openai_standin.requests == []

    # With the key given again, the new address is probed with it.
    both = {"base_url": openai_standin.base_url, "api_key": openai_standin.api_key}
    checked = await client.post(f"{url}/check-changes", json=both)
    assert checked.json()["ok"] is True
    assert len(openai_standin.requests) == 1
    # The stored address is unchanged.
    assert (await client.get(url)).json()["base_url"] == stored_address


async def test_only_those_who_may_change_a_provider_check_changes(
    app: FastAPI, client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    owner = await sign_up("owner@example.com")
    provider_id = await local_provider(client, owner.workspace_id, openai_standin.base_url)
    url = providers_url(owner.workspace_id, provider_id, "check-changes")
    async with teammate(app, owner.team_id, "max@example.com", "member") as member:
        refused = await member.http.post(url, json={"api_key": openai_standin.api_key})
        assert refused.status_code == 403
    other = await sign_up("other@example.com")
    foreign = providers_url(other.workspace_id, provider_id, "check-changes")
    assert (await client.post(foreign, json={})).status_code == 404
    assert openai_standin.requests == []


async def test_changes_that_are_not_an_update_are_refused(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    provider_id = await local_provider(client, account.workspace_id, openai_standin.base_url)
    url = providers_url(account.workspace_id, provider_id, "check-changes")
    unknown = await client.post(url, json={"password": "x"})
    assert unknown.status_code == 422
    metadata = await client.post(
        url, json={"base_url": "http://169.254.169.254/v1", "api_key": "k" * 20}
    )
    assert metadata.status_code == 422
    assert openai_standin.requests == []
