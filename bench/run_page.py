"""The run page in Chromium, timed: how soon a step stored while the page watches shows as
a node, how long the 500-step run's group of 250 calls takes to lay out once expanded and
the longest task while it is panned, and how long a replay at 4x takes.

Starts ``luna serve`` (SQLite, the built web app) on a free port and drives Debian's
headless Chromium with the browser tests' helpers and model stand-in
(``tests/e2e/run_setups.py``): the browser tests check what the page does, this measures
how fast. Prints a Markdown table. Run it from the checkout's root:

    uv run python -m bench.run_page --runs 5 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from bench.page_speed import free_port
from playwright.sync_api import APIResponse, Browser, Page, expect, sync_playwright
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    START_TIMEOUT,
    LunaServer,
    WatchedPage,
    signed_in,
    start_local_run,
    watched_page_in,
)
from tests.e2e.run_setups import HeldOpenAIStandin, start_run_of_500_steps
from tests.standins import OpenAIStandin, ToolCall, Turn

# Installed before any page script: when the first node appeared, on the machine's clock
# (the one the server stamps steps with).
WATCH_FIRST_NODE = """
window.__firstNodeAt = null;
new MutationObserver(() => {
  if (window.__firstNodeAt === null && document.querySelector('[data-testid="graph-node"]')) {
    window.__firstNodeAt = Date.now();
  }
}).observe(document, { childList: true, subtree: true });
"""
# Records every long task (over 50 ms) from now on; `window.__longTasks` holds durations.
WATCH_LONG_TASKS = """
() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: "longtask" });
}
"""
# The expanded group is laid out: it is gone, "Arranging N steps" too, and nodes are drawn
# (only those in view are: the graph draws no more).
LAID_OUT = """
() => !document.querySelector('[data-testid="graph-group"]')
  && !/Arranging \\d+ steps/.test(document.body.innerText)
  && document.querySelector('[data-testid="graph-node"]') !== null
