"""The security and settings pages in Chromium against a real ``luna serve``.

Two-factor authentication is turned on from the page (the code computed from the key it
shows), the audit log records it, the password is changed in settings and works at the
next sign-in, and the single sign-on page says what the team's plan allows. Every page is
checked for console errors, CSP violations and accessibility, and screenshotted.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from playwright.sync_api import ConsoleMessage, expect

from tests.e2e.conftest import PASSWORD, LunaServer, WatchedPage
from tests.e2e.test_web_app import WORKSPACE_URL, first_workspace, sign_in

NEW_PASSWORD = "a fresh moonlit passphrase"


def account_nav(watched: WatchedPage, name: str) -> None:
    watched.page.get_by_role("navigation", name="Account").get_by_role(
        "link", name=name, exact=True
    ).click()


def workspace_nav(watched: WatchedPage, name: str) -> None:
    watched.page.get_by_role("navigation", name="Workspace pages").get_by_role(
        "link", name=name, exact=True
    ).click()


def api_get(watched: WatchedPage, path: str) -> Any:
    """A ``GET`` with the browser's own session cookie."""
    response = watched.page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def forgive_missing_sso_configuration(watched: WatchedPage, team_id: str) -> None:
    """Drop the one console error this page is expected to cause: the API answers 404 while
    a team has no single sign-on, and Chromium logs every failed fetch as an error."""
    missing = f"/api/v1/teams/{team_id}/sso"

    def is_expected(message: ConsoleMessage) -> bool:
        return (
            message.type == "error"
            and "status of 404" in message.text
            and message.location.get("url", "").endswith(missing)
        )

    # The message comes when the page's request has been answered, which on a busy machine
    # may be after the page looks ready: wait for it (a page that reused an earlier answer
    # sends none).
    watched.page.wait_for_load_state("networkidle")
    deadline = time.monotonic() + 20  # a wait, as long as the other waits (conftest)
    while not any(is_expected(message) for message in watched.console):
        if time.monotonic() > deadline:
            break
        watched.page.wait_for_timeout(100)
    watched.console[:] = [message for message in watched.console if not is_expected(message)]


def test_turn_on_two_factor_see_it_audited_and_change_the_password(
    watched_page: WatchedPage, luna_server: LunaServer
) -> None:
    page = watched_page.page
    email = "dorothy@example.com"
    luna_server.sign_up(email, "Dorothy Vaughan")
    watched_page.goto("/app/sign-in")
    sign_in(watched_page, email)

    # Security: the authenticator app is added with the key the page shows.
    account_nav(watched_page, "Security")
    expect(page.get_by_role("heading", level=1)).to_have_text("Security")
    expect(page.get_by_text("Two-factor authentication is off")).to_be_visible()
    expect(page.get_by_role("link", name="Review sessions")).to_be_visible()
    watched_page.check("security")
    watched_page.check_accessibility("security")

    page.get_by_role("button", name="Set up an authenticator app").click()
    setup = page.get_by_role("dialog", name="Set up an authenticator app")
    expect(setup.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = setup.get_by_label("Setup key").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    watched_page.check("security-enrol")
    watched_page.check_accessibility("security-enrol")
    setup.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    setup.get_by_role("button", name="Turn on").click()

    saved = page.get_by_role("dialog", name="Save your recovery codes")
    codes = saved.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery_code = codes.first.inner_text()
    watched_page.check("security-recovery-codes")
    watched_page.check_accessibility("security-recovery-codes")
    saved.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Two-factor authentication is on")).to_be_visible()
    status = api_get(watched_page, "/api/v1/auth/mfa")
    assert status["enabled"] is True
    assert status["recovery_codes_remaining"] == 10

    # The audit log has the change, and its filter lives in the address.
    workspace_nav(watched_page, "Audit log")
    table = page.get_by_role("table", name=re.compile("Audit log of"))
    expect(table.get_by_role("row", name=re.compile("auth.mfa_enabled"))).to_be_visible()
    watched_page.check("audit-log")
    watched_page.check_accessibility("audit-log")
    page.get_by_label("Action").select_option("auth.mfa_enabled")
    page.wait_for_url(re.compile(r"/audit-log\?action=auth\.mfa_enabled$"))
    expect(table.get_by_role("row")).to_have_count(2)

    # Settings: a new password, which the next sign-in needs.
    account_nav(watched_page, "Settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    password = page.get_by_role("region", name="Password")
    password.get_by_role("button", name="Change", exact=True).click()
    password.get_by_label("Current password").fill(PASSWORD)
    password.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    password.get_by_label("New password again").fill(NEW_PASSWORD)
    password.get_by_role("button", name="Change password").click()
    expect(password.get_by_text("Your password is changed.")).to_be_visible()
    watched_page.check("settings")
    watched_page.check_accessibility("settings")

    page.get_by_role("complementary").get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/app/sign-in?reason=signed-out")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The authenticator's code was used a moment ago: a recovery code finishes the sign-in.
    page.get_by_role("button", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(recovery_code)
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(WORKSPACE_URL)
    assert api_get(watched_page, "/api/v1/auth/mfa")["recovery_codes_remaining"] == 9
    watched_page.check("signed-in-with-new-password")


def test_the_sso_page_shows_what_the_plan_allows(
    watched_page: WatchedPage, luna_server: LunaServer
) -> None:
    page = watched_page.page
    me = luna_server.sign_up("evelyn@example.com", "Evelyn Boyd Granville")
    team = me["teams"][0]
    watched_page.goto("/app/sign-in")
    sign_in(watched_page, "evelyn@example.com")

    workspace_nav(watched_page, "SSO")
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on")
    plan = api_get(watched_page, f"/api/v1/teams/{team['id']}/billing")["plan"]
    assert watched_page.page.request.get(f"/api/v1/teams/{team['id']}/sso").status == 404
    if plan["sso"]:
        expect(page.get_by_label("Issuer URL")).to_be_visible()
        expect(page.get_by_label("Sign-in address")).to_have_value(
            f"{luna_server.base_url}/api/v1/auth/sso/{team['id']}/start"
        )
    else:
        expect(page.get_by_text("Single sign-on needs a larger plan")).to_be_visible()
        expect(page.get_by_text(f"on the {plan['name']} plan")).to_be_visible()
        upgrade = page.get_by_role("link", name=re.compile(r"^(Upgrade to|See the plans)"))
        expect(upgrade).to_have_attribute("href", f"/app/w/{first_workspace(me)['id']}/billing")
        expect(page.get_by_label("Issuer URL")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    forgive_missing_sso_configuration(watched_page, team["id"])
    watched_page.check("sso")
    watched_page.check_accessibility("sso")
