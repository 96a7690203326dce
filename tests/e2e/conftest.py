"""A real ``luna serve`` process and Debian's Chromium, driven by Playwright.

Every page a test visits is watched: console messages, uncaught exceptions, Content
Security Policy violations (reported by a ``securitypolicyviolation`` listener injected
before any page script runs) and server errors. :meth:`WatchedPage.check` asserts there
were none and saves a screenshot into ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)

from tests.standins.openai_server import DEFAULT_API_KEY

REPOSITORY = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPOSITORY / "web" / "node_modules" / "axe-core" / "axe.min.js"
# axe-core's impact levels that fail a page; "minor" and "moderate" are reported only.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
RUN_AXE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}
"""
BUILT_INDEX = REPOSITORY / "src" / "luna" / "web" / "static" / "app" / "index.html"
ARTIFACTS = REPOSITORY / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
START_TIMEOUT = 90.0  # generous: a loaded 2-core machine can take 30 s and more
# How long an ``expect`` waits for the page to reach what it asserts: Playwright's 5 s is
# too little for a busy 2-core machine running the server, a worker and Chromium at once.
# A wait, not a time bound: a page that gets there sooner passes sooner.
expect.set_options(timeout=20_000)
PASSWORD = "correct horse battery staple"

# Runs before any script of the page; CDP-injected, so the page's CSP does not apply to it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__lunaReportCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


