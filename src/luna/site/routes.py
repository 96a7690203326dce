"""The public site's routes: complete HTML pages (no JavaScript needed to read them),
``robots.txt``, ``sitemap.xml`` and the site's own static files."""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.catalog import load_catalog
from luna.cache import Caches
from luna.deps import CachesDep, SessionDep, SettingsDep
from luna.plans.schemas import PlanOut
from luna.plans.service import cached_plans
from luna.settings import Settings
from luna.site import pages
from luna.site.content import LEGAL_SLUGS, changelog, legal_document
from luna.site.hero import hero_graph

router = APIRouter(include_in_schema=False)

READ_METHODS: Final = ["GET", "HEAD"]
STATIC_DIRECTORY: Final = Path(__file__).parent / "static"
ASSET_PREFIX: Final = "/site/"
# Robots and the sitemap carry no nonce: shared caches may keep them briefly.
PAGE_CACHE_CONTROL: Final = "public, max-age=60, stale-while-revalidate=300"
# An HTML page's Content-Security-Policy carries a nonce of its own response, which a
# shared cache would hand every visitor: only the browser keeps one (it shows live prices).
HTML_PAGE_CACHE_CONTROL: Final = "private, max-age=60"
HTML_ERROR_CACHE_CONTROL: Final = "private, no-cache"
ASSET_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
FEATURED_PLAN: Final = "growth"
_COMPRESSIBLE: Final = frozenset({"text/css", "text/javascript", "image/svg+xml"})


@dataclass(frozen=True)
class StaticFile:
    """One of the site's files, with its fingerprint and a gzip copy when worth it."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    fingerprint: str


@functools.cache
def static_files() -> dict[str, StaticFile]:
    """The site's static files, read once per process."""
    files = {}
    for path in sorted(STATIC_DIRECTORY.iterdir()):
        if not path.is_file():
            continue
        body = path.read_bytes()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media_type == "application/javascript":
            media_type = "text/javascript"
        compressible = media_type in _COMPRESSIBLE
        files[path.name] = StaticFile(
            body=body,
            gzipped=gzip.compress(body, mtime=0) if compressible else None,
            media_type=media_type,
            fingerprint=hashlib.sha256(body).hexdigest()[:12],
        )
    return files


def asset_url(name: str) -> str:
    """The fingerprinted address of a static file (cached for a year by browsers)."""
    return f"{ASSET_PREFIX}{name}?v={static_files()[name].fingerprint}"


@functools.cache
def _environment() -> Environment:
    env = pages.environment()
    env.globals.update(asset=asset_url, price=pages.price_label, lines=pages.plan_lines)
    return env


def base_url(settings: Settings) -> str:
    """The public address without a trailing slash: canonical links start with it."""
    return str(settings.public_url).rstrip("/")


def render(
    settings: Settings,
    template: str,
    *,
    path: str,
    title: str,
    description: str,
    status_code: int = 200,
    structured_data: tuple[dict[str, Any], ...] = (),
    **context: Any,
) -> HTMLResponse:
    """A page of the site, with its canonical address, social and structured data."""
    root = base_url(settings)
    html = (
        _environment()
        .get_template(template)
        .render(
            title=title,
            description=description,
            canonical=f"{root}{path}",
            base_url=root,
            year=datetime.now(UTC).year,
            analytics_src=settings.site_analytics_src,
            structured_data=[pages.json_ld(data) for data in structured_data],
            **context,
        )
    )
    cache_control = HTML_PAGE_CACHE_CONTROL if status_code == 200 else HTML_ERROR_CACHE_CONTROL
    headers = {"Cache-Control": cache_control}
    return HTMLResponse(html, status_code=status_code, headers=headers)


async def public_plans(session: AsyncSession, caches: Caches) -> list[PlanOut]:
    """The plans on the price list, in its order."""
    every_plan = await cached_plans(session=session, caches=caches)
    return [plan for plan in every_plan.values() if plan.public]


