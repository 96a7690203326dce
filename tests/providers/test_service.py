"""Which model a run uses: resolve_model, on real persistence."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.agents.definition import ModelChoice, ModelSettings
from luna.deps import KeyringDep, SessionDep
from luna.errors import NotFound
from luna.providers.build import ResolvedModel
from luna.providers.errors import NoProviderConfigured
from luna.providers.service import resolve_model
from tests.providers.helpers import ANTHROPIC_KEY, claude_body, create_provider, providers_url

pytestmark = pytest.mark.anyio

LOCAL = {"name": "Ollama", "kind": "openai_compatible", "base_url": "http://127.0.0.1:11434/v1"}


async def resolve(
    app: FastAPI, workspace_id: str, choice: ModelChoice | None = None
) -> ResolvedModel:
    async with app.state.resources.session_factory() as session:
        return await resolve_model(
            session=session,
            keyring=app.state.keyring,
            workspace_id=workspace_id,
            choice=choice,
            allow_private_networks=True,
        )


@pytest.fixture
def resolving_app(app: FastAPI) -> FastAPI:
    """The app with a route that resolves the workspace's default model, as a run does."""

    async def resolve_default(
        workspace_id: str, session: SessionDep, keyring: KeyringDep
    ) -> dict[str, Any]:
        resolved = await resolve_model(
            session=session,
            keyring=keyring,
            workspace_id=workspace_id,
            choice=None,
            allow_private_networks=True,
        )
        return {"model": resolved.model_name}

    app.add_api_route("/api/v1/test/resolve/{workspace_id}", resolve_default, methods=["POST"])
    return app


async def test_the_default_provider_and_its_default_model(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    claude = await create_provider(client, account.workspace_id, **claude_body())
    await create_provider(client, account.workspace_id, **LOCAL)

    resolved = await resolve(app, account.workspace_id)

    assert resolved == ResolvedModel(
        provider_id=claude["id"],
        kind="anthropic",
        base_url=None,
        api_key=ANTHROPIC_KEY,
        model_name="claude-sonnet-4-6",
        settings=ModelSettings(),
        logprobs=False,
        allow_private_networks=True,
    )


async def test_a_chosen_provider_model_and_settings(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    await create_provider(client, account.workspace_id, **claude_body())
    local = await create_provider(client, account.workspace_id, **LOCAL)
    settings = ModelSettings(temperature=0.1, max_tokens=64)
    choice = ModelChoice(provider_id=local["id"], model="qwen3:8b", settings=settings)

    resolved = await resolve(app, account.workspace_id, choice)

    assert resolved == ResolvedModel(
        provider_id=local["id"],
        kind="openai_compatible",
        base_url="http://127.0.0.1:11434/v1",
        api_key=None,
        model_name="qwen3:8b",
        settings=settings,
        logprobs=True,
        allow_private_networks=True,
    )
    await client.patch(
        providers_url(account.workspace_id, local["id"]), json={"options": {"logprobs": False}}
    )
    assert (await resolve(app, account.workspace_id, choice)).logprobs is False


async def test_a_provider_of_another_workspace_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    other = (await client.post("/api/v1/teams", json={"name": "Other"})).json()
    foreign = await create_provider(client, other["workspaces"][0]["id"], **claude_body())
    await create_provider(client, account.workspace_id, **LOCAL)

    with pytest.raises(NotFound):
        await resolve(app, account.workspace_id, ModelChoice(provider_id=foreign["id"], model="m"))


async def test_no_provider_says_how_to_add_one(
    resolving_app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    response = await client.post(f"/api/v1/test/resolve/{account.workspace_id}")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:no-provider-configured"
    assert f"POST /api/v1/workspaces/{account.workspace_id}/providers" in problem["detail"]
    assert '"kind": "anthropic"' in problem["detail"]
    assert "docs/providers.md" in problem["detail"]
    assert problem["documentation"] == "docs/providers.md"


async def test_a_default_provider_without_a_default_model(
    resolving_app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    local = await create_provider(client, account.workspace_id, **LOCAL)
    url = f"/api/v1/test/resolve/{account.workspace_id}"

    response = await client.post(url)
    assert response.status_code == 409
    assert response.json()["provider_id"] == local["id"]
    assert '"default_model"' in response.json()["detail"]

    await client.patch(
        providers_url(account.workspace_id, local["id"]), json={"default_model": "llama3.2"}
    )
    assert (await client.post(url)).json() == {"model": "llama3.2"}


async def test_providers_without_a_default(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    local = await create_provider(client, account.workspace_id, **LOCAL)
    await client.patch(providers_url(account.workspace_id, local["id"]), json={"is_default": False})
    with pytest.raises(NoProviderConfigured) as raised:
        await resolve(app, account.workspace_id)
    assert '{"is_default": true}' in raised.value.detail
    assert raised.value.status == 409