"""
DRAGS = [(-300, -200), (300, 250), (-250, 300), (200, -350)]
SUCCEEDED = re.compile("Succeeded")
REPLAY_SPEED = 4


@dataclass(frozen=True)
class Measure:
    """Samples of one measure, in milliseconds, and what they should be."""

    name: str
    samples_ms: list[float]
    target: str
    limit_ms: float | None = None

    def row(self) -> str:
        worst = max(self.samples_ms)
        target = self.target
        if self.limit_ms is not None:
            target += " (met)" if worst <= self.limit_ms else " (missed)"
        return (
            f"| {self.name} | {len(self.samples_ms)} | "
            f"{statistics.median(self.samples_ms):.0f} ms | {worst:.0f} ms | {target} |"
        )


@contextmanager
def luna_serve(directory: Path) -> Iterator[LunaServer]:
    """``luna serve`` with the built web app on a free port, as the browser tests start it
    (their generous start-up deadline included), until the block ends."""
    port = free_port()
    server = LunaServer(f"http://127.0.0.1:{port}", directory / "data", directory / "serve.log")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment |= {
        "LUNA_DATA_DIR": str(server.data_dir),
        "LUNA_PUBLIC_URL": server.base_url,
        "LUNA_LOG_LEVEL": "WARNING",
        "LUNA_AUTH_RATE_LIMIT": "1000/minute",  # a sign-up and sign-in per measured run
    }
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-m", "luna", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(server, process)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=15)


def wait_until_healthy(server: LunaServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"luna serve did not start; see {server.log_path}")


def milliseconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp() * 1000


def fetch(watched: WatchedPage, path: str) -> APIResponse:
    """A GET through the signed-in page, its whole body read."""
    response = watched.page.request.get(path)
    if not response.ok:
        raise SystemExit(f"GET {path}: {response.status} {response.text()}")
    return response


def first_node_delay(browser: Browser, server: LunaServer, trial: int) -> float:
    """From a run's first step being stored to its node showing, the page having been
    open on the run (its model held) before the step existed."""
    with watched_page_in(browser, server) as watched, HeldOpenAIStandin() as model:
        page = watched.page
        workspace = signed_in(watched, f"first-node-{trial}@example.com", "Bench")
        model.script(Turn(text="Measured."))
        body = {"input": "Say when", "mode": "background"}
        run = start_local_run(watched, workspace, model.base_url, body)
        page.add_init_script(WATCH_FIRST_NODE)
        watched.goto(f"/app/w/{workspace}/runs/{run['id']}")
        summary = page.get_by_test_id("run-summary")
        expect(summary.locator('[data-field="stream"]')).to_have_attribute("data-value", "open")
        model.answer()
        expect(summary.locator('[data-field="status"]')).to_have_text(SUCCEEDED, timeout=30_000)
        graph = fetch(watched, f"/api/v1/workspaces/{workspace}/runs/{run['id']}/graph").json()
        first = min(graph["nodes"], key=lambda node: node["sequence"])
        shown_at = float(page.evaluate("() => window.__firstNodeAt"))
        return shown_at - milliseconds(first["ended_at"] or first["started_at"])


def expand_group(page: Page) -> float:
    """Expand the group of 250 calls: how long until its nodes are laid out and drawn."""
    started = time.perf_counter()
    page.get_by_test_id("graph-group").click()
    page.wait_for_function(LAID_OUT, polling="raf", timeout=60_000)
    return (time.perf_counter() - started) * 1000


def longest_task_while_panning(page: Page) -> float:
    """Pan the graph four times; the longest task meanwhile (0 when none passed 50 ms)."""
    page.evaluate(WATCH_LONG_TASKS)
    box = page.get_by_test_id("run-graph").bounding_box()
    assert box is not None
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in DRAGS:
        page.mouse.move(centre_x, centre_y)
        page.mouse.down()
        page.mouse.move(centre_x + dx, centre_y + dy, steps=15)
        page.mouse.up()
    page.wait_for_timeout(300)
    return float(max(page.evaluate("() => window.__longTasks"), default=0.0))


def pan_rounds(browser: Browser, server: LunaServer, rounds: int) -> tuple[Measure, Measure]:
    """On a run of 500 steps, ``rounds`` times: expand the group, pan, collapse it."""
    layouts, longest = [], []
    with watched_page_in(browser, server) as watched, OpenAIStandin() as model:
        page = watched.page
        workspace = signed_in(watched, "pan@example.com", "Bench")
        run = start_run_of_500_steps(watched, workspace, model)
        watched.goto(f"/app/w/{workspace}/runs/{run['id']}")
        group = page.get_by_test_id("graph-group")
        expect(group).to_have_attribute("data-count", "250", timeout=30_000)
        for _ in range(rounds):
            layouts.append(expand_group(page))
            longest.append(longest_task_while_panning(page))
            page.get_by_test_id("group-toggle").click()
            expect(group).to_have_attribute("data-count", "250")
    return (
        Measure("250 grouped calls expanded, laid out", layouts, "none set"),
        Measure("longest task, 4 pans of 500 nodes", longest, "≤ 200 ms", 200.0),
    )


def replay_durations(browser: Browser, server: LunaServer, replays: int) -> Measure:
    """A 21-step run (six tool round trips and an answer, each model request answered
    after 0.4 s) replayed at 4x through the API ``replays`` times."""
    with watched_page_in(browser, server) as watched, OpenAIStandin() as model:
        workspace = signed_in(watched, "replay@example.com", "Bench")
        model.script(
            *(
                Turn(
                    tool_calls=[ToolCall(id=f"c{n}", name="text_stats", arguments={"text": "a"})],
                    first_byte_delay=0.4,
                )
                for n in range(6)
            ),
            Turn(text="Measured six times.", first_byte_delay=0.4),
        )
        body = {"input": "Measure", "mode": "wait"}
        run = start_local_run(watched, workspace, model.base_url, body)
        base = f"/api/v1/workspaces/{workspace}/runs/{run['id']}"
        steps = fetch(watched, f"{base}/steps?limit=100").json()["items"]
        last = max(milliseconds(step["ended_at"] or step["started_at"]) for step in steps)
        quarter = (last - milliseconds(run["started_at"])) / REPLAY_SPEED
        durations = []
        for _ in range(replays):
            started = time.perf_counter()
            fetch(watched, f"{base}/replay?speed={REPLAY_SPEED}")
            durations.append((time.perf_counter() - started) * 1000)
    target = f"{quarter:.0f} ms (a quarter of the run)"
    return Measure(f"replay of {len(steps)} steps at {REPLAY_SPEED}x", durations, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="first-node runs, and replays")
    parser.add_argument("--rounds", type=int, default=3, help="expand-and-pan rounds")
    parser.add_argument("--chromium", default=CHROMIUM, help="browser binary")
    arguments = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as directory,
        luna_serve(Path(directory)) as server,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(executable_path=arguments.chromium, args=CHROMIUM_ARGS)
        delays = [first_node_delay(browser, server, trial) for trial in range(arguments.runs)]
        measures = [
            Measure("step stored → its node shown", delays, "≤ 200 ms", 200.0),
            *pan_rounds(browser, server, arguments.rounds),
            replay_durations(browser, server, arguments.runs),
        ]
        browser.close()
    print("| measure | samples | p50 | max | target |")
    print("| --- | --- | --- | --- | --- |")
    for measure in measures:
        print(measure.row())


if __name__ == "__main__":
    main()
