"""Sign-up, sign-in with lockout, email verification, password reset and change."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.accounts import STRONG_PASSWORD, MovableClock, emailed_token

pytestmark = pytest.mark.anyio


async def test_sign_up_creates_personal_team_and_workspace(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up("  Ada@Example.COM ")
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    body = me.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["email_verified"] is False
    assert body["teams"][0]["role"] == "owner"
    assert body["teams"][0]["personal"] is True
    assert body["teams"][0]["workspaces"][0]["id"] == account.workspace_id
    assert account.workspace_id.startswith("ws_")


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up("ada@example.com")
    again = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ADA@example.com", "password": STRONG_PASSWORD, "display_name": "A"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123456", "aaaaaaaaaaaa", "1234567890ab"[:10], "ada-lovelace-99"],
)
async def test_weak_passwords_are_refused(client: httpx.AsyncClient, password: str) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "ada-lovelace@example.com", "password": password, "display_name": "A"},
    )
    assert response.status_code == 422, password
    assert response.json()["errors"][0]["pointer"] == "#/password"


async def test_invalid_email_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "not-an-email", "password": STRONG_PASSWORD, "display_name": "A"},
    )
    assert response.status_code == 422


async def test_login_wrong_password_then_lockout(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    client.cookies.clear()
    for _ in range(5):
        wrong = await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": "nope nope nope"}
        )
        assert wrong.status_code == 401
    locked = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": STRONG_PASSWORD}
    )
    assert locked.status_code == 423
    assert int(locked.headers["retry-after"]) > 0
    clock.advance(minutes=16)
    ok = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": STRONG_PASSWORD}
    )
    assert ok.status_code == 200


async def test_unknown_email_and_wrong_password_answer_alike(
    client: httpx.AsyncClient, sign_up
) -> None:
    await sign_up()
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": STRONG_PASSWORD}
    )
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "wrong password!"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


async def test_verify_email_once(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    token = await emailed_token(app, "ada@example.com", "verify-email")
    first = await client.post("/api/v1/auth/email/verify", json={"token": token})
    assert first.status_code == 204
    assert (await client.get("/api/v1/me")).json()["user"]["email_verified"] is True
    reused = await client.post("/api/v1/auth/email/verify", json={"token": token})
    assert reused.status_code == 422


async def test_verification_link_expires(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    token = await emailed_token(app, "ada@example.com", "verify-email")
    clock.advance(hours=49)
    assert (
        await client.post("/api/v1/auth/email/verify", json={"token": token})
    ).status_code == 422


async def test_password_reset_signs_out_everywhere(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    await sign_up()
    assert (await client.get("/api/v1/me")).status_code == 200
    forgot = await client.post("/api/v1/auth/password/forgot", json={"email": "ada@example.com"})
    assert forgot.status_code == 202
    token = await emailed_token(app, "ada@example.com", "reset-password")
    new_password = "a brand new long passphrase"
    reset = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": new_password}
    )
    assert reset.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401
    reused = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "another long passphrase"}
    )
    assert reused.status_code == 422
    old = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": STRONG_PASSWORD}
    )
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": new_password}
    )
    assert new.status_code == 200


async def test_reset_for_unknown_email_answers_the_same(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/password/forgot", json={"email": "nobody@example.com"}
    )
    assert response.status_code == 202


async def test_expired_reset_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    await client.post("/api/v1/auth/password/forgot", json={"email": "ada@example.com"})
    token = await emailed_token(app, "ada@example.com", "reset-password")
    clock.advance(hours=2)
    response = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "a brand new passphrase"}
    )
    assert response.status_code == 422


async def test_change_password_rotates_session_and_ends_others(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    from tests.conftest import browser_client

    await sign_up()
    async with browser_client(app) as other:
        login = await other.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": STRONG_PASSWORD}
        )
        assert login.status_code == 200
        before = dict(client.cookies)
        changed = await client.post(
            "/api/v1/me/password",
            json={"current_password": STRONG_PASSWORD, "new_password": "another fine passphrase"},
        )
        assert changed.status_code == 204
        assert dict(client.cookies) != before
        assert (await client.get("/api/v1/me")).status_code == 200
        assert (await other.get("/api/v1/me")).status_code == 401


async def test_change_password_needs_the_current_one(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    response = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not my password", "new_password": "another fine passphrase"},
    )
    assert response.status_code == 422


async def test_change_email_after_confirming_the_new_address(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    await sign_up()
    wrong = await client.post(
        "/api/v1/me/email", json={"new_email": "ada@new.example", "password": "not mine at all"}
    )
    assert wrong.status_code == 422
    asked = await client.post(
        "/api/v1/me/email", json={"new_email": "Ada@New.example", "password": STRONG_PASSWORD}
    )
    assert asked.status_code == 202
    assert (await client.get("/api/v1/me")).json()["user"]["email"] == "ada@example.com"
    token = await emailed_token(app, "ada@new.example", "change-email")
    confirmed = await client.post("/api/v1/auth/email/change/confirm", json={"token": token})
    assert confirmed.status_code == 204
    me = (await client.get("/api/v1/me")).json()["user"]
    assert me["email"] == "ada@new.example"
    assert me["email_verified"] is True
    again = await client.post("/api/v1/auth/email/change/confirm", json={"token": token})
    assert again.status_code == 422


async def test_change_email_to_a_taken_address_is_refused_at_confirmation(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    from tests.conftest import browser_client

    await sign_up()
    await client.post(
        "/api/v1/me/email", json={"new_email": "grace@example.com", "password": STRONG_PASSWORD}
    )
    token = await emailed_token(app, "grace@example.com", "change-email")
    async with browser_client(app) as grace:
        await grace.post(
            "/api/v1/auth/signup",
            json={"email": "grace@example.com", "password": STRONG_PASSWORD, "display_name": "G"},
        )
    response = await client.post("/api/v1/auth/email/change/confirm", json={"token": token})
    assert response.status_code == 409
