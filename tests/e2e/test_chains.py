"""Mission control in the web app: a chain of two agents run from its page, its nodes
filling in as they finish, a node opened into its run; a node that waits for approval; a
schedule; a webhook endpoint with a test delivery and a redelivery."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.e2e.conftest import WatchedPage, add_local_provider, signed_in
from tests.e2e.test_run_story import no_overflow
from tests.standins import OpenAIStandin, Turn
from tests.standins.webhook_receiver import WebhookReceiver


def echo(body: dict[str, Any]) -> Turn:
    """The model's answer: what it was asked, in brackets."""
    message = body["messages"][-1]["content"]
    text = message if isinstance(message, str) else "".join(p.get("text", "") for p in message)
    return Turn(text=f"[{text}]")


def two_node_chain(watched: WatchedPage, workspace: str, *, approval: bool) -> dict[str, Any]:
    """Through the API, as the signed-in page: the code-review agent twice in a line."""
    origin = {"Origin": watched.server.base_url}
    base = f"/api/v1/workspaces/{workspace}"
    agent = watched.page.request.post(
        f"{base}/agents", headers=origin, data={"template": "code-review"}
    ).json()
    chain = watched.page.request.post(
        f"{base}/chains",
        headers=origin,
        data={
            "name": "Review twice",
            "definition": {
                "nodes": [
                    {"id": "first", "agent_id": agent["id"]},
                    {"id": "second", "agent_id": agent["id"], "approval": approval},
                ],
                "edges": [{"source": "first", "target": "second"}],
            },
        },
    )
    assert chain.ok, chain.text()
    created: dict[str, Any] = chain.json()
    return created


def run_from_its_page(watched: WatchedPage, text: str) -> None:
    """On a chain's page: Run, with ``text`` as the input."""
    watched.page.get_by_role("button", name="Run").click()
    dialog = watched.page.get_by_role("dialog", name="Run the chain")
    dialog.get_by_label("Input").fill(text)
    dialog.get_by_role("button", name="Run").click()


def test_a_chain_runs_from_its_page_and_opens_a_node_into_its_run(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "grace-chains@example.com", "Grace Hopper")
    with OpenAIStandin() as model:
        model.respond_with(echo)
        add_local_provider(watched_page, workspace, model.base_url)
        two_node_chain(watched_page, workspace, approval=False)

        page.get_by_role("navigation").get_by_role("link", name="Chains").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Chains")
        page.get_by_role("link", name=re.compile("Review twice")).click()
        expect(page.get_by_test_id("chain-node")).to_have_count(2)
        watched_page.check("chain")
        watched_page.check_accessibility("chain")

        run_from_its_page(watched_page, "Check the login form")
        page.wait_for_url(re.compile(r"/chain-runs/crn_[a-z0-9]+$"))
        status = page.get_by_test_id("chain-run-status")
        expect(status).to_contain_text("Succeeded", timeout=60_000)
        nodes = page.get_by_test_id("chain-node")
        expect(nodes.and_(page.locator('[data-status="succeeded"]'))).to_have_count(2)
        expect(page.locator('[data-field="answer"]')).to_contain_text("[[Check the login form]]")
        no_overflow(page)
        watched_page.check("chain-run")
        watched_page.check_accessibility("chain-run")
        model.raise_failures()

    page.locator('[data-testid="chain-node"][data-node-id="second"]').click()
    page.wait_for_url(re.compile(r"/runs/run_[a-z0-9]+$"))
    summary = page.get_by_test_id("run-summary")
    expect(summary.locator('[data-field="input"]')).to_contain_text("[Check the login form]")


def test_a_node_waiting_for_approval_is_approved_on_the_chain_run_page(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "mae-chains@example.com", "Mae Jemison")
    with OpenAIStandin() as model:
        model.respond_with(echo)
        add_local_provider(watched_page, workspace, model.base_url)
        chain = two_node_chain(watched_page, workspace, approval=True)
        watched_page.goto(f"/app/w/{workspace}/chains/{chain['id']}")
        run_from_its_page(watched_page, "Ship it")
        status = page.get_by_test_id("chain-run-status")
        expect(status).to_contain_text("Needs approval", timeout=60_000)
        waiting = page.get_by_role("status").filter(has_text="second waits for your approval")
        expect(waiting).to_be_visible()
        watched_page.check("chain-run-paused")
        waiting.get_by_role("button", name="Approve").click()
        expect(status).to_contain_text("Succeeded", timeout=60_000)
        expect(page.locator('[data-field="answer"]')).to_contain_text("[[Ship it]]")
        assert len(model.model_calls) == 2


