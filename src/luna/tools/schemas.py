"""Request and response shapes of a workspace's tool settings and knowledge documents."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from luna.db.pagination import Page
from luna.schemas import RequestModel
from luna.tools.network import HOST_PATTERN_HELP, normalise_host_pattern

MAX_ALLOWED_HOSTS: Final = 100
MAX_CONTENT_BYTES: Final = 512 * 1024
MAX_SEARCH_RESULTS: Final = 20
MediaType = Literal["text/plain", "text/markdown"]
DocumentSort = Literal["created_at", "-created_at", "title", "-title"]
# Text only: no control characters but tab, line feed and carriage return.
_BINARY: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _host_pattern(text: str) -> str:
    try:
        return normalise_host_pattern(text)
    except ValueError:
        raise ValueError(f"Give {HOST_PATTERN_HELP}.") from None


def _unique(patterns: list[str]) -> list[str]:
    if len(set(patterns)) != len(patterns):
        raise ValueError("a host is listed twice")
    return patterns


def _text_content(content: str) -> str:
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("the content is not valid UTF-8 text") from None
    if size > MAX_CONTENT_BYTES:
        raise ValueError(f"the content is {size} bytes; the limit is {MAX_CONTENT_BYTES}")
    if _BINARY.search(content):
        raise ValueError("the content holds control characters; upload text only")
    if not content.strip():
        raise ValueError("the content is empty")
    return content


HostPattern = Annotated[
    str, StringConstraints(min_length=1, max_length=260), AfterValidator(_host_pattern)
]
Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Content = Annotated[str, AfterValidator(_text_content)]


class ToolSettings(BaseModel):
    """How the workspace's agents may use tools."""

    http_allowed_hosts: list[str] = Field(
        description="Hosts `http_fetch` may reach: exact names or addresses, or "
        "`*.example.com` for every subdomain of example.com. Empty: none."
    )
    updated_at: datetime | None = Field(description="Null until the settings are first saved.")
    updated_by_user_id: str | None


class ToolSettingsUpdate(RequestModel):
    """New tool settings; they replace the current ones."""

    model_config = ConfigDict(extra="forbid")

    http_allowed_hosts: Annotated[
        list[HostPattern], Field(max_length=MAX_ALLOWED_HOSTS), AfterValidator(_unique)
    ] = Field(description=f"Hosts `http_fetch` may reach: each {HOST_PATTERN_HELP}.")


class KnowledgeDocumentCreate(RequestModel):
    """A text document for the workspace's agents to search (UTF-8, up to 512 KiB)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    content: Content
    media_type: MediaType = "text/plain"


class KnowledgeDocumentOut(BaseModel):
    """A knowledge document as lists show it, without its content."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    media_type: MediaType
    size_bytes: int = Field(description="The content's size in UTF-8 bytes.")
    created_by_user_id: str | None
    created_at: datetime


class KnowledgeDocumentDetail(KnowledgeDocumentOut):
    """A knowledge document with its content."""

    content: str


class KnowledgeDocumentPage(Page[KnowledgeDocumentOut]):
    """A page of knowledge documents."""


class KnowledgeHit(BaseModel):
    """A document matching a search, with the passage that matched."""

    document_id: str
    title: str
    snippet: str = Field(description="A passage of the content; matched words are in **bold**.")
    score: float = Field(description="Relevance; higher is better, comparable within a search.")


class KnowledgeSearchResults(BaseModel):
    """The documents best matching a search, best first."""

    query: str
    items: list[KnowledgeHit]
