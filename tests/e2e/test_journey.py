"""A new team's first session, end to end in Chromium against a real ``luna serve``.

Sign up → the guided setup (an agent from the catalog, a model provider that is a local
OpenAI-compatible stand-in, a first run) → the agents table, searched and sorted → an API
key → an invitation, accepted → a role changed → sign out → sign in again. Every page is
checked for console errors, CSP violations and accessibility, and screenshotted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, LunaServer, WatchedPage
from tests.e2e.test_web_app import (
    WORKSPACE_URL,
    assert_no_secret_in_web_storage,
    current_user,
    first_workspace,
    sign_in,
)
from tests.standins import OpenAIStandin, Turn
from tests.standins.openai_server import DEFAULT_API_KEY

ANSWER = "An empty list divides by zero: return 0.0 when values is empty."


@pytest.fixture
def model_server() -> Iterator[OpenAIStandin]:
    """The workspace's model: an OpenAI-compatible server on this machine."""
    with OpenAIStandin() as standin:
        yield standin
    standin.raise_failures()


def nav(watched: WatchedPage, name: str) -> None:
    watched.page.get_by_role("navigation", name="Workspace pages").get_by_role(
        "link", name=name, exact=True
    ).click()


def test_sign_up_set_up_build_invite_and_come_back(
    watched_page: WatchedPage, luna_server: LunaServer, model_server: OpenAIStandin
) -> None:
    page = watched_page.page
    email = "katherine@example.com"
    model_server.script(Turn.with_mean_probability(ANSWER, 0.9))

    # Sign up: the new account lands in the guided setup.
    watched_page.goto("/app/sign-up")
    page.get_by_label("Your name").fill("Katherine Johnson")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/app/w/ws_[a-z0-9]+/onboarding$"))
    workspace = first_workspace(current_user(watched_page))
    steps = page.get_by_role("list", name="Setup steps")
    expect(steps.locator("[aria-current=step]")).to_contain_text("Choose an agent")
    watched_page.check("journey-1-choose-agent")
    watched_page.check_accessibility("journey-1-choose-agent")

    # Step 1: a catalog agent becomes the workspace's first agent.
    choose = page.get_by_role("button", name=re.compile(r"^Use this agent")).first
    agent_name = (choose.text_content() or "").split(": ", 1)[1]
    choose.click()
    expect(page.get_by_role("heading", name="Connect a model")).to_be_visible()
    expect(steps.locator("[aria-current=step]")).to_contain_text("Connect a model")
    watched_page.check("journey-2-connect-model")
    watched_page.check_accessibility("journey-2-connect-model")

    # Step 2: the model provider is a server on this machine.
    page.get_by_label("Kind").select_option("openai_compatible")
    page.get_by_label("Name").fill("Local model")
    page.get_by_label(re.compile(r"^Base URL")).fill(model_server.base_url)
    page.get_by_label(re.compile(r"^API key")).fill(DEFAULT_API_KEY)
    page.get_by_label(re.compile(r"^Default model")).fill("gpt-4.1-mini")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_role("heading", name="Run it")).to_be_visible()
    watched_page.check("journey-3-first-run")
    watched_page.check_accessibility("journey-3-first-run")

    # Step 3: the first run answers from the model.
    page.get_by_role("button", name=f"Run {agent_name}").click()
    expect(page.get_by_role("heading", name="You're set up")).to_be_visible()
    expect(page.get_by_test_id("first-run-answer")).to_have_text(ANSWER, timeout=30_000)
    assert len(model_server.model_calls) == 1
    watched_page.check("journey-4-set-up")
    watched_page.check_accessibility("journey-4-set-up")

    # The agents table: the new agent, found by search, and the view kept in the address.
    page.get_by_role("button", name="Go to your agents").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile(re.escape(agent_name)))).to_be_visible()
    search = page.get_by_label("Search agents")
    search.fill("no agent is called this")
    search.press("Enter")
    expect(page.get_by_text("No agents match")).to_be_visible()
    search.fill(agent_name.split()[0])
    search.press("Enter")
    expect(table.get_by_role("row", name=re.compile(re.escape(agent_name)))).to_be_visible()
    table.get_by_role("button", name=re.compile("^Name")).click()
    page.wait_for_url(re.compile(r"sort=-?name"))
    expect(table.get_by_role("row", name=re.compile(re.escape(agent_name)))).to_be_visible()
    watched_page.check("journey-5-agents")

    # The first run's page tells its story without a click: the input and the answer.
    nav(watched_page, "Runs")
    page.get_by_role("table").get_by_role("link").first.click()
    answer = page.get_by_test_id("run-summary").locator('[data-field="answer"]')
    expect(answer).to_contain_text(ANSWER)
    expect(answer).to_be_in_viewport()
    expect(page.get_by_test_id("step-panel")).to_have_count(0)
    watched_page.check("journey-5b-first-run-page")

    # An API key for the team's CI.
    nav(watched_page, "API keys")
    page.get_by_role("button", name="Create API key").first.click()
    dialog = page.get_by_role("dialog", name="Create an API key")
    dialog.get_by_label("Name").fill("CI pipeline")
    dialog.get_by_role("button", name="Create key").click()
    shown = page.get_by_role("dialog", name="Copy your new API key")
    secret = shown.get_by_label("Your new API key").input_value()
    shown.get_by_role("button", name="Done").click()
    expect(page.get_by_role("row", name=re.compile("CI pipeline"))).to_contain_text("Active")
    watched_page.check("journey-6-api-key")

    # Invite a colleague, who accepts; then give them another role.
    nav(watched_page, "Members")
    page.get_by_label("Email address").fill("dorothy@example.com")
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("region", name="Pending invitations")).to_contain_text(
        "dorothy@example.com"
    )
    watched_page.check("journey-7-invited")
    watched_page.check_accessibility("journey-7-invited")
    accept_invitation(luna_server, "dorothy@example.com")
    page.reload()
    select = page.get_by_label("Role of Dorothy Vaughan")
    expect(select).to_have_value("member")
    select.select_option("admin")
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()
    members = page.request.get(f"/api/v1/teams/{workspace['team_id']}/members").json()["items"]
    assert {member["email"]: member["role"] for member in members} == {
        email: "owner",
        "dorothy@example.com": "admin",
    }
    watched_page.check("journey-8-role-changed")

    # Sign out, and back in: the workspace home, with the setup done.
    page.get_by_role("complementary").get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/app/sign-in?reason=signed-out")
    sign_in(watched_page, email)
    expect(page).to_have_url(WORKSPACE_URL)
    expect(page.get_by_text("Finish setting up")).to_have_count(0)
    watched_page.check("journey-9-signed-in-again")
    assert_no_secret_in_web_storage(watched_page, secret)


def accept_invitation(server: LunaServer, email: str) -> None:
    """The invited colleague signs up and follows the emailed link (through the API)."""
    token = server.emailed_token(email, "invitation")
    with httpx.Client(base_url=server.base_url, headers={"Origin": server.base_url}) as browser:
        signed_up = browser.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": PASSWORD, "display_name": "Dorothy Vaughan"},
        )
        assert signed_up.status_code == 201, signed_up.text
        accepted = browser.post("/api/v1/invitations/accept", json={"token": token})
        assert accepted.status_code == 200, accepted.text