def test_a_schedule_is_created_read_in_words_paused_and_resumed(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "katherine-schedules@example.com", "Katherine Johnson")
    with OpenAIStandin() as model:
        add_local_provider(watched_page, workspace, model.base_url)
        two_node_chain(watched_page, workspace, approval=False)
    page.get_by_role("navigation").get_by_role("link", name="Schedules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedules")
    page.get_by_role("button", name="Schedule a run").click()
    dialog = page.get_by_role("dialog", name="New schedule")
    dialog.get_by_label("Name").fill("Weekday review")
    dialog.get_by_label("Runs").select_option(label="Chain · Review twice")
    dialog.get_by_label("Input").fill("Review yesterday's changes")
    cron = dialog.get_by_label("Cron expression")
    cron.fill("30 8 * * 1-5")
    expect(cron).to_have_accessible_description("At 08:30, Monday through Friday")
    dialog.get_by_label("Time zone").select_option("Europe/Paris")
    watched_page.check("schedule-new")
    dialog.get_by_role("button", name="Create schedule").click()
    expect(dialog).to_have_count(0)

    card = page.get_by_test_id("schedule")
    expect(card).to_contain_text("Weekday review")
    expect(card.locator('[data-field="timing"]')).to_have_text(
        "At 08:30, Monday through Friday (Europe/Paris)"
    )
    card.get_by_text("Upcoming and past runs").click()
    expect(card.get_by_role("listitem")).to_have_count(5)
    watched_page.check("schedules")
    watched_page.check_accessibility("schedules")
    card.get_by_role("button", name="Pause").click()
    expect(card).to_contain_text("Paused")
    expect(card).to_contain_text("Nothing planned")
    card.get_by_role("button", name="Resume").click()
    expect(card).not_to_contain_text("Paused")


def test_a_webhook_endpoint_is_added_tested_and_redelivered(watched_page: WatchedPage) -> None:
    page = watched_page.page
    signed_in(watched_page, "mary-webhooks@example.com", "Mary Jackson")
    with WebhookReceiver() as receiver:
        page.get_by_role("navigation").get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        page.get_by_role("button", name="Add an endpoint").click()
        dialog = page.get_by_role("dialog", name="Add a webhook endpoint")
        dialog.get_by_label("URL").fill(receiver.url)
        dialog.get_by_label("Description").fill("Deploy bot")
        expect(dialog.get_by_role("checkbox", name="Completed").first).to_be_checked()
        watched_page.check("webhook-new")
        dialog.get_by_role("button", name="Add endpoint").click()
        shown = page.get_by_role("dialog", name="Endpoint added")
        secret = shown.get_by_label("Signing secret").input_value()
        assert secret.startswith("whsec_")
        shown.get_by_role("button", name="Done").click()

        card = page.get_by_test_id("webhook-endpoint")
        expect(card).to_contain_text("Deploy bot")
        expect(card).to_contain_text("Active")
        card.get_by_role("button", name="Send test event").click()
        delivery = card.get_by_test_id("webhook-delivery")
        expect(delivery).to_contain_text("webhook.test")
        expect(delivery).to_contain_text("succeeded")
        expect(delivery).to_contain_text("last answer 200")
        [message] = receiver.received
        assert Webhook(secret).verify(message.body, message.headers)["type"] == "webhook.test"
        watched_page.check("webhooks")
        watched_page.check_accessibility("webhooks")

        delivery.locator("summary").click()
        delivery.get_by_role("button", name="Redeliver").click()
        expect(delivery).to_contain_text("2 attempts")
        expect(delivery.get_by_role("list", name="Attempts").get_by_role("listitem")).to_have_count(
            2
        )
        assert [m.headers["webhook-id"] for m in receiver.received] == [
            message.headers["webhook-id"]
        ] * 2


def test_a_vote_swarm_is_created_run_and_shows_the_judges_verdict(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "annie-swarms@example.com", "Annie Easley")
    with OpenAIStandin() as model:
        model.respond_with(echo)
        add_local_provider(watched_page, workspace, model.base_url)
        watched_page.page.request.post(
            f"/api/v1/workspaces/{workspace}/agents",
            headers={"Origin": watched_page.server.base_url},
            data={"template": "code-review"},
        )
        page.get_by_role("navigation").get_by_role("link", name="Chains").click()
        page.get_by_role("button", name="New swarm").click()
        dialog = page.get_by_role("dialog", name="New swarm")
        dialog.get_by_label("Name", exact=True).fill("Second opinion")
        dialog.get_by_label("Strategy").select_option("vote")
        expect(dialog.get_by_label("Judge")).to_be_visible()
        watched_page.check("swarm-new")
        dialog.get_by_role("button", name="Create swarm").click()
        page.wait_for_url(re.compile(r"/chains/chn_[a-z0-9]+$"))
        expect(page.get_by_test_id("chain-node")).to_have_count(3)

        run_from_its_page(watched_page, "Is this safe?")
        status = page.get_by_test_id("chain-run-status")
        expect(status).to_contain_text("Succeeded", timeout=60_000)
        expect(page.locator('[data-field="settled"]')).to_have_text("The judge's verdict")
        expect(page.locator('[data-field="answer"]')).to_contain_text("## agent-1")
        watched_page.check("swarm-run")
        watched_page.check_accessibility("swarm-run")
        assert len(model.model_calls) == 3


