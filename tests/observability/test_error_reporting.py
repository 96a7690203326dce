"""Errors reach a Sentry server (here a local one that receives the SDK's envelopes over
HTTP, as sentry.io or GlitchTip would) with the request's ids, the release and the
environment, and nothing personal: no e-mail, cookie, header, body or secret."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import SecretStr

from luna.deps import require_workspace
from luna.observability.error_reporting import stop_error_reporting
from luna.settings import Settings

pytestmark = pytest.mark.anyio


class SentryReceiver:
    """A Sentry ingestion endpoint: keeps every envelope posted to it."""

    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.envelopes.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"

    def events(self) -> list[dict[str, Any]]:
        """The error events of every envelope (an envelope is JSON lines: a header, then
        an item header and its payload per item)."""
        found = []
        for envelope in self.envelopes:
            lines = envelope.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


@pytest.fixture
def receiver() -> Iterator[SentryReceiver]:
    running = SentryReceiver()
    threading.Thread(target=running.server.serve_forever, daemon=True).start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def settings(settings: Settings, receiver: SentryReceiver) -> Iterator[Settings]:
    yield settings.model_copy(
        update={"sentry_dsn": SecretStr(receiver.dsn), "sentry_environment": "staging"}
    )
    stop_error_reporting()  # the SDK is global to the process


Reader = Annotated[Any, Depends(require_workspace("read"))]


def add_failing_route(app: FastAPI, email: str) -> None:
    """A route that fails with an e-mail address and a secret in its error's message."""

    async def fail(access: Reader) -> None:
        raise RuntimeError(f"could not bill {email} (token=sk-live-abcdef123456)")

    app.add_api_route("/api/v1/workspaces/{workspace_id}/fail", fail, methods=["GET"])


async def test_an_error_reaches_sentry_with_the_requests_ids_and_nothing_personal(
    app: FastAPI, client: httpx.AsyncClient, sign_up, receiver: SentryReceiver
) -> None:
    account = await sign_up("ada.lovelace@example.com")
    add_failing_route(app, account.email)

    failed = await client.get(
        f"/api/v1/workspaces/{account.workspace_id}/fail",
        headers={"X-Debug-Token": "not-a-real-token", "X-Request-ID": "req-sentry-1"},
    )
    stop_error_reporting()  # flushes

    assert failed.status_code == 500
    [event] = receiver.events()
    assert event["tags"]["request_id"] == "req-sentry-1"
    assert event["tags"]["user_id"] == account.user_id
    assert event["tags"]["workspace_id"] == account.workspace_id
    assert event["tags"]["team_id"] == account.team_id
    assert event["user"] == {"id": account.user_id}
    assert event["release"].startswith("luna@")
    assert event["environment"] == "staging"
    assert set(event.get("request", {})) <= {"method", "url"}
    [exception] = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    raw = b"\n".join(receiver.envelopes).decode()
    for personal in ("ada.lovelace@example.com", "sk-live-abcdef123456", "not-a-real-token"):
        assert personal not in raw
    assert "luna_session" not in raw  # no cookie


async def test_without_a_dsn_nothing_is_started(settings: Settings) -> None:
    from luna.observability.error_reporting import start_error_reporting

    assert start_error_reporting(settings.model_copy(update={"sentry_dsn": None}), "1") is False