@dataclass
class LunaServer:
    """A ``luna serve`` process on a free port, with its own data directory."""

    base_url: str
    data_dir: Path
    log_path: Path

    def emailed_token(self, to: str, template: str) -> str:
        """The token in the newest email of a template sent to an address (from the outbox)."""
        with sqlite3.connect(self.data_dir / "luna.db") as database:
            row = database.execute(
                "SELECT text_body FROM outbox_emails WHERE to_address = ? AND template = ? "
                "ORDER BY id DESC LIMIT 1",
                (to, template),
            ).fetchone()
        assert row, f"no {template} email to {to}"
        marker = "token="
        start = row[0].index(marker) + len(marker)
        end = start
        while end < len(row[0]) and (row[0][end].isalnum() or row[0][end] in "-_"):
            end += 1
        return str(row[0][start:end])

    def sign_up(self, email: str, name: str = "Grace Hopper") -> dict[str, Any]:
        """An account made through the API, as a browser on Luna's own origin would."""
        response = httpx.post(
            f"{self.base_url}/api/v1/auth/signup",
            json={"email": email, "password": PASSWORD, "display_name": name},
            headers={"Origin": self.base_url},
        )
        assert response.status_code == 201, response.text
        me: dict[str, Any] = response.json()
        return me


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(server: LunaServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"luna serve exited early:\n{server.log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"luna serve did not become healthy:\n{server.log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def built_web_app() -> Path:
    """The built web app; CI builds it before the tests (``make web``)."""
    if not BUILT_INDEX.is_file():
        pytest.fail(
            f"The web app is not built: {BUILT_INDEX} is missing. "
            "Build it with `make web` (or `cd web && npm ci && npm run build`) first."
        )
    return BUILT_INDEX.parent


@pytest.fixture(scope="module")
def luna_server(
    built_web_app: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LunaServer]:
    """``luna serve`` as an operator runs it, with the packaged web app."""
    directory = tmp_path_factory.mktemp("luna-e2e")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment.update(
        {
            "LUNA_DATA_DIR": str(directory / "data"),
            "LUNA_PUBLIC_URL": base_url,
            "LUNA_LOG_FORMAT": "json",
            # Several sign-ins a minute from one address: these tests, not an attack.
            "LUNA_AUTH_RATE_LIMIT": "100/minute",
            "LUNA_API_RATE_LIMIT": "1000/minute",
        }
    )
    server = LunaServer(
        base_url=base_url, data_dir=directory / "data", log_path=directory / "serve.log"
    )
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-m", "luna", "serve", "--port", str(port)],
            env=environment,
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# Module-scoped, not session-scoped: while the sync API is running, the thread counts as
# running an asyncio loop, which the async tests that follow must not inherit.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class WatchedPage:
    """A browser tab whose console, errors and CSP violations are recorded."""

    page: Page
    server: LunaServer
    console: list[ConsoleMessage] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict[str, Any]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def _record_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def goto(self, path: str) -> None:
        self.page.goto(self.server.base_url + path)

    def server_log_errors(self) -> list[str]:
        """The server's log lines at error level (their tracebacks say why it answered 500)."""
        lines = self.server.log_path.read_text().splitlines()
        return [line for line in lines if '"level": "error"' in line or "Traceback" in line]

    def problems(self) -> list[str]:
        errors = [
            f"console {message.type}: {message.text} ({message.location.get('url', '')})"
            for message in self.console
            if message.type == "error"
        ]
        errors += [f"uncaught: {error}" for error in self.page_errors]
        errors += [f"CSP violation: {json.dumps(violation)}" for violation in self.csp_violations]
        errors += [f"server error: {error}" for error in self.server_errors]
        if self.server_errors:
            errors += [f"server log: {line}" for line in self.server_log_errors()]
        return errors

    def check_accessibility(self, name: str) -> None:
        """Run axe-core on the page as it is: no serious or critical violation. The report
        (all impacts) is saved as ``<name>.axe.json``. axe is evaluated through the
        DevTools protocol, which the page's CSP does not govern."""
        if not AXE_SCRIPT.is_file():
            pytest.fail(f"axe-core is missing ({AXE_SCRIPT}): run `npm ci` in web/")
        self.page.evaluate(AXE_SCRIPT.read_text())
        violations: list[dict[str, Any]] = self.page.evaluate(RUN_AXE)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(violations, indent=2))
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"accessibility on {name} ({self.page.url}):\n" + json.dumps(
            blocking, indent=2
        )

    def check(self, name: str) -> None:
        """Assert the page so far is clean, and save a screenshot named ``name``."""
        self.page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        self.visited.append(f"{name}: {self.page.url}")
        assert not self.problems(), f"on {name} ({self.page.url}):\n" + "\n".join(self.problems())


@pytest.fixture
def watched_page(browser: Browser, luna_server: LunaServer) -> Iterator[WatchedPage]:
    """A fresh browser context (no cookies) with one watched page."""
    with watched_page_in(browser, luna_server) as watched:
        yield watched


@contextmanager
def watched_page_in(browser: Browser, luna_server: LunaServer) -> Iterator[WatchedPage]:
    """A watched page in a browser context of its own: another visitor, with no cookies."""
    context = browser.new_context(
        base_url=luna_server.base_url,
        viewport={"width": 1280, "height": 800},
        permissions=["clipboard-read", "clipboard-write"],
    )
    violations: list[dict[str, Any]] = []

    def report_csp_violation(violation: dict[str, Any]) -> None:
        violations.append(violation)

    context.expose_function("__lunaReportCspViolation", report_csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watched = WatchedPage(page=page, server=luna_server, csp_violations=violations)
    page.on("console", lambda message: watched.console.append(message))
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("response", watched._record_response)
    try:
        yield watched
    finally:
        context.close()
    assert not watched.problems(), "\n".join(watched.problems())


def start_local_run(
    watched: WatchedPage, workspace_id: str, model_url: str, run: dict[str, Any]
) -> dict[str, Any]:
    """Through the API, as the signed-in page: a provider on the local model stand-in at
    ``model_url``, an agent from the code-review template, and a run of it (``run`` is
    the request body); the run as the API answered."""
    base = f"/api/v1/workspaces/{workspace_id}"
    origin = {"Origin": watched.server.base_url}
    add_local_provider(watched, workspace_id, model_url)
    agent = watched.page.request.post(
        f"{base}/agents", headers=origin, data={"template": "code-review"}
    )
    assert agent.ok, agent.text()
    started = watched.page.request.post(
        f"{base}/agents/{agent.json()['id']}/runs", headers=origin, data=run, timeout=130_000
    )
    assert started.ok, started.text()
    created: dict[str, Any] = started.json()
    return created


def add_local_provider(watched: WatchedPage, workspace_id: str, model_url: str) -> None:
    """Through the API, as the signed-in page: the workspace's default provider, on the
    local model stand-in at ``model_url``."""
    provider = watched.page.request.post(
        f"/api/v1/workspaces/{workspace_id}/providers",
        headers={"Origin": watched.server.base_url},
        data={
            "name": "Local",
            "kind": "openai_compatible",
            "base_url": model_url,
            "api_key": DEFAULT_API_KEY,
            "default_model": "gpt-4.1-mini",
        },
    )
    assert provider.ok, provider.text()


WORKSPACE_URL = re.compile(r"/app/w/ws_[a-z0-9]+$")


def sign_in(watched: WatchedPage, email: str, password: str = PASSWORD) -> None:
    """Sign in through the page, which is on the sign-in form."""
    page = watched.page
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(WORKSPACE_URL)


def signed_in(watched: WatchedPage, email: str, name: str) -> str:
    """An account made through the API and signed in through the page; its workspace's id."""
    me = watched.server.sign_up(email, name)
    watched.goto("/app/sign-in")
    sign_in(watched, email)
    return str(me["teams"][0]["workspaces"][0]["id"])
