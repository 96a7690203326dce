"""Text the database cannot store (NUL, unpaired surrogates) is refused before any route:
404 in a path, 422 in a query string or a JSON body. On PostgreSQL each of these was a 500.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from luna.web.build import WebAppBuild
from tests.accounts import STRONG_PASSWORD

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}
UNSTORABLE = "urn:luna:problem:validation-failed"


def sign_up_body(display_name: str) -> bytes:
    """A sign-up body spelt by hand: each test controls the exact escapes on the wire."""
    fields = f'"email": "ada@example.com", "password": "{STRONG_PASSWORD}"'
    return f'{{{fields}, "display_name": "{display_name}"}}'.encode()


@pytest.mark.parametrize(
    "path",
    [
        "/app/assets/x%00.js",
        "/app/assets/index%00.html",
        "/app/assets/x%01.js",
        "/app/x%00",
        "/app/share/%00",
        "/site/site%00.css",
        "/api/v1/workspaces/ws%00/agents",
    ],
)
async def test_a_path_with_a_control_character_is_not_found(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:luna:problem:not-found"


def test_the_web_build_finds_no_asset_at_a_path_with_a_nul(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "x.js").write_text("export {}")
    build = WebAppBuild(tmp_path)
    assert build.asset("x.js") is not None
    assert build.asset("x\x00.js") is None


@pytest.mark.parametrize(
    "display_name",
    ["Ada\\u0000", "Ada\\ud800", "Ada\\udfff tail", "\\uDC00Ada"],
    ids=["nul", "high-surrogate", "low-surrogate", "upper-case-escape"],
)
async def test_sign_up_with_unstorable_text_is_refused(
    client: httpx.AsyncClient, display_name: str
) -> None:
    response = await client.post(
        "/api/v1/auth/signup", content=sign_up_body(display_name), headers=JSON
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == UNSTORABLE
    assert [(e["in"], e["pointer"]) for e in body["errors"]] == [("body", "#/display_name")]


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"email": "ada@example.com", "display_name": "Ada \xed\xa0\x80"}', JSON),
        (b'{"email": "ada@example.com", "display_name": "Ada\\u0000"}', {}),
        ('{"email": "ada@example.com", "display_name": "Ada\\u0000"}'.encode("utf-16"), JSON),
    ],
    ids=["surrogate-as-utf8-bytes", "no-content-type", "utf-16-body"],
)
async def test_other_spellings_of_unstorable_text_are_refused(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str]
) -> None:
    response = await client.post("/api/v1/auth/signup", content=content, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/display_name"


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "ada\\u0000@example.com", "password": "correct horse battery staple"}',
        b'{"email": "ada@example.com", "password": "correct horse\\u0000battery staple"}',
    ],
    ids=["email", "password"],
)
async def test_login_with_a_nul_is_refused(client: httpx.AsyncClient, sign_up, body: bytes) -> None:
    await sign_up()
    response = await client.post("/api/v1/auth/login", content=body, headers=JSON)
    assert response.status_code == 422
    assert response.json()["type"] == UNSTORABLE


async def test_an_api_key_name_with_a_nul_is_refused(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    keys = f"/api/v1/workspaces/{account.workspace_id}/api-keys"
    response = await client.post(
        keys, content=b'{"name": "CI\\u0000", "scopes": ["admin"]}', headers=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/name"
    assert (await client.get(keys)).json()["items"] == []


async def test_a_nul_in_a_nested_key_is_pointed_at(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    response = await client.post(
        f"/api/v1/workspaces/{account.workspace_id}/api-keys",
        content=b'{"name": "CI", "scopes": ["admin", {"a/b": {"x\\u0000": 1}}]}',
        headers=JSON,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/scopes/1/a~1b/x\ufffd"


async def test_a_nul_in_a_query_string_is_refused(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    response = await client.get("/api/v1/me", params={"anything": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "in": "query",
            "message": "Holds a character that cannot be stored: NUL (U+0000) or an "
            "unpaired surrogate.",
            "type": "string_unstorable",
        }
    ]


@pytest.mark.parametrize(
    ("display_name", "stored"),
    [("Ada \\ud83d\\ude00", "Ada \U0001f600"), ("Ada \\\\u0000", "Ada \\u0000")],
    ids=["escaped-emoji", "escaped-backslash"],
)
async def test_storable_text_that_looks_alike_is_accepted(
    client: httpx.AsyncClient, display_name: str, stored: str
) -> None:
    """A surrogate pair is one character, and ``\\\\u0000`` is six: both are stored."""
    response = await client.post(
        "/api/v1/auth/signup", content=sign_up_body(display_name), headers=JSON
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["display_name"] == stored
