"""Every route, called without credentials (or with broken ones), with what a prober
sends: NUL bytes and undecodable bytes in paths, queries, headers and bodies; integers
longer than any column; malformed authorisation, cookies and content types. Whatever
the route, the answer is a 4xx (or the page), never a 5xx.

The API operations come from the OpenAPI document, so a new route is probed from the
day it is added; the pages outside the API are listed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import browser_client

pytestmark = pytest.mark.anyio

PAGES = [
    "/",
    "/pricing",
    "/changelog",
    "/robots.txt",
    "/sitemap.xml",
    "/legal/{slug}",
    "/site/{name}",
    "/app",
    "/app/{client_path}",
    "/app/assets/{asset_path}",
    "/app/share/{token}",
    "/invitations/accept",
    "/verify-email",
    "/reset-password",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/openapi.json",
]

# Path segments and query values: NUL, undecodable and overlong UTF-8, integers past 64
# bits, traversal, and a segment longer than any identifier.
HOSTILE_VALUES = [
    "%00",
    "a%00b",
    "%FF%FE",
    "%C0%AF",
    "9" * 30,
    "-9" * 15,
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 3000,
]
HOSTILE_STRING = "a\x00b\ud800"
HOSTILE_INTEGER = 10**30

# Headers as a prober sends them: bytes no header should hold, credentials cut short or
# far too long, numbers no field can hold.
MALFORMED_HEADERS: list[dict[str, bytes]] = [
    {"Authorization": b"Bearer"},
    {"Authorization": b"Bearer \t "},
    {"Authorization": b"Bearer luna_sk_" + b"x" * 6000},
    {"Authorization": b"Bearer luna_sk_\xff\xfe"},
    {"Authorization": b"Basic !!!not-base64"},
    {"Authorization": b"Bearer " + b"a.b.c" * 100},
    {"Cookie": b"luna_session=\xff\x7f; luna_csrf=\x01"},
    {"Cookie": b"luna_session=" + b"a" * 6000},
    {"Cookie": b"=;=;;luna_session"},
    {"Content-Type": b"application/json; charset=utf-\xff"},
    {"Content-Type": b"multipart/form-data; boundary="},
    {"Accept": b"*/*;q=abc, text/event-stream;q=-1"},
    {"Accept-Encoding": b"br;q=x, gzip;q=99999999999999999999"},
    {"Accept-Language": b"\xff;q=-1"},
    {"If-Match": b'W/"\xff"'},
    {"If-None-Match": b"*" * 3000},
    {"Idempotency-Key": b"\x7f" * 300},
    {"Last-Event-ID": b"\xb2"},
    {"Last-Event-ID": b"9" * 40},
    {"X-Forwarded-For": b"::::, 999.1.1.1, \xff"},
    {"X-Request-ID": b"\x7f" * 300},
    {"Origin": b"null"},
    {"Range": b"bytes=99999999999999999999-"},
    {"Stripe-Signature": b"t=" + b"9" * 40 + b",v1=zz"},
    {"X-Signature": b"\xff" * 64},
]


def _operations(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _hostile_body(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's own fields, each holding what its type cannot store: a string
    with a NUL and a lone surrogate, an integer past 64 bits."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = _resolve(document, content.get("application/json", {}).get("schema", {}))
    body: dict[str, Any] = {}
    for name, field in schema.get("properties", {}).items():
        field = _resolve(document, field)
        kinds = {field.get("type")} | {option.get("type") for option in field.get("anyOf", [])}
        body[name] = HOSTILE_INTEGER if kinds & {"integer", "number"} else HOSTILE_STRING
    return body


async def _answers(
    client: httpx.AsyncClient, method: str, url: str, **request: Any
) -> tuple[str, int]:
    response = await client.request(method, url, **request)
    return f"{method} {url[:80]} {sorted(request)}", response.status_code


@pytest.fixture
async def prober(app: FastAPI) -> Any:
    async with browser_client(app) as http:
        yield http


def _assert_no_server_errors(answers: list[tuple[str, int]]) -> None:
    failures = [f"{what} -> {status}" for what, status in answers if status >= 500]
    assert not failures, "\n".join(failures)
    assert answers


async def test_hostile_paths_and_queries(app: FastAPI, prober: httpx.AsyncClient) -> None:
    answers = []
    for method, path, operation in _operations(app):
        queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for value in HOSTILE_VALUES:
            url = _fill(path, value)
            if queries:
                url += "?" + "&".join(f"{name}={value}" for name in queries)
            answers.append(await _answers(prober, method, url))
    for page in PAGES:
        for value in HOSTILE_VALUES:
            answers.append(await _answers(prober, "GET", f"{_fill(page, value)}?q={value}"))
    _assert_no_server_errors(answers)


async def test_hostile_bodies(app: FastAPI, prober: httpx.AsyncClient) -> None:
    document = app.openapi()
    raw_bodies = [
        b'{"email": "\\u0000", "password": "\\ud800"}',
        b'{"n": ' + b"9" * 5000 + b"}",
        b"\xff\xfe\x00{",
        b"[" * 5000 + b"]" * 5000,
        b'"\\u0000"',
    ]
    answers = []
    for method, path, operation in _operations(app):
        if method not in {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        url = _fill(path, "x")
        body = json.dumps(_hostile_body(document, operation)).encode()
        for content in [body, *raw_bodies]:
            headers = {"Content-Type": "application/json"}
            answers.append(await _answers(prober, method, url, content=content, headers=headers))
    _assert_no_server_errors(answers)


async def test_malformed_headers(app: FastAPI, prober: httpx.AsyncClient) -> None:
    # One operation per path (headers are read by the middleware, the authentication and
    # the path's own parameters, which its operations share), and every operation that
    # reads a header of its own (If-Match, Idempotency-Key, Last-Event-ID, signatures).
    operations = list(_operations(app))
    chosen = {path: method for method, path, _ in reversed(operations)}
    targets = {(method, _fill(path, "x")) for path, method in chosen.items()}
    targets |= {
        (method, _fill(path, "x"))
        for method, path, operation in operations
        if any(parameter["in"] == "header" for parameter in operation.get("parameters", []))
    }
    targets |= {("GET", _fill(page, "x")) for page in PAGES}
    answers = []
    for headers in MALFORMED_HEADERS:
        for method, url in sorted(targets):
            answers.append(await _answers(prober, method, url, headers=headers, content=b"{}"))
    _assert_no_server_errors(answers)
