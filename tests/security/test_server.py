"""The connection guards of ``luna serve``: slow headers and huge headers are cut off."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from luna.security.server import GuardedHttpToolsProtocol


class QuickGuard(GuardedHttpToolsProtocol):
    header_timeout_seconds = 0.5
    max_header_bytes = 4096


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server_port() -> Iterator[int]:
    app = FastAPI()

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=QuickGuard,
        log_config=None,
        lifespan="off",
        timeout_keep_alive=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_normal_requests_pass(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        connection.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_all(connection).startswith(b"HTTP/1.1 200")


def test_trickled_headers_are_cut_off(server_port: int) -> None:
    """A header line every 0.1 s, never finishing: the deadline (0.5 s) is for the whole
    header, so the server answers 408 while lines still come. Were each line to restart
    it, the trickle would go on unanswered for as long as the client cared to send."""
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        connection.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n")
        for _ in range(300):  # up to 30 s of lines: sixty header deadlines
            if select.select([connection], [], [], 0.1)[0]:
                break  # the server answered (or hung up)
            try:
                connection.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break  # the server hung up
        else:
            pytest.fail("the server let the header trickle on for 30 s")
        assert read_all(connection).startswith(b"HTTP/1.1 408")


def test_the_answer_survives_a_client_that_goes_on_sending(server_port: int) -> None:
    """The client writes after the 408 was sent. Closed at once, the server's socket would
    hold those unread bytes and the kernel would answer with a reset, which can destroy the
    408 before the client reads it; the lingering close drains them instead."""
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        connection.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n")
        select.select([connection], [], [], 5)  # the 408 has arrived (or 5 s passed)
        for _ in range(20):
            connection.sendall(b"X-Late: " + b"a" * 1000 + b"\r\n")
        time.sleep(0.2)  # the server has the late lines before the client reads
        assert read_all(connection).startswith(b"HTTP/1.1 408")


def test_silent_connections_are_closed(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        assert read_all(connection).startswith(b"HTTP/1.1 408")


def test_oversized_headers_are_refused(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        connection.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
        assert read_all(connection).startswith(b"HTTP/1.1 400")


def test_keep_alive_requests_each_get_a_deadline(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        connection.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        first = connection.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        time.sleep(0.7)  # longer than the header deadline, but idle: keep-alive applies
        connection.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_all(connection).startswith(b"HTTP/1.1 200")
