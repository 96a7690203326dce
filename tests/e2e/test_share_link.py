"""Public share links in Chromium: an owner shares a run from its page, a visitor with no
account opens the link and sees the run's graph read-only and redacted, and once the owner
revokes the link the visitor's page says it no longer works."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect

from luna.security.redaction import redact_text
from tests.e2e.conftest import (
    LunaServer,
    WatchedPage,
    sign_in,
    signed_in,
    start_local_run,
    watched_page_in,
)
from tests.standins import OpenAIStandin, ToolCall, Turn

API_KEY = "sk-ant-api03-Zx9VbQ2mLp7RtY4kWn8sJd3fHg6cA1eU0oI5"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXZhbHVl"


def api_get(watched: WatchedPage, path: str) -> Any:
    response = watched.page.request.get(path)
    assert response.ok, response.text()
    return response.json()


def forget_expected_not_found(watched: WatchedPage, path: str) -> None:
    """Drop the browser's console report of the one 404 the test expects (a dead link)."""
    watched.console[:] = [
        message
        for message in watched.console
        if not (path in message.location.get("url", "") and "404" in message.text)
    ]


def create_public_link(watched: WatchedPage, run_path: str) -> str:
    """Share the run from its page, as the owner does; the link's address (shown once)."""
    page = watched.page
    watched.goto(run_path)
    expect(page.get_by_test_id("graph-node").first).to_be_visible()
    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share this run")
    dialog.get_by_label("The link works for").select_option(label="7 days")
    dialog.get_by_role("button", name="Create public link").click()
    link = dialog.get_by_label("Public link", exact=True)
    expect(link).to_have_value(re.compile(r"/app/share/[A-Za-z0-9_-]{43}$"))
    expect(dialog.get_by_test_id("run-shares").locator("li")).to_have_count(1)
    watched.check("share-dialog")
    watched.check_accessibility("share-dialog")
    url: str = link.input_value()
    dialog.get_by_role("button", name="Close").click()
    return url


def test_a_shared_demo_run_is_public_until_revoked(
    watched_page: WatchedPage, luna_server: LunaServer, browser: Browser
) -> None:
    page = watched_page.page
    me = luna_server.sign_up("dorothy@example.com", "Dorothy Vaughan")
    team_id = me["teams"][0]["id"]
    watched_page.goto("/app/sign-in")
    sign_in(watched_page, "dorothy@example.com")
    seeded = page.request.post(
        f"/api/v1/teams/{team_id}/demo", headers={"Origin": luna_server.base_url}
    )
    assert seeded.ok, seeded.text()
    demo_id = seeded.json()["id"]
    runs = api_get(watched_page, f"/api/v1/workspaces/{demo_id}/runs?limit=100")["items"]
    review = next(run for run in runs if run["input"].startswith("Review pull request"))
    run_path = f"/app/w/{demo_id}/runs/{review['id']}"
    graph = api_get(watched_page, f"/api/v1/workspaces/{demo_id}/runs/{review['id']}/graph")

    url = create_public_link(watched_page, run_path)
    assert url.startswith(luna_server.base_url)
    token = url.rsplit("/", 1)[1]

    with watched_page_in(browser, luna_server) as visitor:
        visitor.page.goto(url)
        expect(visitor.page.get_by_test_id("shared-label")).to_have_text("Shared run — read-only")
        expect(visitor.page.get_by_test_id("run-graph")).to_have_attribute(
            "data-node-count", str(len(graph["nodes"]))
        )
        expect(visitor.page.get_by_test_id("graph-node")).to_have_count(len(graph["nodes"]))
        assert visitor.page.context.cookies() == []
        expect(visitor.page.get_by_role("navigation")).to_have_count(0)
        text = visitor.page.locator("body").inner_text()
        assert redact_text(text) == text, "the shared page shows something redaction would hide"
        visitor.check("shared-run")
        visitor.check_accessibility("shared-run")

        # The owner revokes the link from the run's page.
        watched_page.goto(run_path)
        page.get_by_role("button", name="Share").click()
        dialog = page.get_by_role("dialog", name="Share this run")
        dialog.get_by_role("button", name=re.compile("Revoke the link")).click()
        expect(dialog.locator('[data-status="revoked"]')).to_have_count(1)
        watched_page.check("share-revoked")

        visitor.page.reload()
        expect(visitor.page.get_by_role("heading", name="This link does not work")).to_be_visible()
        expect(visitor.page.get_by_test_id("run-graph")).to_have_count(0)
        forget_expected_not_found(visitor, f"/api/v1/shared/runs/{token}/graph")
        visitor.check("shared-run-revoked")
        visitor.check_accessibility("shared-run-revoked")


def test_secrets_in_a_shared_run_stay_out_of_the_public_page(
    watched_page: WatchedPage, luna_server: LunaServer, browser: Browser
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "mae@example.com", "Mae Jemison")
    base = f"/api/v1/workspaces/{workspace}"
    with OpenAIStandin() as model:
        model.script(
            Turn(
                tool_calls=[
                    ToolCall(
                        id="call_1",
                        name="text_stats",
                        arguments={"text": f"api_key={API_KEY} sent by mae@example.com"},
                    )
                ]
            ),
            Turn(text=f"Counted. The header was Authorization: Bearer {JWT}"),
        )
        run = start_local_run(
            watched_page,
            workspace,
            model.base_url,
            {"input": "Count the words", "mode": "wait", "timeout_seconds": 60},
        )
        model.raise_failures()
    assert run["status"] == "succeeded", run
    members_graph = page.request.get(f"{base}/runs/{run['id']}/graph").text()
    assert API_KEY in members_graph

    url = create_public_link(watched_page, f"/app/w/{workspace}/runs/{run['id']}")
    with watched_page_in(browser, luna_server) as visitor:
        visitor.page.goto(url)
        nodes = visitor.page.get_by_test_id("graph-node")
        expect(nodes).to_have_count(run["step_count"])
        token = url.rsplit("/", 1)[1]
        shared = visitor.page.request.get(f"/api/v1/shared/runs/{token}/graph").json()
        sequence = {node["kind"]: node["sequence"] for node in shared["nodes"]}
        # Each step opened from the address, as a link to a step would.
        visitor.page.goto(f"{url}?step={sequence['tool_call']}")
        panel = visitor.page.get_by_test_id("step-panel")
        expect(panel).to_contain_text("api_key=[redacted]")
        expect(panel).to_contain_text("m***@example.com")
        visitor.page.goto(f"{url}?step={sequence['final']}")
        expect(visitor.page.get_by_test_id("step-panel")).to_contain_text("Bearer [redacted]")
        text = visitor.page.locator("body").inner_text()
        for secret in (API_KEY, JWT, "mae@example.com"):
            assert secret not in text
        visitor.check("shared-run-redacted")
