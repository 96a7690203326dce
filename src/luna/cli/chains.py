"""``luna chains run``: run a chain on a Luna server and watch its nodes in the terminal.

The command is a client of the API, as any program would be: it authenticates with a
workspace API key, copies a preset chain into the workspace the first time it is named,
starts a chain run (with an idempotency key, so a retried request starts it once) and
follows the run's server-sent events, reconnecting from the last event it saw when the
connection drops. It ends with the answers of the chain's last nodes and exits 0 only
when every node succeeded.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Final

import httpx
import typer
from httpx_sse import aconnect_sse
from rich.console import Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from luna.chains.presets import PRESETS
from luna.cli.output import ExitCode, console, fail

app = typer.Typer(help="Run chains of agents on a Luna server.", no_args_is_help=True)

# A dropped event stream is picked up again from its last event this many times in a row.
RECONNECTS: Final = 10
STATUS_STYLES: Final = {
    "pending": "dim",
    "awaiting_approval": "yellow",
    "running": "cyan",
    "succeeded": "green",
    "failed": "red",
    "skipped": "dim",
}
# The chains looked through for one of the name given, a hundred a page.
MAX_PAGES: Final = 20


class ApiError(Exception):
    """The server refused a request: its problem's detail, ready to print."""


@dataclass
class ChainProgress:
    """What the terminal shows of a chain run, kept up to date from its events."""

    chain_run_id: str
    chain_name: str
    status: str = "queued"
    nodes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        """Take in one event of the run's stream."""
        node = data.get("node_id")
        if kind == "chain.started":
            self.status = "running"
        elif kind == "chain.paused":
            self.status = "paused"
            if node:
                self.nodes[node] = "awaiting_approval"
                self.notes.append(f"{node} waits for approval (in the web app or the API).")
        elif kind == "chain.completed":
            self.status = str(data.get("status", self.status))
        elif node and kind.startswith("node."):
            self.nodes[node] = {
                "node.started": "running",
                "node.completed": "succeeded",
                "node.failed": "failed",
                "node.skipped": "skipped",
            }.get(kind, self.nodes.get(node, "pending"))
            if self.status == "paused" and kind == "node.started":
                self.status = "running"
            if kind == "node.failed" and data.get("error"):
                self.notes.append(f"{node} failed: {data['error']}")

    def render(self) -> RenderableType:
        """The nodes as a table, a spinner beside those running."""
        title = Text(f"{self.chain_name} · {self.chain_run_id} · {self.status}", style="bold")
        table = Table(show_edge=False)
        table.add_column("", width=2)
        table.add_column("node")
        table.add_column("status")
        for node, status in self.nodes.items():
            marker: RenderableType = (
                Spinner("dots", style="cyan") if status == "running" else Text("·", style="dim")
            )
            table.add_row(marker, escape(node), Text(status, style=STATUS_STYLES.get(status, "")))
        return Group(title, table, *(Text(note, style="yellow") for note in self.notes[-3:]))


