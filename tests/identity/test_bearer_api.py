"""The API accepts bearer JWTs of the installation's identity provider, for linked users."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from luna.app import create_app
from luna.identity.models import ExternalIdentity
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD
from tests.conftest import browser_client
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.anyio

AUDIENCE = "api://luna"


@pytest.fixture
async def trusting_app(settings: Settings, oidc_provider: OidcProvider) -> AsyncIterator[FastAPI]:
    values = settings.model_dump() | {
        "bearer_jwks_url": oidc_provider.jwks_uri,
        "bearer_issuers": [oidc_provider.issuer],
        "bearer_audiences": [AUDIENCE],
    }
    app = create_app(Settings.model_validate(values))
    async with app.router.lifespan_context(app):
        yield app


async def signed_up_workspace(app: FastAPI, oidc_provider: OidcProvider) -> str:
    async with browser_client(app) as browser:
        body = (
            await browser.post(
                "/api/v1/auth/signup",
                json={"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "A"},
            )
        ).json()
    async with app.state.resources.session_factory() as session:
        session.add(
            ExternalIdentity(
                user_id=body["user"]["id"], issuer=oidc_provider.issuer, subject="entra-user-1"
            )
        )
        await session.commit()
    return str(body["teams"][0]["workspaces"][0]["id"])


def unsigned(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': 'x'})}.{part(claims)}."


async def test_linked_user_reaches_workspaces_with_a_jwt(
    trusting_app: FastAPI, oidc_provider: OidcProvider
) -> None:
    workspace_id = await signed_up_workspace(trusting_app, oidc_provider)
    token = oidc_provider.sign({"sub": "entra-user-1", "aud": AUDIENCE})
    transport = httpx.ASGITransport(app=trusting_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://api", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        assert (await api.get(f"/api/v1/workspaces/{workspace_id}")).status_code == 200
        assert (await api.get("/api/v1/me")).status_code == 403  # not an account session


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "someone-else", "aud": AUDIENCE},
        {"sub": "entra-user-1", "aud": "api://other"},
        {"sub": "entra-user-1", "aud": AUDIENCE, "iss": "https://evil.example"},
    ],
)
async def test_refused_tokens_answer_401(
    trusting_app: FastAPI, oidc_provider: OidcProvider, claims: dict[str, object]
) -> None:
    workspace_id = await signed_up_workspace(trusting_app, oidc_provider)
    token = oidc_provider.sign(claims)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=trusting_app),
        base_url="http://api",
        headers={"Authorization": f"Bearer {token}"},
    ) as api:
        response = await api.get(f"/api/v1/workspaces/{workspace_id}")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_alg_none_is_refused(trusting_app: FastAPI, oidc_provider: OidcProvider) -> None:
    workspace_id = await signed_up_workspace(trusting_app, oidc_provider)
    token = unsigned({"sub": "entra-user-1", "aud": AUDIENCE, "iss": oidc_provider.issuer})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=trusting_app),
        base_url="http://api",
        headers={"Authorization": f"Bearer {token}"},
    ) as api:
        assert (await api.get(f"/api/v1/workspaces/{workspace_id}")).status_code == 401


async def test_without_a_trusted_provider_jwts_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/workspaces", headers={"Authorization": "Bearer a.b.c"})
    assert response.status_code == 401
