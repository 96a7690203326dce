"""The public site as crawlers and visitors without JavaScript get it: complete HTML with
the hero, live pricing and structured data, legal pages, the changelog, robots and sitemap."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import httpx
import pytest
from fastapi import FastAPI

from luna.site.content import LEGAL_SLUGS, parse_document
from luna.site.pages import FAQ
from tests.billing.conftest import set_api_budget

pytestmark = pytest.mark.anyio

HERO = "Watch your AI agents think."
PLAN_NAMES = ("Starter", "Growth", "Scale", "Enterprise")


class Head(HTMLParser):
    """The parts of a page crawlers read: meta tags, links, JSON-LD, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.title = ""
        self.json_ld: list[dict[str, object]] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = values.get("name") or values.get("property")
            if key:
                self.meta[key] = values.get("content", "")
        elif tag == "link":
            self.links[values.get("rel", "")] = values.get("href", "")
        elif tag == "title":
            self._in = "title"
        elif tag == "script":
            if values.get("type") == "application/ld+json":
                self._in = "ld"
            else:
                self.scripts.append(values.get("src", "<inline>"))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "ld":
            self.json_ld.append(json.loads(data))


def head_of(response: httpx.Response) -> Head:
    parser = Head()
    parser.feed(response.text)
    return parser


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_landing_page_is_complete_html_without_javascript(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    text = visible_text(response.text)
    assert HERO in text
    assert "28 agents for the whole software lifecycle" in text
    for name in PLAN_NAMES:
        assert f"<h3>{name}</h3>" in response.text
    assert "$29" in text and "$79" in text and "Free" in text and "Custom" in text
    assert "100 runs a day" in text and "Unlimited runs a day" in text
    for item in FAQ:
        assert item.question in response.text
    head = head_of(response)
    base = str(app.state.settings.public_url).rstrip("/")
    assert head.title == "Luna: Build, run and watch AI agents think."
    assert head.links["canonical"] == f"{base}/"
    assert head.meta["og:url"] == f"{base}/"
    assert head.meta["og:title"] == head.title
    assert head.meta["description"] == head.meta["og:description"]
    assert head.meta["og:image"].startswith(f"{base}/site/og.png?v=")
    # Two small scripts of the site's own: the cookie choice, and the hero's replay.
    assert [script.split("?v=")[0] for script in head.scripts] == [
        "/site/consent.js",
        "/site/hero.js",
    ]


async def test_the_hero_replays_the_recorded_demo_review(client: httpx.AsyncClient) -> None:
    """The landing page's graph is the demo workspace's code review, as recorded: its tools,
    its figures, and each node's time in the recording for the replay."""
    html = (await client.get("/")).text
    graph = html[html.index('<svg class="graph"') : html.index("</svg>")]
    labels = re.findall(r'class="label">([^<]+)<', graph)
    assert labels == [
        "Model request",
        "Thinking",
        "Tool · fetch_diff",
        "Tool · ci_status",
        "Model request",
        "Thinking",
        "Tool · text_stats",
        "Model request",
        "Answer",
    ]
    assert "2,140 tok in · 2.4 s · confidence 0.91" in graph
    times = [int(at) for at in re.findall(r'<g class="node [a-z]+" data-at="(\d+)"', graph)]
    assert times == sorted(times)
    assert times[0] == 800  # the first request took 2.4 s, replayed three times as fast
    duration = int(re.findall(r'data-duration="(\d+)"', graph)[0])
    assert duration == times[-1]
    assert "Review pull request #482" in html


async def test_the_structured_data_matches_the_page(client: httpx.AsyncClient) -> None:
    head = head_of(await client.get("/"))

    by_type = {data["@type"]: data for data in head.json_ld}
    assert set(by_type) == {"Product", "FAQPage"}
    offers = by_type["Product"]["offers"]
    assert isinstance(offers, list)
    assert [(o["name"], o["price"], o["priceCurrency"]) for o in offers] == [
        ("Starter", "0.00", "USD"),
        ("Growth", "29.00", "USD"),
        ("Scale", "79.00", "USD"),
    ]
    questions = by_type["FAQPage"]["mainEntity"]
    assert isinstance(questions, list)
    assert [q["name"] for q in questions] == [item.question for item in FAQ]
    assert [q["acceptedAnswer"]["text"] for q in questions] == [item.answer for item in FAQ]


async def test_pricing_follows_the_plans_table(client: httpx.AsyncClient, app: FastAPI) -> None:
    before = visible_text((await client.get("/pricing")).text)
    await set_api_budget(app, "growth", 750)
    after = visible_text((await client.get("/pricing")).text)

    assert "300 API requests a minute" in before
    assert "750 API requests a minute" in after
    assert "300 API requests a minute" not in after


async def test_hidden_plans_are_not_on_the_price_list(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    from sqlalchemy import update

    from luna.plans.models import Plan
    from luna.plans.service import forget_plans

    async with app.state.resources.session_factory() as session:
        await session.execute(update(Plan).where(Plan.id == "scale").values(public=False))
        await session.commit()
    await forget_plans(app.state.caches)

    page = await client.get("/")
    plans = (await client.get("/api/v1/plans")).json()["items"]

    assert "<h3>Scale</h3>" not in page.text
    assert [plan["id"] for plan in plans] == ["starter", "growth", "enterprise"]


@pytest.mark.parametrize("slug", LEGAL_SLUGS)
async def test_each_legal_page_renders_its_markdown(
    client: httpx.AsyncClient, app: FastAPI, slug: str
) -> None:
    response = await client.get(f"/legal/{slug}")

    assert response.status_code == 200
    head = head_of(response)
    base = str(app.state.settings.public_url).rstrip("/")
    assert head.links["canonical"] == f"{base}/legal/{slug}"
    assert len(head.meta["description"]) >= 10
    assert re.search(r"<h1>[^<]{2,80}</h1>", response.text)
    assert "Last updated" in response.text
    assert response.text.count("<h2>") >= 3


async def test_an_unknown_site_page_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/legal/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Page not found" in response.text
    assert response.headers["cache-control"] == "private, no-cache"


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/terms", "/privacy", "/docs", "/a/b/c"])
async def test_an_unknown_address_a_browser_opens_is_a_page_with_the_real_ones(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Page not found" in response.text
    for link in ('href="/legal/terms"', 'href="/legal/privacy"', 'href="/pricing"'):
        assert link in response.text
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    ("path", "accept"),
    [("/terms", "*/*"), ("/terms", "application/json"), ("/api/v1/nothing", BROWSER_ACCEPT)],
)
async def test_programs_and_api_addresses_keep_problem_details(
    client: httpx.AsyncClient, path: str, accept: str
) -> None:
    response = await client.get(path, headers={"Accept": accept})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/", "/pricing", "/changelog", "/legal/privacy"])
async def test_pages_with_a_csp_nonce_are_kept_out_of_shared_caches(
    client: httpx.AsyncClient, path: str
) -> None:
    first = await client.get(path)
    second = await client.get(path)

    nonces = [
        re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
        for page in (first, second)
    ]
    assert all(nonces), "the page's policy carries a nonce"
    assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)
    for page in (first, second):
        directives = [part.strip() for part in page.headers["cache-control"].split(",")]
        # A shared cache would hand every visitor the nonce of the response it stored.
        assert "private" in directives
        assert "public" not in directives


async def test_the_changelog_is_rendered_from_the_changelog_file(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/changelog")

    assert response.status_code == 200
    assert "<h1>Changelog</h1>" in response.text
    assert "<h2>[0.1.0] - 2026-11-28</h2>" in response.text or "0.1.0" in response.text
    assert "<li>" in response.text


async def test_robots_and_sitemap_list_the_public_pages(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    base = str(app.state.settings.public_url).rstrip("/")
    robots = await client.get("/robots.txt")
    sitemap = await client.get("/sitemap.xml")

    assert robots.status_code == 200
    assert "Disallow: /app/" in robots.text and "Disallow: /api/" in robots.text
    assert f"Sitemap: {base}/sitemap.xml" in robots.text
    assert sitemap.headers["content-type"].startswith("application/xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(sitemap.content)  # noqa: S314  (our own response)
    locations = [element.text for element in root.findall("s:url/s:loc", namespace)]
    assert locations == [
        f"{base}/",
        f"{base}/pricing",
        f"{base}/changelog",
        *(f"{base}/legal/{slug}" for slug in LEGAL_SLUGS),
    ]
    for location in locations:
        assert location is not None
        page = await client.get(location.removeprefix(base))
        assert page.status_code == 200, location


async def test_static_files_are_fingerprinted_compressed_and_revalidated(
    client: httpx.AsyncClient,
) -> None:
    head = head_of(await client.get("/"))
    script = head.scripts[0]

    plain = await client.get(script, headers={"Accept-Encoding": "identity"})
    zipped = await client.get(script, headers={"Accept-Encoding": "gzip"})
    again = await client.get(script, headers={"If-None-Match": plain.headers["etag"]})
    missing = await client.get("/site/nothing.js")

    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.text == plain.text  # httpx decodes it
    assert again.status_code == 304
    assert missing.status_code == 404


async def test_the_typeface_is_served_by_the_site_itself(client: httpx.AsyncClient) -> None:
    """The site's stylesheet names Inter from Luna's own address (the CSP allows no other),
    and the font answers as a font, cached like every asset."""
    head = head_of(await client.get("/"))
    stylesheet = await client.get(head.links["stylesheet"])
    [font] = re.findall(r"url\(([^)]+\.woff2)\)", stylesheet.text)
    served = await client.get(f"/site/{font}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "font/woff2"
    assert served.content[:4] == b"wOF2"
    license_text = await client.get("/site/Inter-LICENSE.txt")
    assert "SIL OPEN FONT LICENSE" in license_text.text.upper()


def test_markdown_sources_cannot_put_html_on_the_page() -> None:
    document = parse_document(
        "terms",
        "---\ntitle: Terms\ndescription: What you agree to.\nupdated: 2026-11-28\n---\n"
        "## Hello\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n",
    )

    assert "<script>" not in document.html
    assert "&lt;script&gt;" in document.html
    assert 'href="javascript:' not in document.html


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("## No front matter", "must start with '---' front matter"),
        ("---\ntitle: T\n", "front matter is not closed"),
        ("---\ntitle: Terms\n---\nbody", "bad front matter"),
    ],
)
def test_malformed_legal_sources_are_named(source: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_document("terms", source)