@router.api_route("/", methods=READ_METHODS)
async def landing_page(session: SessionDep, caches: CachesDep, settings: SettingsDep) -> Response:
    """The landing page: what Luna does, the catalog, the live graph, pricing and FAQ."""
    plans = [
        plan
        for plan in (await cached_plans(session=session, caches=caches)).values()
        if plan.public
    ]
    catalog = load_catalog()
    return render(
        settings,
        "landing.html",
        path="/",
        title=f"{pages.SITE_NAME}: {pages.TAGLINE}",
        description=pages.DESCRIPTION,
        structured_data=(pages.product_data(base_url(settings), plans), pages.faq_data(pages.FAQ)),
        plans=plans,
        featured_plan=FEATURED_PLAN,
        features=pages.FEATURES,
        groups=pages.catalog_groups(catalog),
        agent_count=len(catalog),
        faq=pages.FAQ,
        hero=hero_graph(),
    )


@router.api_route("/pricing", methods=READ_METHODS)
async def pricing_page(session: SessionDep, caches: CachesDep, settings: SettingsDep) -> Response:
    """The plans and what each includes, from the plans table."""
    plans = [
        plan
        for plan in (await cached_plans(session=session, caches=caches)).values()
        if plan.public
    ]
    return render(
        settings,
        "pricing.html",
        path="/pricing",
        title=f"Pricing · {pages.SITE_NAME}",
        description="Luna's plans, from free Starter to Enterprise, and what each includes.",
        structured_data=(pages.product_data(base_url(settings), plans), pages.faq_data(pages.FAQ)),
        plans=plans,
        featured_plan=FEATURED_PLAN,
        faq=pages.FAQ,
    )


@router.api_route("/legal/{slug}", methods=READ_METHODS)
async def legal_page(slug: str, settings: SettingsDep) -> Response:
    """The privacy policy, terms, cookie policy and the Enterprise MSA template."""
    if slug not in LEGAL_SLUGS:
        return not_found_page(settings, f"/legal/{slug}")
    document = legal_document(slug)
    return render(
        settings,
        "document.html",
        path=f"/legal/{slug}",
        title=f"{document.title} · {pages.SITE_NAME}",
        description=document.description,
        document=document,
    )


@router.api_route("/changelog", methods=READ_METHODS)
async def changelog_page(settings: SettingsDep) -> Response:
    """What changed, release by release, from ``CHANGELOG.md``."""
    document = changelog()
    return render(
        settings,
        "document.html",
        path="/changelog",
        title=f"Changelog · {pages.SITE_NAME}",
        description=document.description,
        document=document,
    )


def not_found_page(settings: Settings, path: str) -> HTMLResponse:
    """The site's own 404 page, for addresses under the site."""
    return render(
        settings,
        "not_found.html",
        path=path,
        title=f"Page not found · {pages.SITE_NAME}",
        description="There is no page at this address.",
        status_code=404,
    )


@router.api_route("/robots.txt", methods=READ_METHODS)
async def robots(settings: SettingsDep) -> Response:
    """Crawlers may read the site, not the app or the API."""
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /app/",
        "Disallow: /api/",
        f"Sitemap: {base_url(settings)}/sitemap.xml",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", headers={"Cache-Control": PAGE_CACHE_CONTROL})


@dataclass(frozen=True)
class SitemapEntry:
    """One address of the sitemap."""

    path: str
    updated: date | None = None


@router.api_route("/sitemap.xml", methods=READ_METHODS)
async def sitemap(settings: SettingsDep) -> Response:
    """Every public page of the site."""
    entries = [SitemapEntry("/"), SitemapEntry("/pricing"), SitemapEntry("/changelog")]
    entries += [
        SitemapEntry(f"/legal/{slug}", legal_document(slug).updated) for slug in LEGAL_SLUGS
    ]
    xml = (
        _environment()
        .get_template("sitemap.xml")
        .render(pages=entries, base_url=base_url(settings))
    )
    return Response(
        xml, media_type="application/xml", headers={"Cache-Control": PAGE_CACHE_CONTROL}
    )


@router.api_route("/site/{name}", methods=READ_METHODS)
async def static_file(name: str, request: Request, settings: SettingsDep) -> Response:
    """A static file of the site, gzip-compressed when the client accepts it."""
    file = static_files().get(name)
    if file is None:
        return not_found_page(settings, f"/site/{name}")
    headers = {
        "Cache-Control": ASSET_CACHE_CONTROL,
        "ETag": f'"{file.fingerprint}"',
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    accepts_gzip = "gzip" in request.headers.get("accept-encoding", "").lower()
    if file.gzipped is not None and accepts_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(file.gzipped, media_type=file.media_type, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)