def test_a_two_node_chain_is_drawn_on_the_canvas_saved_run_and_opened(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "dorothy-canvas@example.com", "Dorothy Vaughan")
    with OpenAIStandin() as model:
        model.respond_with(echo)
        add_local_provider(watched_page, workspace, model.base_url)
        page.request.post(
            f"/api/v1/workspaces/{workspace}/agents",
            headers={"Origin": watched_page.server.base_url},
            data={"template": "code-review"},
        )
        page.get_by_role("navigation").get_by_role("link", name="Chains").click()
        page.get_by_role("link", name="New chain").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("New chain")
        canvas = page.get_by_test_id("chain-canvas")
        agent = page.get_by_test_id("palette-agent").first
        agent.drag_to(canvas, target_position={"x": 150, "y": 150})
        page.get_by_role("button", name="Add Code Review to the chain").click()
        nodes = page.get_by_test_id("editor-node")
        expect(nodes).to_have_count(2)
        first = page.locator(".react-flow__node", has=page.locator('[data-node-id="code-review"]'))
        second = page.locator(
            ".react-flow__node", has=page.locator('[data-node-id="code-review-2"]')
        )
        first.get_by_test_id("node-output").drag_to(second.get_by_test_id("node-input"))
        expect(page.locator(".react-flow__edge")).to_have_count(1)

        # A placeholder naming no earlier node is refused, and shown on its node.
        nodes.filter(has_text="code-review-2").click()
        panel = page.get_by_role("region", name="Node code-review-2")
        panel.get_by_label("Prompt").fill("Improve {{node.nowhere}}")
        panel.get_by_label("Wait for approval before it runs").check()
        panel.get_by_label("Wait for approval before it runs").uncheck()
        page.get_by_label("Name", exact=True).fill("Drawn review")
        page.get_by_role("button", name="Save chain").click()
        expect(second.locator('[data-field="error"]')).to_contain_text("node.nowhere")
        # Chromium logs the refused save (422) as a console error: the one this step expects.
        watched_page.console[:] = [
            message
            for message in watched_page.console
            if not ("status of 422" in message.text and "/chains" in message.location["url"])
        ]
        watched_page.check("chain-editor")
        watched_page.check_accessibility("chain-editor")
        panel.get_by_label("Prompt").fill("Improve: {{prev}}")
        page.get_by_role("button", name="Save chain").click()
        page.wait_for_url(re.compile(r"/chains/chn_[a-z0-9]+$"))
        expect(page.get_by_test_id("chain-node")).to_have_count(2)

        run_from_its_page(watched_page, "Check the sign-up form")
        status = page.get_by_test_id("chain-run-status")
        expect(status).to_contain_text("Succeeded", timeout=60_000)
        done = page.get_by_test_id("chain-node").and_(page.locator('[data-status="succeeded"]'))
        expect(done).to_have_count(2)
        expect(page.locator('[data-field="answer"]')).to_contain_text(
            "[Improve: [Check the sign-up form]]"
        )
        page.locator('[data-node-id="code-review"]').click()
        page.wait_for_url(re.compile(r"/runs/run_[a-z0-9]+$"))


def test_a_budget_is_set_and_the_kill_switch_engaged_and_lifted(
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    signed_in(watched_page, "dorothy-budgets@example.com", "Dorothy Vaughan")
    page.get_by_role("navigation").get_by_role("link", name="Budgets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budgets")
    page.get_by_role("button", name="Add a budget").click()
    dialog = page.get_by_role("dialog", name="Add a budget")
    dialog.get_by_label("Scope").select_option(label="Per month")
    dialog.get_by_label("Max cost (USD)").fill("250")
    dialog.get_by_role("button", name="Add budget").click()
    card = page.get_by_test_id("budget")
    expect(card).to_contain_text("Per month")
    expect(card).to_contain_text("$250.00")

    page.get_by_role("button", name="Engage kill switch").click()
    confirm = page.get_by_role("alertdialog", name="Engage the kill switch?")
    confirm.get_by_label("Reason").fill("A runaway agent.")
    confirm.get_by_role("button", name="Engage kill switch").click()
    expect(page.get_by_text("Kill switch engaged")).to_be_visible()
    expect(page.get_by_text("A runaway agent.")).to_be_visible()
    expect(page.get_by_text("Nothing was running.")).to_be_visible()
    watched_page.check("budgets-halted")
    watched_page.check_accessibility("budgets-halted")
    page.set_viewport_size({"width": 390, "height": 844})
    watched_page.check("budgets-halted-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Lift").click()
    expect(page.get_by_role("button", name="Engage kill switch")).to_be_visible()
    watched_page.check("budgets")
