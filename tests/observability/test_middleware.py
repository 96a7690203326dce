"""Request ids, trace propagation, one access-log line per request, last-resort 500s."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from luna.observability.logging import configure_logging
from luna.settings import Settings

pytestmark = pytest.mark.anyio

ACCESS_FIELDS = {
    "request_id",
    "trace_id",
    "user_id",
    "workspace_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "timestamp",
    "level",
}


@pytest.fixture
def log_stream(settings: Settings) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    yield stream
    logging.getLogger().removeHandler(logging.getLogger().handlers[-1])


def log_records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def access_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [r for r in log_records(stream) if r.get("logger") == "luna.access"]


class Echo(BaseModel):
    name: str
    count: int


@pytest.fixture
def app_with_test_routes(app: FastAPI) -> FastAPI:
    @app.post("/test/echo")
    async def echo(body: Echo) -> Echo:
        return body

    @app.get("/test/crash")
    async def crash() -> None:
        raise RuntimeError("secret internal detail")

    return app


async def test_request_id_is_created_and_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["x-request-id"].startswith("req_")


async def test_callers_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123.x"})
    assert response.headers["x-request-id"] == "abc-123.x"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, 'quote"d', "new\\nline"])
async def test_unsafe_request_id_is_replaced(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": bad})
    assert response.headers["x-request-id"].startswith("req_")


async def test_traceparent_continues_the_callers_trace(client: httpx.AsyncClient) -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = await client.get("/healthz", headers={"traceparent": parent})
    version, trace_id, span_id, flags = response.headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", "0af7651916cd43dd8448eb211c80319c", "01")
    assert span_id not in {"b7ad6b7169203331", "0" * 16}


@pytest.mark.parametrize(
    "bad",
    [
        "garbage",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    ],
)
async def test_invalid_traceparent_starts_a_new_trace(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get("/healthz", headers={"traceparent": bad})
    trace_id = response.headers["traceparent"].split("-")[1]
    assert trace_id not in {"0af7651916cd43dd8448eb211c80319c", "0" * 32}
    assert len(trace_id) == 32


async def test_each_request_logs_exactly_one_access_line(
    client: httpx.AsyncClient, app_with_test_routes: FastAPI, log_stream: io.StringIO
) -> None:
    first = await client.get("/healthz", headers={"X-Request-ID": "first"})
    await client.get("/nowhere", headers={"X-Request-ID": "second"})
    await client.post(
        "/test/echo",
        content=b"{",
        headers={"X-Request-ID": "third", "content-type": "application/json"},
    )
    await client.get("/test/crash", headers={"X-Request-ID": "fourth"})
    lines = access_lines(log_stream)
    assert [(line["request_id"], line["status"]) for line in lines] == [
        ("first", 200),
        ("second", 404),
        ("third", 400),
        ("fourth", 500),
    ]
    for line in lines:
        assert line.keys() >= ACCESS_FIELDS
    assert lines[0]["trace_id"] == first.headers["traceparent"].split("-")[1]
    assert lines[0]["method"] == "GET" and lines[0]["path"] == "/healthz"


async def test_crash_answers_problem_without_internals(
    client: httpx.AsyncClient, app_with_test_routes: FastAPI, log_stream: io.StringIO
) -> None:
    response = await client.get("/test/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:luna:problem:internal-error"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    errors = [r for r in log_records(log_stream) if r.get("logger") == "luna.error"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == body["request_id"]
    assert "secret internal detail" in json.dumps(errors[0]["exception"])


async def test_malformed_json_is_a_400_problem(
    client: httpx.AsyncClient, app_with_test_routes: FastAPI
) -> None:
    response = await client.post(
        "/test/echo", content=b'{"name": "x", ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:luna:problem:malformed-json"


async def test_invalid_fields_are_listed(
    client: httpx.AsyncClient, app_with_test_routes: FastAPI
) -> None:
    response = await client.post("/test/echo", json={"name": 5, "count": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:luna:problem:validation-failed"
    pointers = sorted(error["pointer"] for error in body["errors"])
    assert pointers == ["#/count", "#/name"]
    assert "many" not in response.text  # inputs are not echoed back


async def test_wrong_body_type_is_a_problem(
    client: httpx.AsyncClient, app_with_test_routes: FastAPI
) -> None:
    response = await client.post("/test/echo", json=[1, 2, 3])
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
