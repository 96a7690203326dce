"""Largest Contentful Paint and JavaScript weight of the landing page and the dashboard.

Starts ``luna serve`` on a free port with a fresh data directory (SQLite), signs a user
up, and loads each page ``--loads`` times in headless Chromium (Debian's, by default), a
fresh browser context each time, so every load is a first visit with an empty cache.
Prints a Markdown table: LCP p50 and p95, and the JavaScript the page loaded (every
``.js`` file, preloaded modules included: compressed as sent, and decoded).

    uv run python bench/page_speed.py --loads 10
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
LCP = """
() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({ type: "largest-contentful-paint", buffered: true });
  setTimeout(() => resolve(null), 5000);
})
"""
SCRIPT_BYTES = """
() => performance.getEntriesByType("resource")
  .filter((entry) => new URL(entry.name).pathname.endsWith(".js"))
  .reduce((sum, entry) => [sum[0] + entry.encodedBodySize, sum[1] + entry.decodedBodySize],
          [0, 0])
"""
TARGETS_MS = {"landing": 800.0, "dashboard": 1200.0}


@dataclass(frozen=True)
class PageResult:
    """What the loads of one page measured."""

    name: str
    lcp_ms: list[float]
    script_bytes_sent: int
    script_bytes_decoded: int

    def row(self) -> str:
        ordered = sorted(self.lcp_ms)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        target = TARGETS_MS[self.name]
        verdict = "met" if p95 < target else "missed"
        return (
            f"| {self.name} | {len(ordered)} | {statistics.median(ordered):.0f} ms | "
            f"{p95:.0f} ms | < {target:.0f} ms ({verdict}) | "
            f"{self.script_bytes_sent / 1024:.1f} KB | {self.script_bytes_decoded / 1024:.1f} KB |"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def luna_server(directory: Path) -> Iterator[str]:
    """``luna serve`` with the packaged web app, until the block ends."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment |= {
        "LUNA_DATA_DIR": str(directory),
        "LUNA_PUBLIC_URL": base_url,
        "LUNA_LOG_LEVEL": "WARNING",
        # Each dashboard load signs in afresh from this one address.
        "LUNA_AUTH_RATE_LIMIT": "1000/minute",
    }
    with (directory / "serve.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-m", "luna", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"luna serve did not start; see {directory / 'serve.log'}")
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=15)


def measure(
    browser: Browser,
    base_url: str,
    name: str,
    path: str,
    loads: int,
    prepare: Callable[[BrowserContext], None] | None = None,
) -> PageResult:
    """Load a page ``loads`` times, each in a new context (an empty cache), after one
    unmeasured load that warms the server (its first render, its database connections)."""
    paints: list[float] = []
    sent = decoded = 0
    for attempt in range(loads + 1):
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
        try:
            if prepare is not None:
                prepare(context)
            page = context.new_page()
            page.goto(path, wait_until="load")
            paint = page.evaluate(LCP)
            if paint is None:
                raise SystemExit(f"Chromium reported no LCP for {path}")
            if attempt > 0:
                paints.append(float(paint))
            page.wait_for_load_state("networkidle")
            sent, decoded = page.evaluate(SCRIPT_BYTES)
        finally:
            context.close()
    return PageResult(name, paints, sent, decoded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=10, help="loads of each page")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="browser binary")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, luna_server(Path(directory)) as base_url:
        origin = {"Origin": base_url}
        account = {"email": "bench@example.com", "password": PASSWORD, "display_name": "Bench"}
        signed_up = httpx.post(f"{base_url}/api/v1/auth/signup", json=account, headers=origin)
        signed_up.raise_for_status()
        workspace = signed_up.json()["teams"][0]["workspaces"][0]["id"]
        credentials = {"email": account["email"], "password": PASSWORD}

        def sign_in(context: BrowserContext) -> None:
            response = context.request.post("/api/v1/auth/login", data=credentials, headers=origin)
            if not response.ok:
                raise SystemExit(f"sign-in failed: {response.status} {response.text()}")

        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=arguments.chromium, args=CHROMIUM_ARGS)
            results = [
                measure(browser, base_url, "landing", "/", arguments.loads),
                measure(
                    browser, base_url, "dashboard", f"/app/w/{workspace}", arguments.loads, sign_in
                ),
            ]
            browser.close()
    print("| page | loads | LCP p50 | LCP p95 | target | JS sent (gzip) | JS decoded |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
