"""What Luna writes to its logs, in both formats: no credentials, no frames' local
variables, and no line longer than a log shipper takes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request

from luna.observability.logging import configure_logging, get_logger
from luna.settings import Settings

pytestmark = pytest.mark.anyio

# Docker's json-file driver splits longer lines, and shippers cap lines near it.
LOG_SHIPPER_LINE_LIMIT = 16 * 1024
API_KEY = "luna_sk_Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u"
COOKIE_VALUE = "Qm9vdHMtYW5kLWNhdHMtYW5kLWJvb3RzLWFuZC1jYXQ"


@pytest.fixture(params=["json", "console"])
def log_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def log_output(settings: Settings, log_format: str) -> Iterator[io.StringIO]:
    """What Luna's log handler writes, in the format under test."""
    stream = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": log_format}), stream=stream)
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "stream", None) is stream]:
        root.removeHandler(handler)


@pytest.fixture
def app_with_crash(app: FastAPI) -> FastAPI:
    @app.get("/test/crash-holding-credentials")
    async def crash(request: Request) -> None:
        authorization = request.headers["authorization"]
        cookies = dict(request.cookies)
        raise RuntimeError(f"crashed holding {len(authorization) + len(cookies)} credentials")

    return app


async def test_a_crash_logs_neither_credentials_nor_local_variables(
    client: httpx.AsyncClient,
    app_with_crash: FastAPI,
    sign_up,
    log_output: io.StringIO,
    log_format: str,
) -> None:
    account = await sign_up()
    created = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/api-keys",
        json={"name": "CI", "scopes": ["admin"]},
    )
    api_key = created.json()["key"]
    session_token = client.cookies[app_with_crash.state.settings.session_cookie_name]

    response = await client.get(
        "/test/crash-holding-credentials", headers={"Authorization": f"Bearer {api_key}"}
    )

    assert response.status_code == 500
    output = log_output.getvalue()
    assert "RuntimeError" in output and "crashed holding" in output
    assert api_key not in output
    assert session_token not in output
    assert "locals" not in output
    if log_format == "json":
        [error] = [r for r in _records(output) if r.get("logger") == "luna.error"]
        frames = [frame for stack in error["exception"] for frame in stack["frames"]]
        assert frames and all("locals" not in frame for frame in frames)


async def test_secrets_in_any_event_are_redacted(log_output: io.StringIO) -> None:
    get_logger("luna.test").info(
        "outbound call",
        headers={"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"},
        raw_headers=[(b"x-api-key", b"plain-key-of-another-shape"), (b"host", b"luna.test")],
        note=f"retried with cookie luna_session={COOKIE_VALUE}",
        password="correct horse battery staple",
        tokens_in=12,
    )
    logging.getLogger("uvicorn.error").warning("upstream said %s", f"token={COOKIE_VALUE}")

    output = log_output.getvalue()
    for secret in (API_KEY, COOKIE_VALUE, "plain-key-of-another-shape", "correct horse"):
        assert secret not in output
    assert "[redacted]" in output
    for kept in ("application/json", "luna.test", "tokens_in", "upstream said"):
        assert kept in output


async def test_a_huge_value_yields_a_bounded_line(log_output: io.StringIO) -> None:
    get_logger("luna.test").warning(
        "huge request",
        body="x" * 5_000_000,
        items=list(range(100_000)),
        fields={f"field_{index}": "y" * 3_000 for index in range(40)},
    )
    logging.getLogger("sqlalchemy.engine").error("statement %s", "z" * 1_000_000)

    lines = log_output.getvalue().splitlines()
    assert len(lines) == 2
    assert all(len(line) <= LOG_SHIPPER_LINE_LIMIT for line in lines)
    assert all("truncated" in line for line in lines)
    assert "huge request" in lines[0] and "statement" in lines[1]


def _records(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize("path", ["/api/v1/shared/runs/{token}/graph", "/app/share/{token}"])
async def test_a_share_links_token_stays_out_of_the_access_log(
    client: httpx.AsyncClient, log_output: io.StringIO, path: str
) -> None:
    """The link's token reads the run: the log's readers are not all meant to."""
    await client.get(path.format(token=COOKIE_VALUE))

    output = log_output.getvalue()
    assert COOKIE_VALUE not in output
    assert path.format(token="[redacted]") in output
