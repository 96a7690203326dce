"""The agent playground in Chromium: a draft of the definition tried in a conversation
whose follow-ups carry the thread, a tool call approved in the chat, and version 1
compared with the draft side by side; the agent itself stays at version 1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import PASSWORD, LunaServer, WatchedPage, add_local_provider
from tests.e2e.test_web_app import current_user, first_workspace
from tests.standins import OpenAIStandin, ToolCall, Turn

SAVED = "Compute."
DRAFT = "Answer in as few words as you can."
ANSWER_TIMEOUT = 20_000


@pytest.fixture
def model_server() -> Iterator[OpenAIStandin]:
    """The workspace's model: an OpenAI-compatible server on this machine."""
    with OpenAIStandin() as standin:
        yield standin
    standin.raise_failures()


def system_of(body: dict[str, Any]) -> list[str]:
    return [message["content"] for message in body["messages"] if message["role"] == "system"]


def history_of(body: dict[str, Any]) -> list[str]:
    return [message.get("content") for message in body["messages"] if message["role"] != "system"]


def drafted(*history: str) -> Any:
    """A stand-in check: the draft's instructions, then exactly this conversation."""

    def check(body: dict[str, Any]) -> None:
        assert system_of(body) == [DRAFT]
        assert history_of(body) == list(history)

    return check


def send(page: Page, text: str) -> None:
    """Type a message and send it with Enter once the chat takes one (the previous run
    is settled: its answer can show before its status does), then see it leave the box."""
    message = page.get_by_label("Message", exact=True)
    message.fill(text)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled(
        timeout=ANSWER_TIMEOUT
    )
    message.press("Enter")
    expect(message).to_have_value("", timeout=ANSWER_TIMEOUT)


def turn(page_turns: Locator, index: int) -> Locator:
    return page_turns.nth(index).get_by_test_id("answer")


def test_a_draft_is_tried_in_a_conversation_approved_and_compared(
    watched_page: WatchedPage, luna_server: LunaServer, model_server: OpenAIStandin
) -> None:
    page = watched_page.page
    watched_page.goto("/app/sign-up")
    page.get_by_label("Your name").fill("Annie Easley")
    page.get_by_label("Email").fill("annie@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/app/w/ws_[a-z0-9]+/onboarding$"))
    workspace = first_workspace(current_user(watched_page))["id"]
    base = f"/api/v1/workspaces/{workspace}"
    origin = {"Origin": luna_server.base_url}
    add_local_provider(watched_page, workspace, model_server.base_url)
    created = page.request.post(
        f"{base}/agents",
        headers=origin,
        data={
            "name": "Arithmetic",
            "definition": {
                "instructions": SAVED,
                "tools": [{"name": "calculator", "requires_approval": True}],
            },
        },
    )
    assert created.ok, created.text()
    agent = created.json()

    # The draft: new instructions, not saved.
    watched_page.goto(f"/app/w/{workspace}/playground?agent={agent['id']}")
    instructions = page.get_by_label("Instructions", exact=True)
    expect(instructions).to_have_value(SAVED)
    instructions.fill(DRAFT)
    expect(page.get_by_test_id("draft-status")).to_contain_text("Draft: unsaved changes")

    # A conversation: the first answer streams in; the follow-up carries the history.
    model_server.script(
        Turn(text="Hello Ada.", chunk_delay=0.05, expect=drafted("My name is Ada.")),
        Turn(
            text="You are Ada.",
            expect=drafted("My name is Ada.", "Hello Ada.", "Who am I?"),
        ),
    )
    send(page, "My name is Ada.")
    turns = page.get_by_test_id("chat-turn")
    expect(turn(turns, 0)).to_have_text("Hello Ada.", timeout=ANSWER_TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]thread=run_[a-z0-9]+"))
    first_run = turns.nth(0).get_attribute("data-run-id")
    expect(page.get_by_test_id("playground-graph")).to_have_attribute("data-run-id", first_run)
    watched_page.check("playground-1-answered")
    watched_page.check_accessibility("playground-1-answered")

    send(page, "Who am I?")
    expect(turn(turns, 1)).to_have_text("You are Ada.", timeout=ANSWER_TIMEOUT)

    # A tool call that needs approval: decided in the chat, then the run goes on.
    model_server.script(
        Turn(
            tool_calls=[ToolCall("calculator", {"expression": "6*7"}, id="c1")],
            expect=drafted("My name is Ada.", "Hello Ada.", "Who am I?", "You are Ada.", "6*7?"),
        ),
        Turn(text="42.", expect=lambda body: _tool_result_is(body, "42")),
    )
    send(page, "6*7?")
    paused = page.get_by_role("group", name="Tool calls waiting for approval")
    expect(paused.get_by_test_id("approval")).to_contain_text("calculator", timeout=ANSWER_TIMEOUT)
    expect(paused).to_contain_text('"expression": "6*7"')
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    watched_page.check("playground-2-approval")
    watched_page.check_accessibility("playground-2-approval")
    paused.get_by_role("button", name="Approve").click()
    expect(turn(turns, 2)).to_have_text("42.", timeout=ANSWER_TIMEOUT)
    expect(turns.nth(2)).to_have_attribute("data-status", "succeeded")
    third_run = turns.nth(2).get_attribute("data-run-id")
    done = page.request.get(f"{base}/runs/{third_run}").json()
    assert (done["draft"], done["thread_id"]) == (True, first_run)
    expect(page.get_by_test_id("graph-node")).to_have_count(done["step_count"])
    expect(page.get_by_role("link", name="Open the full run")).to_have_attribute(
        "href", f"/app/w/{workspace}/runs/{third_run}"
    )
    watched_page.check("playground-3-approved")

    # The agent was not changed: still its one saved version.
    stored = page.request.get(f"{base}/agents/{agent['id']}").json()
    assert (stored["current_version"], stored["definition"]["instructions"]) == (1, SAVED)

    # Compare version 1 with the draft on one input, side by side.
    model_server.respond_with(
        lambda body: Turn(text="Draft says 42." if system_of(body) == [DRAFT] else "Version one.")
    )
    page.get_by_role("button", name="Compare versions").click()
    expect(page.get_by_label("Left", exact=True)).to_have_value("1")
    expect(page.get_by_label("Right", exact=True)).to_have_value("draft")
    page.get_by_label("Input for both").fill("What is 6*7? No tools.")
    page.get_by_role("button", name="Run both").click()
    left = page.get_by_role("region", name="Left run")
    right = page.get_by_role("region", name="Right run")
    expect(left.get_by_test_id("answer")).to_have_text("Version one.", timeout=ANSWER_TIMEOUT)
    expect(right.get_by_test_id("answer")).to_have_text("Draft says 42.", timeout=ANSWER_TIMEOUT)
    expect(left.get_by_role("heading")).to_have_text("Left: Version 1")
    expect(right.get_by_role("heading")).to_have_text("Right: Draft")
    for column in (left, right):
        expect(column.locator('[data-field="status"]')).to_have_attribute("data-value", "succeeded")
        expect(column.locator('[data-field="tokens-out"]')).not_to_have_attribute("data-value", "0")
    watched_page.check("playground-4-compared")
    watched_page.check_accessibility("playground-4-compared")
    model_server.respond_with(None)


def _tool_result_is(body: dict[str, Any], expected: str) -> None:
    assert system_of(body) == [DRAFT]
    assert body["messages"][-1]["role"] == "tool"
    assert body["messages"][-1]["content"] == expected