def _problem(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    if response.status_code == 401:
        detail = "The API key was refused: check LUNA_API_KEY (or --api-key)."
    return ApiError(f"{detail or response.reason_phrase} (HTTP {response.status_code})")


async def _call(client: httpx.AsyncClient, method: str, path: str, **options: Any) -> Any:
    try:
        response = await client.request(method, path, **options)
    except httpx.TransportError as exc:
        raise ApiError(f"Could not reach {client.base_url}: {exc}") from None
    if response.is_error:
        raise _problem(response)
    return response.json()


async def find_or_copy_chain(client: httpx.AsyncClient, workspace_id: str, chain: str) -> Any:
    """The workspace's chain with this id or name, or the preset copied in (once)."""
    base = f"/api/v1/workspaces/{workspace_id}/chains"
    if chain.startswith("chn_"):
        return await _call(client, "GET", f"{base}/{chain}")
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        listed = await _call(client, "GET", base, params=params)
        for item in listed["items"]:
            if chain in (item["name"], item.get("preset")):
                return item
        cursor = listed["next_cursor"]
        if cursor is None:
            break
    if chain not in PRESETS:
        names = ", ".join(PRESETS)
        raise ApiError(f"No chain named {chain!r} in this workspace, and no preset: {names}.")
    return await _call(client, "POST", base, json={"preset": chain})


async def follow(
    client: httpx.AsyncClient, workspace_id: str, progress: ChainProgress, on_event: Any
) -> None:
    """Apply the chain run's events to ``progress`` until it ends, resuming a dropped
    stream from the last event seen."""
    url = f"/api/v1/workspaces/{workspace_id}/chain-runs/{progress.chain_run_id}/events"
    last_id: str | None = None
    failures = 0
    while True:
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            async with aconnect_sse(client, "GET", url, headers=headers) as source:
                if source.response.is_error:
                    await source.response.aread()
                    raise _problem(source.response)
                async for event in source.aiter_sse():
                    failures = 0
                    last_id = event.id or last_id
                    progress.apply(event.event, json.loads(event.data) if event.data else {})
                    on_event()
                    if event.event == "chain.completed":
                        return
            return  # the server ended the stream: the run had ended
        except httpx.TransportError:
            failures += 1
            if failures > RECONNECTS:
                raise ApiError("The event stream kept dropping; the chain run goes on.") from None
            await asyncio.sleep(min(0.5 * 2**failures, 10))


async def run_chain(
    client: httpx.AsyncClient, chain: str, text: str, *, live: bool, detach: bool
) -> Any:
    """Start ``chain`` on ``text``; unless detached, follow it to its end. The chain run
    as the API answers it."""
    key = await _call(client, "GET", "/api/v1/api-key")
    workspace_id = key["workspace_id"]
    found = await find_or_copy_chain(client, workspace_id, chain)
    started = await _call(
        client,
        "POST",
        f"/api/v1/workspaces/{workspace_id}/chains/{found['id']}/runs",
        json={"input": text},
        headers={"Idempotency-Key": f"cli-{uuid.uuid4()}"},
    )
    if detach:
        return started
    progress = ChainProgress(started["id"], found["name"])
    progress.nodes = {node["node_id"]: node["status"] for node in started["nodes"]}
    if live:
        with Live(progress.render(), console=console, refresh_per_second=8) as screen:
            await follow(client, workspace_id, progress, lambda: screen.update(progress.render()))
    else:
        await follow(client, workspace_id, progress, lambda: None)
    return await _call(
        client, "GET", f"/api/v1/workspaces/{workspace_id}/chain-runs/{started['id']}"
    )


def print_result(run: dict[str, Any]) -> None:
    """The chain run's end: its status, totals and the answers of its last nodes."""
    for node_id, answer in (run.get("output") or {}).items():
        console.rule(f"[bold]{escape(node_id)}")
        console.print(answer if isinstance(answer, str) else json.dumps(answer), highlight=False)
    if run.get("error"):
        console.print(f"[red]{escape(run['error'].get('message', ''))}[/]")
    style = "green" if run["status"] == "succeeded" else "red"
    console.print(
        f"[{style}]{run['status']}[/] · {run['tokens_in']} tokens in, {run['tokens_out']} out "
        f"· ${Decimal(run['cost_usd']):.4f} · {run['id']}",
        highlight=False,
    )


@app.command("run")
def run(
    chain: Annotated[
        str,
        typer.Argument(
            help="A preset (" + ", ".join(PRESETS) + "), or a chain's id (chn_...) or name."
        ),
    ],
    text: Annotated[
        str,
        typer.Option(
            "--input", "-i", help="What the chain works on; '-' reads it from standard input."
        ),
    ],
    url: Annotated[
        str, typer.Option("--url", envvar="LUNA_URL", help="The Luna server.")
    ] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str,
        typer.Option(
            "--api-key",
            envvar="LUNA_API_KEY",
            help="A workspace API key with the chains:read and chains:write scopes.",
        ),
    ] = "",
    detach: Annotated[
        bool, typer.Option("--detach", help="Start the chain run, print its id and return.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the finished chain run as JSON, nothing else.")
    ] = False,
) -> None:
    """Run a chain (a preset is copied into the key's workspace the first time) and watch
    its nodes finish; exits 0 when every node succeeded."""
    if not api_key:
        fail("Give an API key: --api-key or LUNA_API_KEY.", ExitCode.USAGE)
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail("The input is empty: say what the chain should work on.", ExitCode.USAGE)
    headers = {"Authorization": f"Bearer {api_key}", "User-Agent": "luna-cli"}
    live = console.is_terminal and not as_json

    async def main() -> Any:
        timeout = httpx.Timeout(30, read=60)
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout) as client:
            return await run_chain(client, chain, text, live=live, detach=detach)

    try:
        result = asyncio.run(main())
    except ApiError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("Stopped watching; the chain run goes on.", ExitCode.FAILURE)
    if as_json:
        console.print_json(json.dumps(result))
    elif detach:
        console.print(result["id"])
    else:
        print_result(result)
    if not detach and result["status"] != "succeeded":
        raise typer.Exit(int(ExitCode.FAILURE))
