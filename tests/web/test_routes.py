"""The built web app as the API serves it: SPA fallback, CSP nonces, caching, not built."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from luna.web.build import use_build_directory

pytestmark = pytest.mark.anyio

INDEX_HTML = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>Luna</title>
    <script type="module" crossorigin src="/app/assets/index-Bx12cd34.js"></script>
    <link rel="modulepreload" crossorigin href="/app/assets/vendor-Zz98yx76.js">
    <link rel="stylesheet" crossorigin href="/app/assets/index-Cq56ef78.css">
  </head>
  <body>
    <div id="root"></div>
    <SCRIPT type="module" src="/app/assets/late-Dd00aa11.js"></SCRIPT>
  </body>
</html>
"""
ENTRY_SCRIPT = "console.log('luna');\n"
VENDOR_SCRIPT = "export const vendor = 'a library';\n" * 50
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


@pytest.fixture
def build_directory(app: FastAPI, tmp_path: Path) -> Path:
    """A fake Vite build that the app serves instead of the packaged one."""
    directory = tmp_path / "web-build"
    (directory / "assets").mkdir(parents=True)
    (directory / "index.html").write_text(INDEX_HTML)
    (directory / "assets" / "index-Bx12cd34.js").write_text(ENTRY_SCRIPT)
    (directory / "assets" / "index-Cq56ef78.css").write_text("body{margin:0}\n")
    (directory / "assets" / "vendor-Zz98yx76.js").write_text(VENDOR_SCRIPT)
    (directory / "assets" / "vendor-Zz98yx76.js.gz").write_bytes(
        gzip.compress(VENDOR_SCRIPT.encode())
    )
    (directory / "assets" / "vendor-Zz98yx76.js.br").write_bytes(b"brotli bytes")
    (directory / "secret.txt").write_text("outside the assets directory")
    use_build_directory(app.state, directory)
    return directory


def csp_nonce_of(response: httpx.Response) -> str:
    match = re.search(
        r"script-src 'self' 'nonce-([^']+)'", response.headers["content-security-policy"]
    )
    assert match, response.headers["content-security-policy"]
    return match.group(1)


@pytest.mark.usefixtures("build_directory")
@pytest.mark.parametrize(
    "path",
    [
        "/app",
        "/app/",
        "/app/sign-in",
        "/app/w/ws_0193/api-keys?sort=name",
        "/reset-password?token=abcdefghijklmnop",
        "/verify-email?token=abcdefghijklmnop",
        "/invitations/accept?token=abcdefghijklmnop",
    ],
)
async def test_every_app_path_answers_with_the_index_page(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<div id="root"></div>' in response.text
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.usefixtures("build_directory")
async def test_a_share_link_page_is_not_indexed_and_sends_no_referrer(
    client: httpx.AsyncClient,
) -> None:
    shared = await client.get("/app/share/Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2Fs")
    assert shared.status_code == 200
    assert '<div id="root"></div>' in shared.text
    assert shared.headers["x-robots-tag"] == "noindex, nofollow"
    # The address holds the link's secret: it must not leak to other sites.
    assert shared.headers["referrer-policy"] == "no-referrer"
    other = await client.get("/app/w/ws_1/runs/run_1")
    assert "x-robots-tag" not in other.headers
    assert other.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.usefixtures("build_directory")
async def test_scripts_carry_the_nonce_of_the_csp_header(client: httpx.AsyncClient) -> None:
    first = await client.get("/app/w/ws_1")
    second = await client.get("/app/w/ws_1")
    nonce = csp_nonce_of(first)
    tags = SCRIPT_TAG.findall(first.text)
    assert len(tags) == 2
    assert all(f'nonce="{nonce}"' in tag for tag in tags)
    assert csp_nonce_of(second) != nonce
    assert f'nonce="{csp_nonce_of(second)}"' in second.text
    assert nonce not in second.text
    policy = first.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert "style-src 'self'" in policy
    # Only the script tags changed: the rest of the page is the file as built.
    assert re.sub(r' nonce="[^"]+"', "", first.text).lower() == INDEX_HTML.lower()


async def test_a_rebuilt_index_is_served_without_a_restart(
    client: httpx.AsyncClient, build_directory: Path
) -> None:
    assert "index-Bx12cd34.js" in (await client.get("/app")).text
    index = build_directory / "index.html"
    index.write_text(INDEX_HTML.replace("index-Bx12cd34.js", "index-NEW00000.js"))
    status = index.stat()
    os.utime(index, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
    assert "index-NEW00000.js" in (await client.get("/app")).text


@pytest.mark.usefixtures("build_directory")
async def test_hashed_assets_are_cached_for_a_year(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/assets/index-Bx12cd34.js")
    assert response.status_code == 200
    assert response.text == ENTRY_SCRIPT
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    style = await client.get("/app/assets/index-Cq56ef78.css")
    assert style.headers["content-type"].startswith("text/css")
    head = await client.head("/app/assets/index-Bx12cd34.js")
    assert head.status_code == 200
    assert head.content == b""


@pytest.mark.usefixtures("build_directory")
async def test_precompressed_copies_are_sent_to_clients_that_accept_them(
    client: httpx.AsyncClient,
) -> None:
    path = "/app/assets/vendor-Zz98yx76.js"
    brotli = await client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br"
    assert brotli.headers["content-type"].startswith("text/javascript")
    assert brotli.headers["vary"] == "Accept-Encoding"
    assert brotli.headers["content-length"] == str(len(b"brotli bytes"))

    gzipped = await client.get(path, headers={"Accept-Encoding": "gzip, br;q=0"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.text == VENDOR_SCRIPT  # httpx decodes gzip
    assert gzipped.headers["cache-control"] == "public, max-age=31536000, immutable"

    plain = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == VENDOR_SCRIPT

    uncompressed = await client.get(
        "/app/assets/index-Bx12cd34.js", headers={"Accept-Encoding": "br"}
    )
    assert "content-encoding" not in uncompressed.headers
    assert uncompressed.text == ENTRY_SCRIPT


@pytest.mark.usefixtures("build_directory")
@pytest.mark.parametrize(
    "path",
    [
        "/app/assets/index-00000000.js",
        "/app/assets/vendor-Zz98yx76.js.br",
        "/app/assets/vendor-Zz98yx76.js.gz",
        "/app/assets/",
        "/app/assets/..%2Fsecret.txt",
        "/app/assets/%2E%2E/secret.txt",
        "/app/assets/..%2Findex.html",
    ],
)
async def test_a_missing_asset_is_a_404_problem(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:not-found"
    assert "outside the assets directory" not in response.text


async def test_without_a_build_the_app_says_how_to_build_it(
    app: FastAPI, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    use_build_directory(app.state, tmp_path / "never-built")
    for path in ("/app", "/app/w/ws_1", "/reset-password?token=abcdefghijk"):
        response = await client.get(path)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        assert "The web app is not built" in response.text
        assert "make web" in response.text
        assert "<style" not in response.text
        assert "style=" not in response.text
        assert "<script" not in response.text
    missing = await client.get("/app/assets/index-Bx12cd34.js")
    assert missing.status_code == 404


@pytest.mark.usefixtures("build_directory")
async def test_the_root_and_the_api_are_not_the_app(client: httpx.AsyncClient) -> None:
    root = await client.get("/")
    assert root.status_code == 200
    assert "Watch your AI agents think." in root.text  # the site, not the app's shell
    assert 'id="root"' not in root.text
    api = await client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    write = await client.post("/app/sign-in", json={})
    assert write.status_code == 405
    assert write.headers["content-type"] == "application/problem+json"
