"""Maintenance switched on by `luna maintenance` in another process reaches a running API."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest

from luna.settings import Settings

pytestmark = pytest.mark.anyio


def run_cli(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    environment |= {
        "LUNA_DATABASE_URL": settings.resolved_database_url,
        "LUNA_DATA_DIR": str(settings.data_dir),
        "LUNA_SECRET_KEY": settings.secret_key.get_secret_value() if settings.secret_key else "",
    }
    return subprocess.run(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "luna", "maintenance", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def status_within(client: httpx.AsyncClient, expected: int, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if (await client.get("/api/v1/catalog/agents")).status_code == expected:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    pytest.fail(f"the API did not answer {expected} within {seconds} s")


async def test_maintenance_from_another_process(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await client.get("/api/v1/catalog/agents")).status_code == 200
    turned_on = await asyncio.to_thread(run_cli, settings, "on", "--message", "Upgrading")
    assert turned_on.returncode == 0, turned_on.stderr
    await status_within(client, 503, 30)
    refused = await client.get("/api/v1/catalog/agents")
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"]
    assert "Upgrading" in refused.json()["detail"]
    assert (await client.get("/healthz")).status_code == 200
    turned_off = await asyncio.to_thread(run_cli, settings, "off")
    assert turned_off.returncode == 0, turned_off.stderr
    await status_within(client, 200, 30)
