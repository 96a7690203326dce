"""Session cookies, timeouts, fingerprint binding, revocation and CSRF."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from luna.app import create_app
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD, MovableClock
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio


def cookie_header(response: httpx.Response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie")


async def test_https_cookie_has_host_prefix_and_every_attribute(settings: Settings) -> None:
    values = settings.model_dump() | {"public_url": "https://luna.example.com"}
    app = create_app(Settings.model_validate(values))
    async with app.router.lifespan_context(app), browser_client(app) as client:
        response = await client.post(
            "/api/v1/auth/signup",
            json={"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "A"},
        )
    assert response.status_code == 201, response.text
    header = cookie_header(response)
    name, _, rest = header.partition("=")
    attributes = {part.strip().split("=")[0].lower() for part in rest.split(";")[1:]}
    assert name == "__Host-luna_session"
    assert attributes == {"httponly", "secure", "samesite", "path"}
    assert "samesite=strict" in header.lower()
    assert "path=/" in header.lower()
    assert "max-age" not in header.lower() and "domain" not in header.lower()


async def test_plain_http_localhost_relaxes_only_secure(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "A"},
    )
    header = cookie_header(response).lower()
    assert header.startswith("luna_session=")
    assert "httponly" in header and "samesite=strict" in header and "secure" not in header


async def test_login_issues_a_new_session_id(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    first = client.cookies.get("luna_session")
    login = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["mfa_required"] is False
    assert login.json()["me"]["user"]["email"] == account.email
    assert client.cookies.get("luna_session") != first


async def test_logout_revokes_on_the_server(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    token = client.cookies.get("luna_session")
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    client.cookies.set("luna_session", token or "")
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_idle_session_ends_after_75_minutes(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    clock.advance(minutes=74)
    assert (await client.get("/api/v1/me")).status_code == 200  # slides the idle window
    clock.advance(minutes=74)
    assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(minutes=76)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_active_session_ends_after_8_hours(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    for _ in range(7):
        clock.advance(hours=1)
        assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(minutes=59)
    assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(minutes=1)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_changed_user_agent_kills_the_session(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    moved = await client.get("/api/v1/me", headers={"User-Agent": "curl/8.0"})
    assert moved.status_code == 401
    back = await client.get("/api/v1/me")
    assert back.status_code == 401  # the session was ended, not just refused once


async def test_another_network_kills_the_session(app: FastAPI, sign_up) -> None:
    account = await sign_up()
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 1234))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://127.0.0.1:8000",
        cookies=account.cookies,
        headers={"User-Agent": "Mozilla/5.0 (test browser)"},
    ) as elsewhere:
        assert (await elsewhere.get("/api/v1/me")).status_code == 401


async def test_list_and_revoke_sessions(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    async with browser_client(app) as laptop:
        await laptop.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": STRONG_PASSWORD}
        )
        listed = (await client.get("/api/v1/me/sessions")).json()["items"]
        assert len(listed) == 2
        assert sum(item["current"] for item in listed) == 1
        other = next(item for item in listed if not item["current"])
        revoked = await client.delete(f"/api/v1/me/sessions/{other['id']}")
        assert revoked.status_code == 204
        assert (await laptop.get("/api/v1/me")).status_code == 401
        again = await client.delete(f"/api/v1/me/sessions/{other['id']}")
        assert again.status_code == 404


async def test_sign_out_everywhere(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    async with browser_client(app) as laptop:
        await laptop.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": STRONG_PASSWORD}
        )
        assert (await client.delete("/api/v1/me/sessions")).status_code == 204
        assert (await laptop.get("/api/v1/me")).status_code == 401
        assert (await client.get("/api/v1/me")).status_code == 401


async def test_cookie_write_from_a_foreign_origin_is_refused(
    client: httpx.AsyncClient, sign_up
) -> None:
    await sign_up()
    response = await client.post(
        "/api/v1/teams", json={"name": "Evil"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:luna:problem:csrf-rejected"


async def test_cookie_write_without_origin_or_referer_is_refused(
    client: httpx.AsyncClient, sign_up
) -> None:
    await sign_up()
    del client.headers["Origin"]
    refused = await client.post("/api/v1/teams", json={"name": "X"})
    assert refused.status_code == 403
    allowed = await client.post(
        "/api/v1/teams", json={"name": "X"}, headers={"Referer": "http://127.0.0.1:8000/teams"}
    )
    assert allowed.status_code == 201


async def test_cross_site_fetch_metadata_is_refused(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    response = await client.post(
        "/api/v1/teams", json={"name": "X"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


async def test_same_origin_cookie_write_is_allowed(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    response = await client.post("/api/v1/teams", json={"name": "Research"})
    assert response.status_code == 201
    assert response.json()["role"] == "owner"
