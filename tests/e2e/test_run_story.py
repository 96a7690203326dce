"""The run page tells a run's story without a click, on a desktop and on a phone: its
agent, input, status with the time taken, answer or error with what to do, and totals
above the graph; while a model request is under way, a pending node counts up."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    PASSWORD,
    LunaServer,
    WatchedPage,
    add_local_provider,
    signed_in,
    start_local_run,
    watched_page_in,
)
from tests.e2e.run_setups import HeldOpenAIStandin
from tests.standins import OpenAIStandin, ScriptedError, ToolCall, Turn
from tests.standins.openai_server import DEFAULT_API_KEY

WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}

# The widest element of the page that sticks out past the window's right edge, if any.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [...document.querySelectorAll("body *")].find(
    (element) => element.getBoundingClientRect().right > width + 1);
  return wide ? wide.outerHTML.slice(0, 200) : "the page scrolls sideways";
}"""


@pytest.fixture(params=sorted(WIDTHS))
def sized_page(
    request: pytest.FixtureRequest, browser: Browser, luna_server: LunaServer
) -> Iterator[tuple[str, WatchedPage]]:
    with watched_page_in(browser, luna_server) as watched:
        watched.page.set_viewport_size(WIDTHS[request.param])  # type: ignore[arg-type]
        yield request.param, watched


def no_overflow(page: Page) -> None:
    assert page.evaluate(OVERFLOW) is None, page.evaluate(OVERFLOW)


def test_a_finished_and_a_failed_run_read_at_a_glance(
    sized_page: tuple[str, WatchedPage],
) -> None:
    width, watched = sized_page
    page = watched.page
    workspace = signed_in(watched, f"story-{width}@example.com", "Ada Lovelace")
    with OpenAIStandin() as model:
        model.script(
            Turn(tool_calls=[ToolCall(id="call_1", name="text_stats", arguments={"text": "a b"})]),
            Turn(text="Two words, no issue found.\nThe change can ship."),
            Turn(error=ScriptedError(401)),  # the next run: the provider refuses its key
        )
        run = start_local_run(
            watched, workspace, model.base_url, {"input": "Review: a b", "mode": "wait"}
        )
        failed = page.request.post(
            f"/api/v1/workspaces/{workspace}/agents/{run['agent_id']}/runs",
            headers={"Origin": watched.server.base_url},
            data={"input": "Review again", "mode": "wait"},
        ).json()
    assert failed["status"] == "failed", failed
    watched.goto(f"/app/w/{workspace}/runs/{run['id']}")
    summary = page.get_by_test_id("run-summary")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Code Review"))
    expect(summary.locator('[data-field="status"]')).to_have_attribute("data-value", "succeeded")
    expect(summary.locator('[data-field="input"]')).to_contain_text("Review: a b")
    answer = summary.locator('[data-field="answer"]')
    expect(answer).to_contain_text("Two words, no issue found.")
    expect(answer).to_be_in_viewport()  # on a phone too: the navigation is behind a menu
    expect(summary.locator('[data-field="elapsed"]')).to_have_text(re.compile(r"^[\d.,]+ m?s$"))
    expect(page.get_by_test_id("graph-node")).to_have_count(run["step_count"])
    expect(page.get_by_test_id("step-panel")).to_have_count(0)  # nothing was clicked
    # A phone reads the graph top down.
    layout = page.get_by_label("Layout")
    expect(layout).to_have_value("TB" if width == "phone" else "LR")
    no_overflow(page)
    watched.check(f"run-finished-{width}")
    watched.check_accessibility(f"run-finished-{width}")

    # A step opened on a phone comes up as a sheet over the graph's lower part.
    page.get_by_test_id("graph-node").first.click()
    panel = page.get_by_test_id("step-panel")
    expect(panel).to_be_in_viewport()
    no_overflow(page)
    watched.check(f"run-step-{width}")

    watched.goto(f"/app/w/{workspace}/runs/{failed['id']}")
    error = summary.locator('[data-field="answer"]')
    expect(error).to_contain_text("Providers page")
    expect(error).to_contain_text("provider-auth")
    expect(error).to_be_in_viewport()
    no_overflow(page)
    watched.check(f"run-failed-{width}")
    watched.check_accessibility(f"run-failed-{width}")

    # The runs list says what each run was asked and what it answered.
    watched.goto(f"/app/w/{workspace}/runs")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Review: a b")).to_contain_text("Two words, no issue found.")
    expect(rows.filter(has_text="Review again")).to_contain_text("API key")
    watched.check(f"runs-list-{width}")


