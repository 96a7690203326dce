"""Security headers on every response, and the per-request CSP nonce of HTML pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.problems import install_problem_handlers
from luna.security.headers import SecurityHeadersMiddleware, csp_nonce

pytestmark = pytest.mark.anyio

BASELINE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": (
        "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
        "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    ),
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
API_POLICY = (
    "default-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def html_policy(nonce: str, *, upgrade: bool) -> str:
    policy = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'; "
        "form-action 'self'"
    )
    return policy + "; upgrade-insecure-requests" if upgrade else policy


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/api/items")
    async def items() -> dict[str, list[int]]:
        return {"items": [1, 2]}

    @app.get("/api/cached")
    async def cached() -> JSONResponse:
        return JSONResponse(
            {"cached": True},
            headers={"Cache-Control": "public, max-age=60", "X-Frame-Options": "SAMEORIGIN"},
        )

    @app.get("/api/own-policy")
    async def own_policy() -> JSONResponse:
        return JSONResponse({}, headers={"Content-Security-Policy": "sandbox"})

    @app.get("/api/stream")
    async def stream() -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            for number in range(3):
                yield f"data: {number}\n\n".encode()

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/app", response_class=HTMLResponse)
    async def page(request: Request) -> str:
        nonce = csp_nonce(request)
        return f'<!doctype html><script nonce="{nonce}" src="/assets/app.js"></script>'

    @app.get("/plain.txt")
    async def plain() -> JSONResponse:
        return JSONResponse({"not": "api"})

    return app


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(SecurityHeadersMiddleware(build_app(), hsts=True)) as http:
        yield http


@pytest.fixture
async def plain_http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(SecurityHeadersMiddleware(build_app(), hsts=False)) as http:
        yield http


def assert_baseline(headers: httpx.Headers) -> None:
    for name, value in BASELINE.items():
        assert headers.get_list(name) == [value], name


def nonce_of(response: httpx.Response) -> str:
    match = NONCE.search(response.headers["content-security-policy"])
    assert match is not None
    return match.group(1)


async def test_json_api_response_gets_the_locked_down_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/items")
    assert response.json() == {"items": [1, 2]}
    assert_baseline(response.headers)
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["strict-transport-security"] == HSTS
    assert response.headers["cache-control"] == "no-store"


async def test_framework_404_problem_gets_every_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert_baseline(response.headers)
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["strict-transport-security"] == HSTS
    assert response.headers["cache-control"] == "no-store"


async def test_headers_the_app_set_are_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/cached")
    assert response.headers.get_list("cache-control") == ["public, max-age=60"]
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["x-content-type-options"] == "nosniff"
    own = await client.get("/api/own-policy")
    assert own.headers.get_list("content-security-policy") == ["sandbox"]


async def test_streamed_response_gets_headers_and_its_whole_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/stream")
    assert response.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n"
    assert_baseline(response.headers)
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["cache-control"] == "no-store"


async def test_only_api_paths_are_marked_no_store(client: httpx.AsyncClient) -> None:
    response = await client.get("/plain.txt")
    assert "cache-control" not in response.headers
    assert response.headers["content-security-policy"] == API_POLICY
    assert_baseline(response.headers)


async def test_html_page_gets_a_strict_policy_with_a_nonce(client: httpx.AsyncClient) -> None:
    response = await client.get("/app")
    nonce = nonce_of(response)
    assert response.headers["content-security-policy"] == html_policy(nonce, upgrade=True)
    assert f'<script nonce="{nonce}" src="/assets/app.js">' in response.text
    assert "unsafe" not in response.headers["content-security-policy"]
    assert_baseline(response.headers)
    assert response.headers["strict-transport-security"] == HSTS


async def test_nonce_is_fresh_and_unguessable_per_request(client: httpx.AsyncClient) -> None:
    nonces = {nonce_of(await client.get("/app")) for _ in range(5)}
    assert len(nonces) == 5
    assert all(len(nonce) >= 22 for nonce in nonces)  # at least 128 bits of base64url


async def test_without_https_there_is_no_hsts_or_upgrade(
    plain_http_client: httpx.AsyncClient,
) -> None:
    page = await plain_http_client.get("/app")
    api = await plain_http_client.get("/api/items")
    assert "strict-transport-security" not in page.headers
    assert "strict-transport-security" not in api.headers
    assert page.headers["content-security-policy"] == html_policy(nonce_of(page), upgrade=False)
    assert_baseline(page.headers)


async def test_report_uri_is_added_to_both_policies() -> None:
    app = SecurityHeadersMiddleware(build_app(), hsts=True, csp_report_uri="/api/csp-reports")
    async with client_for(app) as http:
        api = await http.get("/api/items")
        page = await http.get("/app")
    reporting = "; report-uri /api/csp-reports; report-to csp"
    assert api.headers["content-security-policy"] == API_POLICY + reporting
    expected_page_policy = html_policy(nonce_of(page), upgrade=True) + reporting
    assert page.headers["content-security-policy"] == expected_page_policy
    assert api.headers["reporting-endpoints"] == 'csp="/api/csp-reports"'


@pytest.mark.parametrize("uri", ["/reports; script-src *", "/a b", '/"quoted"', "/x,y", ""])
def test_unsafe_report_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match="csp_report_uri"):
        SecurityHeadersMiddleware(build_app(), hsts=True, csp_report_uri=uri)


async def test_nonce_is_in_scope_state_before_the_app_runs() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(csp_nonce(scope))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with client_for(SecurityHeadersMiddleware(app, hsts=False)) as http:
        response = await http.get("/")
    assert response.status_code == 204
    assert len(seen) == 1
    assert response.headers["content-security-policy"] == API_POLICY


def test_csp_nonce_without_the_middleware_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="SecurityHeadersMiddleware"):
        csp_nonce({"type": "http", "state": {}})


async def test_non_http_scopes_pass_through_untouched() -> None:
    scopes: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    await SecurityHeadersMiddleware(app, hsts=True)({"type": "lifespan"}, receive, send)
    assert scopes == [{"type": "lifespan"}]


# The Mozilla HTTP Observatory's header tests, as far as they concern these headers.
SIX_MONTHS = 15_768_000
PRIVATE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
ALL_CRITERIA = {
    "csp-without-unsafe-sources",
    "csp-frame-ancestors",
    "hsts-six-months",
    "nosniff",
    "referrer-policy-private",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
}


def parse_policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives.setdefault(name.lower(), sources)
    return directives


def score_policy(header: str | None) -> tuple[int, set[str]]:
    if header is None:
        return -25, set()
    policy = parse_policy(header)
    default = policy.get("default-src", ["*"])
    script = policy.get("script-src", default)
    every_source = [source for sources in policy.values() for source in sources]
    score, met = 0, set()
    if "'unsafe-inline'" in script:
        score -= 20
    if "'unsafe-eval'" in every_source:
        score -= 10
    if {"*", "http:", "https:", "data:"} & set(script + policy.get("object-src", default)):
        score -= 20
    if score == 0 and default in (["'none'"], ["'self'"]):
        met.add("csp-without-unsafe-sources")
        score += 10 if default == ["'none'"] else 0
    if policy.get("frame-ancestors") in (["'none'"], ["'self'"]):
        met.add("csp-frame-ancestors")
        score += 5
    return score, met


def observatory_score(headers: httpx.Headers) -> tuple[int, set[str]]:
    """Score out of 100 plus bonuses (A+ at 100) and the criteria the headers meet."""
    score, met = score_policy(headers.get("content-security-policy"))
    if "csp-frame-ancestors" not in met and headers.get("x-frame-options") not in (
        "DENY",
        "SAMEORIGIN",
    ):
        score -= 20
    hsts = re.search(r"max-age=(\d+)", headers.get("strict-transport-security", ""))
    if hsts is None:
        score -= 20
    elif int(hsts.group(1)) < SIX_MONTHS:
        score -= 10
    else:
        met.add("hsts-six-months")
    if headers.get("x-content-type-options", "").lower() == "nosniff":
        met.add("nosniff")
    else:
        score -= 5
    referrer = headers.get("referrer-policy")
    if referrer is not None and referrer.split(",")[-1].strip() in PRIVATE_REFERRER_POLICIES:
        met.add("referrer-policy-private")
        score += 5
    elif referrer is not None:
        score -= 5
    if headers.get("cross-origin-opener-policy") == "same-origin":
        met.add("cross-origin-opener-policy")
    if headers.get("cross-origin-resource-policy") in ("same-origin", "same-site"):
        met.add("cross-origin-resource-policy")
    return 100 + score, met


@pytest.mark.parametrize(
    ("path", "minimum_score"),
    [("/api/items", 120), ("/api/nowhere", 120), ("/api/stream", 120), ("/app", 110)],
)
async def test_observatory_criteria_are_all_met(
    client: httpx.AsyncClient, path: str, minimum_score: int
) -> None:
    response = await client.get(path)
    score, met = observatory_score(response.headers)
    assert met == ALL_CRITERIA
    assert score >= minimum_score


async def test_observatory_scoring_fails_an_unprotected_app() -> None:
    async with client_for(build_app()) as http:
        response = await http.get("/api/items")
    score, met = observatory_score(response.headers)
    assert met == set()
    assert score < 100


def test_observatory_scoring_penalises_unsafe_sources() -> None:
    unsafe = httpx.Headers({"content-security-policy": "default-src 'self' 'unsafe-inline'"})
    score, met = score_policy(unsafe["content-security-policy"])
    assert score == -20
    assert "csp-without-unsafe-sources" not in met
    assert observatory_score(unsafe)[0] < 100
