"""Fixtures of the tools tests: a local HTTP server and a resolver tests control."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from luna.tools import network

BIG_BODY_BYTES = 300 * 1024


@dataclass
class LocalServer:
    """A plain HTTP server on 127.0.0.1, and the Host headers it was sent."""

    port: int
    hosts: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.server.local.hosts.append(self.headers["Host"])
        route = ROUTES.get(self.path.split("?")[0])
        if route is None:
            self._send(404, b"not here", "text/plain")
            return
        route(self)

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    local: LocalServer


def _redirect(location: str) -> Callable[[_Handler], None]:
    def send(handler: _Handler) -> None:
        target = location.replace("PORT", str(handler.server.local.port))
        handler._send(302, b"", "text/plain", Location=target)

    return send


def _slow(handler: _Handler) -> None:
    time.sleep(1.5)
    handler._send(200, b"late", "text/plain")


ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/hello": lambda handler: handler._send(
        200, "héllo wörld".encode(), "text/plain; charset=utf-8"
    ),
    "/json": lambda handler: handler._send(200, b'{"ok": true}', "application/json"),
    "/big": lambda handler: handler._send(200, b"a" * BIG_BODY_BYTES, "text/plain"),
    "/image": lambda handler: handler._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
    "/bomb": lambda handler: handler._send(
        200, gzip.compress(b"\0" * 20_000_000), "text/plain", Content_Encoding="gzip"
    ),
    "/slow": _slow,
    "/to-hello": _redirect("/hello"),
    "/to-elsewhere": _redirect("http://elsewhere.example:PORT/hello"),
    "/to-internal": _redirect("http://internal.example:PORT/hello"),
    "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-file": _redirect("file:///etc/passwd"),
    "/loop": _redirect("/loop"),
}


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A local HTTP server for the length of a test."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.local = LocalServer(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.local
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeResolver:
    """Host names the test decides the addresses of; it counts the look-ups."""

    answers: dict[str, list[str]]
    lookups: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[network.IPAddress]:
        self.lookups.append(host)
        if host not in self.answers:
            return [ipaddress.ip_address(host)]  # an address literal resolves to itself
        return [ipaddress.ip_address(address) for address in self.answers[host]]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> FakeResolver:
    """Replace DNS for the network policy; names not in ``answers`` must be addresses."""
    fake = FakeResolver(answers={})
    monkeypatch.setattr(network, "resolve", fake)
    return fake