def test_a_model_request_under_way_is_a_pending_node_that_counts_up(
    sized_page: tuple[str, WatchedPage],
) -> None:
    width, watched = sized_page
    page = watched.page
    workspace = signed_in(watched, f"pending-{width}@example.com", "Grace Hopper")
    with HeldOpenAIStandin() as model:
        model.script(Turn(text="Done."))
        run = start_local_run(
            watched, workspace, model.base_url, {"input": "Say when", "mode": "background"}
        )
        watched.goto(f"/app/w/{workspace}/runs/{run['id']}")
        pending = page.get_by_test_id("pending-node")
        expect(pending).to_have_attribute("data-kind", "model")
        expect(pending).to_contain_text("Waiting for the first token")
        counter = pending.locator('[data-field="elapsed"]')
        first = int(counter.get_attribute("data-value") or 0)
        page.wait_for_function(
            """(first) => Number(document.querySelector(
                '[data-testid="pending-node"] [data-field="elapsed"]').dataset.value) > first""",
            arg=first + 1000,
        )
        summary = page.get_by_test_id("run-summary")
        expect(summary.locator('[data-field="answer"]')).to_contain_text("Working")
        no_overflow(page)
        watched.check(f"run-live-{width}")

        model.answer()
        expect(summary.locator('[data-field="status"]')).to_have_attribute(
            "data-value", "succeeded", timeout=30_000
        )
        expect(pending).to_have_count(0)
        expect(summary.locator('[data-field="answer"]')).to_contain_text("Done.")
        model.raise_failures()


def test_a_run_paused_for_approval_is_decided_on_its_page_and_drawn_settled(
    sized_page: tuple[str, WatchedPage],
) -> None:
    width, watched = sized_page
    page = watched.page
    workspace = signed_in(watched, f"approval-{width}@example.com", "Mary Jackson")
    base = f"/api/v1/workspaces/{workspace}"
    origin = {"Origin": watched.server.base_url}
    with OpenAIStandin() as model:
        model.script(
            Turn(tool_calls=[ToolCall("calculator", {"expression": "6*7"}, id="c1")]),
            Turn(text="6 times 7 is 42."),
        )
        add_local_provider(watched, workspace, model.base_url)
        agent = page.request.post(
            f"{base}/agents",
            headers=origin,
            data={
                "name": "Arithmetic",
                "definition": {
                    "instructions": "Compute with the calculator.",
                    "tools": [{"name": "calculator", "requires_approval": True}],
                },
            },
        ).json()
        run = page.request.post(
            f"{base}/agents/{agent['id']}/runs",
            headers=origin,
            data={"input": "6*7?", "mode": "wait"},
        ).json()
        assert run["status"] == "waiting_approval", run

        watched.goto(f"/app/w/{workspace}/runs/{run['id']}")
        summary = page.get_by_test_id("run-summary")
        expect(summary.locator('[data-field="answer"]')).to_contain_text("Paused until a member")
        waiting = page.get_by_role("region", name="Waiting for approval")
        expect(waiting).to_contain_text("calculator")
        no_overflow(page)
        watched.check(f"run-approval-{width}")
        watched.check_accessibility(f"run-approval-{width}")

        waiting.get_by_role("button", name="Approve").click()
        expect(summary.locator('[data-field="status"]')).to_have_attribute(
            "data-value", "succeeded", timeout=30_000
        )
        model.raise_failures()
    expect(summary.locator('[data-field="answer"]')).to_contain_text("6 times 7 is 42.")
    done = page.request.get(f"{base}/runs/{run['id']}").json()
    expect(page.get_by_test_id("graph-node")).to_have_count(done["step_count"])
    # Decided: the approval no longer reads as waiting, and a decision step sits under it.
    expect(page.get_by_test_id("run-graph").get_by_text("Waiting for a decision")).to_have_count(0)
    no_overflow(page)
    watched.check(f"run-approved-{width}")


def test_a_new_user_on_a_phone_reaches_the_answer_of_their_first_run(
    browser: Browser, luna_server: LunaServer
) -> None:
    """Sign up, the guided setup and the first run on a phone, then the run's page from
    the menu: the answer is on the first screen, without opening a node."""
    answer_text = "Return 0.0 for an empty list."
    with watched_page_in(browser, luna_server) as watched, OpenAIStandin() as model:
        model.script(Turn(text=answer_text))
        page = watched.page
        page.set_viewport_size(WIDTHS["phone"])  # type: ignore[arg-type]
        watched.goto("/app/sign-up")
        page.get_by_label("Your name").fill("Mary Jackson")
        page.get_by_label("Email").fill("mary-phone@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(re.compile(r"/onboarding$"))
        page.get_by_role("button", name=re.compile(r"^Use this agent")).first.click()
        page.get_by_label("Kind").select_option("openai_compatible")
        page.get_by_label("Name").fill("Local model")
        page.get_by_label(re.compile(r"^Base URL")).fill(model.base_url)
        page.get_by_label(re.compile(r"^API key")).fill(DEFAULT_API_KEY)
        page.get_by_label(re.compile(r"^Default model")).fill("gpt-4.1-mini")
        page.get_by_role("button", name="Add provider").click()
        page.get_by_role("button", name=re.compile(r"^Run ")).click()
        expect(page.get_by_test_id("first-run-answer")).to_have_text(answer_text, timeout=30_000)
        no_overflow(page)

        page.get_by_role("button", name="Menu").click()
        page.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Runs"
        ).click()
        page.get_by_role("table").get_by_role("link").first.click()
        answer = page.get_by_test_id("run-summary").locator('[data-field="answer"]')
        expect(answer).to_contain_text(answer_text)
        expect(answer).to_be_in_viewport()
        no_overflow(page)
        watched.check("first-run-page-phone")
        model.raise_failures()
