"""The run page in Chromium: a demo workspace's recorded runs drawn as a graph, opened
step by step and replayed, with no model provider; and a live run drawn as it happens."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LunaServer, WatchedPage, signed_in, start_local_run
from tests.e2e.run_setups import HeldOpenAIStandin, start_run_of_500_steps
from tests.standins import OpenAIStandin, ToolCall, Turn

# Polls the replay controls' position while a replay plays, in the page.
WATCH_POSITIONS = """
(lastSequence) => new Promise((resolve) => {
  const controls = () => document.querySelector('[data-testid="replay-controls"]');
  const seen = [Number(controls().dataset.position)];
  const timer = setInterval(() => {
    const position = Number(controls().dataset.position);
    if (position !== seen[seen.length - 1]) seen.push(position);
    if (new URL(location.href).searchParams.get("at") === String(lastSequence)) {
      clearInterval(timer);
      resolve(seen);
    }
  }, 10);
  setTimeout(() => { clearInterval(timer); resolve(seen); }, 20000);
})
"""


def api_get(watched: WatchedPage, path: str) -> Any:
    response = watched.page.request.get(path)
    assert response.ok, response.text()
    return response.json()


def test_a_demo_run_is_drawn_opened_and_replayed_without_a_provider(
    watched_page: WatchedPage, luna_server: LunaServer
) -> None:
    page = watched_page.page
    signed_in(watched_page, "mary@example.com", "Mary Jackson")

    page.get_by_role("button", name="Create a demo workspace").click()
    expect(page.get_by_role("note", name="Demo workspace")).to_be_visible()
    demo_id = page.url.rsplit("/", 1)[1]
    assert api_get(watched_page, f"/api/v1/workspaces/{demo_id}/providers")["items"] == []
    runs = api_get(watched_page, f"/api/v1/workspaces/{demo_id}/runs?limit=100")["items"]
    review = next(run for run in runs if run["input"].startswith("Review pull request"))
    graph = api_get(watched_page, f"/api/v1/workspaces/{demo_id}/runs/{review['id']}/graph")

    watched_page.goto(f"/app/w/{demo_id}/runs/{review['id']}")
    nodes = page.get_by_test_id("graph-node")
    expect(nodes).to_have_count(review["step_count"])
    expect(page.get_by_test_id("run-graph")).to_have_attribute(
        "data-node-count", str(review["step_count"])
    )
    for node in graph["nodes"]:
        drawn = page.locator(f'[data-testid="graph-node"][data-step-id="{node["id"]}"]')
        expect(drawn.locator('[data-field="tokens-in"]')).to_have_attribute(
            "data-value", str(node["tokens_in"])
        )
        if node["confidence"] is not None:
            expect(drawn.locator('[data-field="confidence"]')).to_have_attribute(
                "data-value", str(node["confidence"])
            )
    watched_page.check("run-graph")
    watched_page.check_accessibility("run-graph")

    first_request = next(node for node in graph["nodes"] if node["kind"] == "model_request")
    before = page.evaluate(VIEWPORT_TRANSFORM)
    page.locator(f'[data-testid="graph-node"][data-step-id="{first_request["id"]}"]').click()
    panel = page.get_by_test_id("step-panel")
    expect(panel).to_have_attribute("data-step-id", first_request["id"])
    # The panel takes room from the canvas: the graph is fitted again to what is left.
    page.wait_for_function(VIEWPORT_MOVED, arg=before)
    expect(panel.locator('[data-field="tokens-out"]')).to_have_attribute(
        "data-value", str(first_request["tokens_out"])
    )
    watched_page.check("run-step-panel")

    # Replay from the first step at 4x: the steps come back in their recorded order.
    watched_page.goto(f"/app/w/{demo_id}/runs/{review['id']}?at=1&speed=4")
    controls = page.get_by_test_id("replay-controls")
    expect(controls).to_have_attribute("data-position", "1")
    expect(page.get_by_label("Speed")).to_have_value("4")
    page.get_by_role("button", name="Play").click()
    positions = page.evaluate(WATCH_POSITIONS, review["step_count"])
    assert positions == sorted(set(positions)), positions
    assert positions[-1] > positions[0], positions
    expect(controls).to_have_attribute("data-playing", "false")
    # Every step is back in the graph (off-screen nodes are not rendered, so count the model).
    expect(page.get_by_test_id("run-graph")).to_have_attribute(
        "data-node-count", str(review["step_count"])
    )
    watched_page.check("run-replayed")


def test_a_live_run_grows_its_graph_to_one_node_per_step(
    watched_page: WatchedPage, luna_server: LunaServer
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "evelyn@example.com", "Evelyn Boyd Granville")
    base = f"/api/v1/workspaces/{workspace}"
    with OpenAIStandin() as model:
        model.script(
            Turn(
                thinking="Measure the text first.",
                tool_calls=[ToolCall(id="call_1", name="text_stats", arguments={"text": "a b c"})],
                chunk_delay=0.05,
            ),
            Turn.with_mean_probability("Three words.", 0.8, chunk_delay=0.05),
        )
        run = start_local_run(
            watched_page,
            workspace,
            model.base_url,
            {"input": "Count the words: a b c", "mode": "background"},
        )
        watched_page.goto(f"/app/w/{workspace}/runs/{run['id']}")
        finished = page.get_by_test_id("run-summary").locator('[data-field="status"]')
        expect(finished).to_have_text(re.compile("Succeeded"), timeout=30_000)
        model.raise_failures()

    done = api_get(watched_page, f"{base}/runs/{run['id']}")
    graph = api_get(watched_page, f"{base}/runs/{run['id']}/graph")
    nodes = page.get_by_test_id("graph-node")
    expect(nodes).to_have_count(done["step_count"])
    drawn = [
        int(value or 0)
        for value in nodes.evaluate_all("(nodes) => nodes.map((n) => n.dataset.sequence)")
    ]
    assert sorted(drawn) == [node["sequence"] for node in graph["nodes"]]
    answer = next(node for node in graph["nodes"] if node["kind"] == "text")
    expect(
        page.locator(f'[data-testid="graph-node"][data-step-id="{answer["id"]}"]').locator(
            '[data-field="confidence"]'
        )
    ).to_have_attribute("data-value", str(answer["confidence"]))
    watched_page.check("run-live")


# React Flow's pan and zoom: the transform of the layer that holds the nodes.
VIEWPORT = """document.querySelector('[data-testid="run-graph"] .react-flow__viewport')"""
VIEWPORT_TRANSFORM = f"() => {VIEWPORT}.style.transform"
VIEWPORT_MOVED = f"(before) => {VIEWPORT}.style.transform !== before"


def test_a_step_stored_while_the_page_watches_shows_as_a_node(
    watched_page: WatchedPage, luna_server: LunaServer
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "katherine@example.com", "Katherine Johnson")
    base = f"/api/v1/workspaces/{workspace}"
    with HeldOpenAIStandin() as model:
        model.script(Turn(text="Measured."))
        run = start_local_run(
            watched_page, workspace, model.base_url, {"input": "Say when", "mode": "background"}
        )
        watched_page.goto(f"/app/w/{workspace}/runs/{run['id']}")
        # The page follows the run, which has no step yet: its model is held.
        summary = page.get_by_test_id("run-summary")
        expect(summary.locator('[data-field="stream"]')).to_have_attribute("data-value", "open")
        expect(page.get_by_test_id("run-graph")).to_have_attribute("data-node-count", "0")

        model.answer()
        # How soon it shows is bench/run_page.py's to measure; that a step after a quiet
        # spell skips the batching delay, run-events.test.ts's to check.
        expect(page.get_by_test_id("graph-node").first).to_be_visible(timeout=30_000)
        status = summary.locator('[data-field="status"]')
        expect(status).to_have_text(re.compile("Succeeded"), timeout=30_000)
        model.raise_failures()

    graph = api_get(watched_page, f"{base}/runs/{run['id']}/graph")
    expect(page.get_by_test_id("graph-node")).to_have_count(len(graph["nodes"]))
    watched_page.check("run-first-node")


def test_a_run_of_500_steps_is_grouped_and_can_be_expanded_panned_and_opened(
    watched_page: WatchedPage, luna_server: LunaServer
) -> None:
    page = watched_page.page
    workspace = signed_in(watched_page, "annie@example.com", "Annie Easley")
    with OpenAIStandin() as model:
        run = start_run_of_500_steps(watched_page, workspace, model)

    watched_page.goto(f"/app/w/{workspace}/runs/{run['id']}")
    graph = page.get_by_test_id("run-graph")
    expect(graph).to_have_attribute("data-node-count", str(run["step_count"]), timeout=30_000)
    # The 250 calls and their 250 results are drawn as one group until it is expanded.
    group = page.get_by_test_id("graph-group")
    expect(group).to_have_attribute("data-count", "250")
    expect(page.get_by_test_id("graph-node")).to_have_count(run["step_count"] - 500)
    watched_page.check("run-500-steps-grouped")
    watched_page.check_accessibility("run-500-steps-grouped")
    group.click()
    toggle = page.get_by_test_id("group-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_be_focused()
    expect(group).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Arranging \d+ steps"))).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("graph-node").first).to_be_visible()
    box = graph.bounding_box()
    assert box is not None
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Each drag moves the view (how smoothly, bench/run_page.py measures).
    for dx, dy in [(-300, -200), (300, 250), (-250, 300), (200, -350)]:
        before = page.evaluate(VIEWPORT_TRANSFORM)
        page.mouse.move(centre_x, centre_y)
        page.mouse.down()
        page.mouse.move(centre_x + dx, centre_y + dy, steps=15)
        page.mouse.up()
        page.wait_for_function(VIEWPORT_MOVED, arg=before)
    page.mouse.wheel(0, 400)  # zoomed out: more of the 500 nodes in view, still answering
    # The graph still answers: a click on a node opens its panel.
    # The node is named by its step: which node comes first in the page changes as the view
    # settles after the zoom and other nodes enter or leave it.
    step_id = page.get_by_test_id("graph-node").first.get_attribute("data-step-id")
    page.locator(f'[data-testid="graph-node"][data-step-id="{step_id}"]').click()
    expect(page.get_by_test_id("step-panel")).to_have_attribute("data-step-id", str(step_id))
    watched_page.check("run-500-steps")
    toggle.click()
    expect(group).to_have_attribute("data-count", "250")
