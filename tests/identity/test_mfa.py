"""Two-factor authentication: enrolment, sign-in with a code, recovery codes, step-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pyotp
import pytest
from fastapi import FastAPI

from luna.identity.models import TotpFactor
from luna.security.crypto import column_context
from tests.accounts import STRONG_PASSWORD, Account, MovableClock

pytestmark = pytest.mark.anyio

MFA = "/api/v1/auth/mfa"
COOKIE = "luna_session"


@dataclass
class MfaAccount:
    account: Account
    secret: str
    recovery_codes: list[str]


def code_at(secret: str, clock: MovableClock, seconds: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now + timedelta(seconds=seconds))


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:luna:problem:{code}"


async def log_in(client: httpx.AsyncClient, email: str = "ada@example.com") -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD}
    )


async def turn_on_mfa(client: httpx.AsyncClient, clock: MovableClock) -> tuple[str, list[str]]:
    enrol = await client.post(f"{MFA}/totp/enrol")
    assert enrol.status_code == 201, enrol.text
    secret = enrol.json()["secret"]
    confirm = await client.post(f"{MFA}/totp/confirm", json={"code": code_at(secret, clock)})
    assert confirm.status_code == 200, confirm.text
    return secret, confirm.json()["codes"]


@pytest.fixture
async def mfa_account(client: httpx.AsyncClient, sign_up, clock: MovableClock) -> MfaAccount:
    """A signed-out account with an authenticator app, half a minute after confirming it."""
    account = await sign_up()
    secret, codes = await turn_on_mfa(client, clock)
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    clock.advance(seconds=30)
    return MfaAccount(account=account, secret=secret, recovery_codes=codes)


async def test_sign_in_with_mfa_waits_for_the_code(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    login = await log_in(client)
    assert login.status_code == 200
    assert login.json() == {"mfa_required": True, "me": None}
    for path in ("/api/v1/me", "/api/v1/me/sessions", MFA):
        assert_problem(await client.get(path), 401, "mfa-required")
    pending_cookie = client.cookies.get(COOKIE)
    verify = await client.post(f"{MFA}/verify", json={"code": code_at(mfa_account.secret, clock)})
    assert verify.status_code == 200, verify.text
    assert verify.json()["user"]["email"] == "ada@example.com"
    assert client.cookies.get(COOKIE) != pending_cookie
    assert (await client.get("/api/v1/me")).status_code == 200
    client.cookies.set(COOKIE, pending_cookie or "")
    assert_problem(await client.get("/api/v1/me"), 401, "unauthenticated")


async def test_enrolment_gives_a_provisioning_uri_and_readable_recovery_codes(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    assert (await client.get(MFA)).json() == {
        "enabled": False,
        "confirmed_at": None,
        "recovery_codes_remaining": 0,
    }
    enrol = (await client.post(f"{MFA}/totp/enrol")).json()
    uri = enrol["otpauth_uri"]
    assert uri.startswith("otpauth://totp/Luna:ada%40example.com?")
    assert f"secret={enrol['secret']}" in uri and "issuer=Luna" in uri
    before = client.cookies.get(COOKIE)
    confirm = await client.post(
        f"{MFA}/totp/confirm", json={"code": code_at(enrol["secret"], clock)}
    )
    codes = confirm.json()["codes"]
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    assert client.cookies.get(COOKIE) != before
    status = (await client.get(MFA)).json()
    assert status["enabled"] is True and status["recovery_codes_remaining"] == 10


async def test_the_seed_is_encrypted_at_rest(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    secret = (await client.post(f"{MFA}/totp/enrol")).json()["secret"]
    async with app.state.resources.session_factory() as session:
        factor = await session.get(TotpFactor, account.user_id)
    assert factor is not None
    assert secret not in factor.secret_encrypted
    context = column_context("totp_factors", "secret_encrypted", account.user_id)
    assert app.state.keyring.decrypt_str(factor.secret_encrypted, context=context) == secret


async def test_a_wrong_code_is_refused_and_the_session_stays_pending(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    await log_in(client)
    right = code_at(mfa_account.secret, clock)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert_problem(
        await client.post(f"{MFA}/verify", json={"code": wrong}), 401, "mfa-code-invalid"
    )
    assert_problem(await client.get("/api/v1/me"), 401, "mfa-required")


async def test_a_code_works_only_once(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    code = code_at(mfa_account.secret, clock)
    await log_in(client)
    assert (await client.post(f"{MFA}/verify", json={"code": code})).status_code == 200
    await client.post("/api/v1/auth/logout")
    await log_in(client)
    replay = await client.post(f"{MFA}/verify", json={"code": code})
    assert_problem(replay, 401, "mfa-code-invalid")
    clock.advance(seconds=30)
    fresh = await client.post(f"{MFA}/verify", json={"code": code_at(mfa_account.secret, clock)})
    assert fresh.status_code == 200


async def test_codes_of_the_neighbouring_steps_only(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    clock.advance(minutes=5)
    await log_in(client)
    too_old = code_at(mfa_account.secret, clock, seconds=-60)
    assert_problem(
        await client.post(f"{MFA}/verify", json={"code": too_old}), 401, "mfa-code-invalid"
    )
    one_step_old = code_at(mfa_account.secret, clock, seconds=-30)
    assert (await client.post(f"{MFA}/verify", json={"code": one_step_old})).status_code == 200


async def test_a_recovery_code_works_once(
    client: httpx.AsyncClient, mfa_account: MfaAccount
) -> None:
    recovery = mfa_account.recovery_codes[3]
    await log_in(client)
    typed = recovery.upper().replace("-", " ")  # as a person might type it
    first = await client.post(f"{MFA}/verify", json={"recovery_code": typed})
    assert first.status_code == 200, first.text
    assert (await client.get(MFA)).json()["recovery_codes_remaining"] == 9
    await client.post("/api/v1/auth/logout")
    await log_in(client)
    again = await client.post(f"{MFA}/verify", json={"recovery_code": recovery})
    assert_problem(again, 401, "mfa-code-invalid")


async def test_a_pending_sign_in_ends_after_ten_minutes(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    await log_in(client)
    clock.advance(minutes=9)
    assert_problem(await client.get("/api/v1/me"), 401, "mfa-required")
    clock.advance(minutes=1)
    late = await client.post(f"{MFA}/verify", json={"code": code_at(mfa_account.secret, clock)})
    assert_problem(late, 401, "unauthenticated")


async def test_wrong_codes_lock_the_account(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    await log_in(client)
    right = code_at(mfa_account.secret, clock)
    wrong = f"{(int(right) + 7) % 1_000_000:06d}"
    for _ in range(5):
        refused = await client.post(f"{MFA}/verify", json={"code": wrong})
        assert_problem(refused, 401, "mfa-code-invalid")
    locked = await client.post(f"{MFA}/verify", json={"code": right})
    assert_problem(locked, 423, "account-locked")
    assert int(locked.headers["retry-after"]) > 0
    assert_problem(await log_in(client), 423, "account-locked")
    clock.advance(minutes=16)
    assert (await log_in(client)).json()["mfa_required"] is True
    unlocked = await client.post(f"{MFA}/verify", json={"code": code_at(mfa_account.secret, clock)})
    assert unlocked.status_code == 200


async def test_a_wrong_confirmation_code_leaves_mfa_off(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    secret = (await client.post(f"{MFA}/totp/enrol")).json()["secret"]
    wrong = code_at(secret, clock, seconds=-90)
    assert_problem(
        await client.post(f"{MFA}/totp/confirm", json={"code": wrong}), 422, "validation-failed"
    )
    assert (await client.get(MFA)).json()["enabled"] is False
    await client.post("/api/v1/auth/logout")
    login = (await log_in(client)).json()
    assert login["mfa_required"] is False
    assert login["me"]["user"]["email"] == "ada@example.com"


async def test_enrolling_again_replaces_an_unconfirmed_seed_but_not_a_confirmed_one(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    first = (await client.post(f"{MFA}/totp/enrol")).json()["secret"]
    second = (await client.post(f"{MFA}/totp/enrol")).json()["secret"]
    assert first != second
    stale = await client.post(f"{MFA}/totp/confirm", json={"code": code_at(first, clock)})
    assert_problem(stale, 422, "validation-failed")
    confirmed = await client.post(f"{MFA}/totp/confirm", json={"code": code_at(second, clock)})
    assert confirmed.status_code == 200
    assert_problem(await client.post(f"{MFA}/totp/enrol"), 409, "conflict")


async def test_admin_api_keys_need_a_recent_step_up(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    account = await sign_up()
    keys = f"/api/v1/workspaces/{account.workspace_id}/api-keys"
    secret, _ = await turn_on_mfa(client, clock)
    clock.advance(minutes=11)
    refused = await client.post(keys, json={"name": "CI", "scopes": ["admin"]})
    assert_problem(refused, 401, "mfa-step-up-required")
    reader = await client.post(keys, json={"name": "read", "scopes": ["agents:read"]})
    assert reader.status_code == 201
    before = client.cookies.get(COOKIE)
    stepped = await client.post(f"{MFA}/step-up", json={"code": code_at(secret, clock)})
    assert stepped.status_code == 204
    assert client.cookies.get(COOKIE) != before
    allowed = await client.post(keys, json={"name": "CI", "scopes": ["admin"]})
    assert allowed.status_code == 201, allowed.text
    clock.advance(minutes=11)
    again = await client.post(keys, json={"name": "CI 2", "scopes": ["admin"]})
    assert_problem(again, 401, "mfa-step-up-required")


async def test_without_mfa_no_step_up_is_asked(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    account = await sign_up()
    clock.advance(minutes=30)
    created = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/api-keys",
        json={"name": "CI", "scopes": ["admin"]},
    )
    assert created.status_code == 201
    assert_problem(await client.post(f"{MFA}/step-up", json={"code": "123456"}), 409, "conflict")


async def test_turning_mfa_off_needs_step_up_and_the_password(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    secret, _ = await turn_on_mfa(client, clock)
    clock.advance(minutes=11)
    off = {"password": STRONG_PASSWORD}
    assert_problem(
        await client.request("DELETE", f"{MFA}/totp", json=off), 401, "mfa-step-up-required"
    )
    await client.post(f"{MFA}/step-up", json={"code": code_at(secret, clock)})
    wrong = {"password": "not my password at all"}
    assert_problem(
        await client.request("DELETE", f"{MFA}/totp", json=wrong), 422, "validation-failed"
    )
    assert (await client.request("DELETE", f"{MFA}/totp", json=off)).status_code == 204
    assert (await client.get(MFA)).json()["enabled"] is False
    await client.post("/api/v1/auth/logout")
    assert (await log_in(client)).json()["mfa_required"] is False


async def test_new_recovery_codes_need_step_up_and_void_the_old_ones(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    _, old_codes = await turn_on_mfa(client, clock)
    clock.advance(minutes=11)
    regenerate = f"{MFA}/recovery-codes"
    assert_problem(await client.post(regenerate), 401, "mfa-step-up-required")
    stepped = await client.post(f"{MFA}/step-up", json={"recovery_code": old_codes[0]})
    assert stepped.status_code == 204
    new_codes = (await client.post(regenerate)).json()["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    await client.post("/api/v1/auth/logout")
    await log_in(client)
    stale = await client.post(f"{MFA}/verify", json={"recovery_code": old_codes[1]})
    assert_problem(stale, 401, "mfa-code-invalid")
    fresh = await client.post(f"{MFA}/verify", json={"recovery_code": new_codes[0]})
    assert fresh.status_code == 200


async def test_a_pending_session_may_only_verify_or_log_out(
    client: httpx.AsyncClient, mfa_account: MfaAccount
) -> None:
    await log_in(client)
    token = client.cookies.get(COOKIE)
    assert_problem(
        await client.post(f"{MFA}/step-up", json={"code": "123456"}), 401, "mfa-required"
    )
    assert_problem(await client.post(f"{MFA}/totp/enrol"), 401, "mfa-required")
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    client.cookies.set(COOKIE, token or "")
    assert_problem(await client.get("/api/v1/me"), 401, "unauthenticated")


@pytest.mark.parametrize(
    "body", [{}, {"code": "123456", "recovery_code": "abcde-fghjk"}, {"code": "12345"}]
)
async def test_verify_needs_exactly_one_well_formed_factor(
    client: httpx.AsyncClient, mfa_account: MfaAccount, body: dict[str, str]
) -> None:
    await log_in(client)
    assert_problem(await client.post(f"{MFA}/verify", json=body), 422, "validation-failed")


async def test_verify_on_a_finished_sign_in_is_a_conflict(
    client: httpx.AsyncClient, mfa_account: MfaAccount, clock: MovableClock
) -> None:
    await log_in(client)
    await client.post(f"{MFA}/verify", json={"code": code_at(mfa_account.secret, clock)})
    clock.advance(seconds=30)
    again = await client.post(f"{MFA}/verify", json={"code": code_at(mfa_account.secret, clock)})
    assert_problem(again, 409, "conflict")
