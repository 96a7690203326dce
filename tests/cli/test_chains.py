"""``luna chains run``: a preset copied into the key's workspace once, run against the
local model stand-in, its events followed to the end; readable refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from rich.console import Console
from sqlalchemy import func, select
from typer.testing import CliRunner

from luna.chains.models import Chain
from luna.cli.chains import ChainProgress, run_chain
from luna.cli.main import app as cli
from tests.accounts import Account
from tests.chains.test_runs import bracketing_model
from tests.runs.conftest import Worker, worker

__all__ = ["worker"]

runner = CliRunner()


async def api_key(client: httpx.AsyncClient, account: Account) -> str:
    created = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/api-keys",
        json={"name": "terminal", "scopes": ["chains:read", "chains:write"]},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


def keyed(app: FastAPI, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 4000)),
        base_url="http://127.0.0.1:8000",
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.mark.anyio
async def test_a_preset_runs_to_the_end_and_is_copied_in_once(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    key = await api_key(client, account)
    async with bracketing_model(client, account) as model, keyed(app, key) as terminal:
        first: Any = await run_chain(
            terminal, "full-review", "Review the login form", live=False, detach=False
        )
        again: Any = await run_chain(terminal, "full-review", "Again", live=False, detach=False)
        model.raise_failures()
    assert first["status"] == again["status"] == "succeeded"
    assert [node["node_id"] for node in first["nodes"]] == ["review", "test", "document"]
    assert list(first["output"]) == ["document"]
    assert first["chain_id"] == again["chain_id"]
    assert len(model.model_calls) == 6
    async with app.state.resources.session_factory() as session:
        chains = await session.scalar(select(func.count()).select_from(Chain))
    assert chains == 1


def test_progress_follows_the_events_of_a_run() -> None:
    progress = ChainProgress("crn_1", "Full review")
    progress.nodes = {"review": "pending", "tests": "pending", "docs": "pending"}
    for kind, data in [
        ("chain.started", {}),
        ("node.started", {"node_id": "review"}),
        ("node.completed", {"node_id": "review"}),
        ("chain.paused", {"node_id": "tests"}),
        ("node.started", {"node_id": "tests"}),
        ("node.failed", {"node_id": "tests", "error": "The model refused."}),
        ("node.skipped", {"node_id": "docs"}),
        ("chain.completed", {"status": "partial"}),
    ]:
        progress.apply(kind, data)
    assert progress.nodes == {"review": "succeeded", "tests": "failed", "docs": "skipped"}
    assert progress.status == "partial"
    assert progress.notes == [
        "tests waits for approval (in the web app or the API).",
        "tests failed: The model refused.",
    ]
    screen = Console(record=True, width=100)
    screen.print(progress.render())
    shown = screen.export_text()
    assert "Full review · crn_1 · partial" in shown
    assert "review" in shown and "skipped" in shown and "tests failed" in shown


def test_without_a_key_or_an_input_the_command_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LUNA_API_KEY", raising=False)
    missing_key = runner.invoke(cli, ["chains", "run", "full-review", "--input", "x"])
    assert missing_key.exit_code == 2
    assert "API key" in missing_key.output
    empty = runner.invoke(cli, ["chains", "run", "deploy", "--input", " ", "--api-key", "k"])
    assert empty.exit_code == 2
    assert "input is empty" in empty.output


def test_an_unreachable_server_is_a_readable_failure(free_tcp_port: int) -> None:
    result = runner.invoke(
        cli,
        [
            "chains",
            "run",
            "deploy",
            "--input",
            "Ship it",
            "--api-key",
            "luna_sk_x",
            "--url",
            f"http://127.0.0.1:{free_tcp_port}",
        ],
    )
    assert result.exit_code == 1
    assert "Could not reach" in result.output
