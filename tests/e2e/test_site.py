"""The public site in Chromium: the landing page under the strict CSP, the cookie banner
and its choice (a first-party cookie, and the account for signed-in users)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import PASSWORD, LunaServer, WatchedPage

LANDING_SCRIPT_BUDGET_BYTES = 100 * 1024

SCRIPT_BYTES = """
() => performance.getEntriesByType("resource")
  .filter((entry) => entry.initiatorType === "script")
  .reduce((total, entry) => total + entry.encodedBodySize, 0)
"""


def consent_cookie(watched_page: WatchedPage) -> str | None:
    cookies = watched_page.page.context.cookies()
    return next((c["value"] for c in cookies if c["name"] == "luna_consent"), None)


def test_the_landing_page_runs_under_the_csp_and_asks_for_consent_once(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    watched_page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Watch your AI agents think.")
    expect(page.locator("[data-plan]")).to_have_count(4)
    banner = page.get_by_role("dialog", name="Cookies on Luna")
    expect(banner).to_be_visible()
    assert page.evaluate(SCRIPT_BYTES) < LANDING_SCRIPT_BUDGET_BYTES
    watched_page.check("landing")
    watched_page.check_accessibility("landing")

    banner.get_by_role("button", name="Reject optional").click()
    expect(banner).to_be_hidden()
    assert consent_cookie(watched_page) == "v1.a0.m0"

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(banner).to_be_hidden()

    page.get_by_role("button", name="Cookie settings").click()
    expect(banner).to_be_visible()
    banner.get_by_label("Analytics").check()
    banner.get_by_role("button", name="Save choices").click()
    assert consent_cookie(watched_page) == "v1.a1.m0"
    watched_page.check("landing-consent-changed")


def test_a_signed_in_users_choice_follows_them_to_another_browser(
    watched_page: WatchedPage, browser: Browser, luna_server: LunaServer
) -> None:
    luna_server.sign_up("dorothy@example.com", "Dorothy Vaughan")
    origin = {"Origin": luna_server.base_url}
    credentials = {"email": "dorothy@example.com", "password": PASSWORD}
    signed_in = watched_page.page.request.post(
        "/api/v1/auth/login", data=credentials, headers=origin
    )
    assert signed_in.ok, signed_in.text()
    watched_page.goto("/")
    banner = watched_page.page.get_by_role("dialog", name="Cookies on Luna")
    expect(banner).to_be_visible()
    with watched_page.page.expect_response(
        lambda r: r.url.endswith("/api/v1/me/consent") and r.request.method == "PUT"
    ) as saved:
        banner.get_by_role("button", name="Accept all").click()
    assert saved.value.ok
    assert saved.value.json()["choice"]["analytics"] is True
    watched_page.check("landing-signed-in")

    other = browser.new_context(base_url=luna_server.base_url)
    try:
        assert other.request.post("/api/v1/auth/login", data=credentials, headers=origin).ok
        page = other.new_page()
        page.goto("/")
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("dialog", name="Cookies on Luna")).to_be_hidden()
        values = {c["name"]: c["value"] for c in other.cookies()}
        assert values.get("luna_consent") == "v1.a1.m1"
    finally:
        other.close()


def test_motion_stops_when_the_visitor_prefers_less(
    browser: Browser, luna_server: LunaServer
) -> None:
    context = browser.new_context(base_url=luna_server.base_url, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto("/")
        edge = page.locator(".graph .edge").first
        assert edge.evaluate("(e) => getComputedStyle(e).animationName") == "none"
        # No replay either: the recorded run is drawn whole.
        expect(page.locator("svg.graph")).not_to_have_attribute("data-replay", re.compile("."))
        expect(page.locator(".graph .node").last).to_be_visible()
    finally:
        context.close()


def test_the_hero_replays_a_recorded_run_node_by_node(watched_page: WatchedPage) -> None:
    page = watched_page.page
    watched_page.goto("/")
    graph = page.locator("svg.graph")
    expect(graph).to_have_attribute("data-replay", "playing")
    nodes = graph.locator(".node")
    total = nodes.count()
    # The nodes appear in the recording's order, a few at a time, until all are drawn.
    seen = page.evaluate(
        """() => new Promise((resolve) => {
          const counts = [];
          const timer = setInterval(() => {
            const shown = document.querySelectorAll("svg.graph .node.shown").length;
            if (counts[counts.length - 1] !== shown) counts.push(shown);
            if (document.querySelector("svg.graph").dataset.replay === "done") {
              clearInterval(timer);
              resolve(counts);
            }
          }, 20);
        })"""
    )
    assert seen[-1] == total > 5
    assert len(seen) >= 4, seen
    assert seen == sorted(seen)
    watched_page.check("landing-hero-replayed")


def test_the_public_pages_are_clean_and_accessible(watched_page: WatchedPage) -> None:
    for path, name in [
        ("/pricing", "pricing"),
        ("/legal/privacy", "privacy"),
        ("/legal/msa", "msa"),
        ("/changelog", "changelog"),
    ]:
        watched_page.goto(path)
        expect(watched_page.page.get_by_role("heading", level=1)).to_be_visible()
        watched_page.check(name)
        watched_page.check_accessibility(name)
