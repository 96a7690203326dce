"""Serving the built web app (``web/`` built by Vite) under the strict CSP.

The single-page app lives under ``/app``: every path there that is not a hashed asset
answers with ``index.html`` and the client-side router takes over. The links Luna emails
(``/reset-password``, ``/verify-email``, ``/invitations/accept``) are served the same page,
which routes them into the app. Hashed assets are cached for a year; ``index.html`` is
revalidated on every load so that a deploy is picked up at once. ``/`` is left to the
marketing pages.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from luna.errors import NotFound
from luna.security.headers import csp_nonce
from luna.web.build import web_app_build

router = APIRouter(include_in_schema=False)

IMMUTABLE_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
INDEX_CACHE_CONTROL: Final = "no-cache"
NOT_BUILT_CACHE_CONTROL: Final = "no-store"
# The paths of the links in Luna's emails: served the app, which routes them.
EMAIL_LINK_PATHS: Final = ("/reset-password", "/verify-email", "/invitations/accept")
READ_METHODS: Final = ["GET", "HEAD"]
# The page of a public share link: its address holds the link's secret token.
SHARED_RUN_PATH_PREFIX: Final = "/app/share/"
SHARED_RUN_PAGE_HEADERS: Final = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}

NOT_BUILT_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Luna: the web app is not built</title>
</head>
<body>
<main>
<h1>The web app is not built</h1>
<p>This Luna server is running, but it was installed without its web app, so there is
nothing to show here yet. The API is up: its description is at
<a href="/api/openapi.json">/api/openapi.json</a>.</p>
<p>To build the web app (Node 20.19 or newer and npm 11), run this in Luna's source
directory, then reload the page:</p>
<pre><code>make web</code></pre>
<p>(<code>make web</code> runs <code>npm ci</code> and <code>npm run build</code> in
<code>web/</code>, which writes the app into <code>src/luna/web/static/app/</code>.)</p>
</main>
</body>
</html>
"""


@router.api_route("/app/assets/{asset_path:path}", methods=READ_METHODS)
async def web_app_asset(asset_path: str, request: Request) -> Response:
    """A hashed build file: its name changes with its content, so it is cached for good.
    Sent precompressed (Brotli or gzip) when the build made a copy the client accepts."""
    build = web_app_build(request.app.state)
    asset = build.asset(asset_path, request.headers.get("accept-encoding", ""))
    if asset is None:
        raise NotFound(f"The web app has no asset {asset_path!r}.")
    headers = {"Cache-Control": IMMUTABLE_CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if asset.encoding is not None:
        headers["Content-Encoding"] = asset.encoding
    return FileResponse(asset.path, media_type=asset.media_type, headers=headers)


@router.api_route("/app", methods=READ_METHODS)
@router.api_route("/app/{client_path:path}", methods=READ_METHODS)
@router.api_route(EMAIL_LINK_PATHS[0], methods=READ_METHODS)
@router.api_route(EMAIL_LINK_PATHS[1], methods=READ_METHODS)
@router.api_route(EMAIL_LINK_PATHS[2], methods=READ_METHODS)
# Matched before the catch-all above (the lowest decorator registers first): a path
# parameter named ``token`` is kept out of the access log.
@router.api_route(SHARED_RUN_PATH_PREFIX + "{token}", methods=READ_METHODS)
async def web_app_page(request: Request) -> Response:
    """``index.html`` with this request's CSP nonce on its scripts (the SPA fallback)."""
    build = web_app_build(request.app.state)
    try:
        page = build.index_html(csp_nonce(request))
    except FileNotFoundError:
        return HTMLResponse(
            NOT_BUILT_PAGE,
            status_code=503,
            headers={"Cache-Control": NOT_BUILT_CACHE_CONTROL},
        )
    headers = {"Cache-Control": INDEX_CACHE_CONTROL}
    if request.url.path.startswith(SHARED_RUN_PATH_PREFIX):
        headers |= SHARED_RUN_PAGE_HEADERS
    return HTMLResponse(page, headers=headers)
