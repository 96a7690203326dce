"""``luna serve`` and ``luna worker`` as real processes, the way an operator runs them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 90.0  # a wait, not a bound: a loaded 2-core machine took over 30 s to start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def luna_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment.update({"LUNA_DATA_DIR": str(tmp_path / "data"), "LUNA_LOG_FORMAT": "json"})
    environment.update(extra)
    return environment


def start(arguments: list[str], environment: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "luna", *arguments],
        env=environment,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_healthy(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("server did not become healthy in time")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = start(["serve", "--port", str(port)], luna_environment(tmp_path), tmp_path)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()  # reaps it and closes its pipe


def test_serve_starts_with_no_configuration(server: tuple[str, subprocess.Popen[str]]) -> None:
    base_url, process = server
    assert httpx.get(f"{base_url}/healthz").status_code == 200
    ready = httpx.get(f"{base_url}/readyz")
    assert ready.status_code == 200, ready.text
    missing = httpx.get(f"{base_url}/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["x-request-id"]
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert process.returncode in (0, -signal.SIGTERM)
    assert '"event": "stopped"' in output
    access = [
        json.loads(line)
        for line in output.splitlines()
        if line.startswith("{") and '"luna.access"' in line
    ]
    assert [(line["path"], line["status"]) for line in access] == [
        ("/healthz", 200),
        ("/healthz", 200),
        ("/readyz", 200),
        ("/no-such-thing", 404),
    ][-len(access) :]
    assert access[-1]["request_id"] == missing.headers["x-request-id"]


def test_serve_on_another_port_takes_browser_writes_from_it_by_any_loopback_name(
    server: tuple[str, subprocess.Popen[str]],
) -> None:
    """``luna serve --port N`` with no LUNA_PUBLIC_URL: a browser at localhost:N or
    127.0.0.1:N may sign up (it was refused: the public URL stayed on port 8000)."""
    base_url, _ = server
    port = int(base_url.rsplit(":", 1)[1])
    for number, origin in enumerate((f"http://localhost:{port}", f"http://127.0.0.1:{port}")):
        signed_up = httpx.post(
            f"{base_url}/api/v1/auth/signup",
            headers={"Origin": origin},
            json={
                "email": f"grace{number}@example.com",
                "password": "correct horse battery",
                "display_name": "Grace",
            },
        )
        assert signed_up.status_code == 201, signed_up.text
    elsewhere = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        headers={"Origin": f"http://localhost:{port + 1}"},
        json={"email": "eve@example.com", "password": "correct horse battery"},
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["detail"] == f"Writes from http://localhost:{port + 1} are not allowed."


def test_serve_with_bad_database_url_fails_fast(tmp_path: Path) -> None:
    process = start(["serve"], luna_environment(tmp_path, LUNA_DATABASE_URL="nonsense"), tmp_path)
    # It exits by itself with the configuration error, before binding or connecting.
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 3
    assert "LUNA_DATABASE_URL" in output
    assert "Uvicorn running" not in output


def test_worker_runs_until_terminated(
    server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    worker = start(["worker"], luna_environment(tmp_path), tmp_path)
    assert worker.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    ready = False
    while time.monotonic() < deadline and not ready:
        line = worker.stdout.readline()
        ready = '"worker ready"' in line
    assert ready, "the worker never reported ready"
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0
    assert '"worker stopping"' in output
