"""Password sign-in honours a team's "SSO required" rule."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from luna.tenancy.models import Team, TeamSsoConfig
from tests.accounts import STRONG_PASSWORD

pytestmark = pytest.mark.anyio


async def require_sso(app: FastAPI, team_id: str, *, required: bool) -> None:
    async with app.state.resources.session_factory() as session:
        team = await session.get(Team, team_id)
        assert team is not None
        team.plan = "scale"
        session.add(
            TeamSsoConfig(
                team_id=team_id,
                issuer="https://idp.example.com",
                client_id="luna",
                client_secret_encrypted="v1.sealed-by-the-keyring",
                enabled=True,
                sso_required=required,
            )
        )
        await session.commit()


@pytest.mark.parametrize("required", [True, False])
async def test_password_sign_in_follows_the_team_rule(
    app: FastAPI, client: httpx.AsyncClient, sign_up, required: bool
) -> None:
    account = await sign_up()
    await require_sso(app, account.team_id, required=required)
    response = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": STRONG_PASSWORD}
    )
    if required:
        assert response.status_code == 403
        assert response.json()["type"] == "urn:luna:problem:sso-required"
    else:
        assert response.status_code == 200


async def test_wrong_password_answers_401_even_when_sso_is_required(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    await require_sso(app, account.team_id, required=True)
    response = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": "not the password"}
    )
    assert response.status_code == 401
