"""The site's written content: the legal pages and the changelog, in Markdown.

The sources live in ``content/`` at the top of the source tree (the wheel ships them as
``luna/_content``) and ``CHANGELOG.md``. Each legal page starts with YAML front matter
(``title``, ``description``, ``updated``). Markdown is rendered with raw HTML switched off,
so a source can never put a script on the page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

_PACKAGE_ROOT: Final = Path(__file__).resolve().parents[1]
LEGAL_SLUGS: Final = ("privacy", "terms", "cookies", "msa")
_FRONT_MATTER: Final = "---\n"


def content_directory() -> Path:
    """Where the content sources are: inside the installed package, or the source tree."""
    for candidate in (_PACKAGE_ROOT / "_content", _PACKAGE_ROOT.parents[1] / "content"):
        if (candidate / "legal").is_dir():
            return candidate
    raise FileNotFoundError("the site's content directory (content/legal) is missing")


def changelog_file() -> Path:
    """``CHANGELOG.md``: next to the content in a wheel, at the top of the source tree."""
    for candidate in (
        _PACKAGE_ROOT / "_content" / "CHANGELOG.md",
        _PACKAGE_ROOT.parents[1] / "CHANGELOG.md",
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("CHANGELOG.md is missing")


class FrontMatter(BaseModel):
    """What a legal page says about itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=2, max_length=80)
    description: str = Field(min_length=10, max_length=160)
    updated: date


@dataclass(frozen=True)
class Document:
    """A rendered page of content."""

    slug: str
    title: str
    description: str
    updated: date | None
    html: str


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "replacements", "smartquotes"]
    )


def parse_document(slug: str, text: str) -> Document:
    """A legal page from its source; ValueError naming the problem when it is malformed."""
    if not text.startswith(_FRONT_MATTER):
        raise ValueError(f"{slug}: the page must start with '---' front matter")
    header, separator, body = text[len(_FRONT_MATTER) :].partition("\n" + _FRONT_MATTER)
    if not separator:
        raise ValueError(f"{slug}: the front matter is not closed with '---'")
    try:
        meta = FrontMatter.model_validate(yaml.safe_load(header))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{slug}: bad front matter: {exc}") from exc
    return Document(
        slug=slug,
        title=meta.title,
        description=meta.description,
        updated=meta.updated,
        html=_markdown().render(body),
    )


@functools.cache
def legal_document(slug: str) -> Document:
    """A legal page by slug (one of :data:`LEGAL_SLUGS`), read once per process."""
    if slug not in LEGAL_SLUGS:
        raise KeyError(slug)
    path = content_directory() / "legal" / f"{slug}.md"
    return parse_document(slug, path.read_text(encoding="utf-8"))


@functools.cache
def changelog() -> Document:
    """The changelog page, from ``CHANGELOG.md`` (its first heading is the page title)."""
    text = changelog_file().read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    title = first.removeprefix("# ").strip() if first.startswith("# ") else "Changelog"
    body = rest if first.startswith("# ") else text
    return Document(
        slug="changelog",
        title=title,
        description="What changed in Luna, release by release.",
        updated=None,
        html=_markdown().render(body),
    )
