"""Every page of the app on a phone (390x844): the navigation is a menu, and no page
scrolls sideways or has a serious or critical accessibility violation."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LunaServer, signed_in, watched_page_in
from tests.e2e.test_run_story import OVERFLOW
from tests.e2e.test_security_pages import forgive_missing_sso_configuration

PHONE = {"width": 390, "height": 844}

PAGES = [
    "",
    "agents",
    "chains",
    "schedules",
    "playground",
    "knowledge",
    "runs",
    "usage",
    "api-keys",
    "providers",
    "webhooks",
    "members",
    "billing",
    "sso",
    "audit-log",
    "account/security",
    "account/sessions",
    "settings",
]


def test_every_app_page_fits_a_phone(browser: Browser, luna_server: LunaServer) -> None:
    with watched_page_in(browser, luna_server) as watched:
        page = watched.page
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        workspace = signed_in(watched, "phone@example.com", "Dorothy Vaughan")
        team_id = page.request.get("/api/v1/me").json()["teams"][0]["id"]
        agent = page.request.post(
            f"/api/v1/workspaces/{workspace}/agents",
            headers={"Origin": luna_server.base_url},
            data={"template": "code-review"},
        ).json()
        chain = page.request.post(
            f"/api/v1/workspaces/{workspace}/chains",
            headers={"Origin": luna_server.base_url},
            data={
                "name": "Twice",
                "definition": {
                    "nodes": [
                        {"id": "one", "agent_id": agent["id"]},
                        {"id": "two", "agent_id": agent["id"], "approval": True},
                    ],
                    "edges": [{"source": "one", "target": "two"}],
                },
            },
        ).json()
        for path in [*PAGES, f"agents/{agent['id']}", f"chains/{chain['id']}"]:
            watched.goto(f"/app/w/{workspace}/{path}".rstrip("/"))
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            # The navigation waits behind the menu button; the page starts at the top.
            expect(page.get_by_role("navigation", name="Workspace pages")).to_be_hidden()
            assert page.evaluate(OVERFLOW) is None, (path, page.evaluate(OVERFLOW))
            if path == "sso":
                forgive_missing_sso_configuration(watched, team_id)
            name = "phone-" + (path.replace("/", "-") or "home")
            watched.check_accessibility(name)

        menu = page.get_by_role("button", name="Menu")
        menu.click()
        pages = page.get_by_role("navigation", name="Workspace pages")
        expect(pages).to_be_visible()
        assert page.evaluate(OVERFLOW) is None, page.evaluate(OVERFLOW)
        watched.check("phone-menu")
        watched.check_accessibility("phone-menu")
        pages.get_by_role("link", name="Runs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Runs")
        expect(pages).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
