"""A workspace's tool settings and its knowledge documents.

The full-text index of the documents is not a model: migration 0007 builds it for each
database, an FTS5 table kept in step by triggers on SQLite and a GIN index over
:func:`search_vector` on PostgreSQL. :data:`SEARCH_INDEX_OBJECTS` names what it creates;
they are listed in ``Base.metadata.info["unmodelled"]`` so that schema comparisons
(autogenerate, the drift check) can leave them alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, utcnow
from luna.db.ids import new_id

MEDIA_TYPE_CHECK: Final = "media_type IN ('text/plain', 'text/markdown')"
SEARCH_CONFIGURATION: Final = "english"
FTS_TABLE: Final = "knowledge_documents_fts"
POSTGRES_SEARCH_INDEX: Final = "ix_knowledge_documents_search"
# The FTS5 table, the shadow tables SQLite keeps for it, the table mapping documents to
# FTS5 rowids, and the PostgreSQL index.
SEARCH_INDEX_OBJECTS: Final = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
        f"{FTS_TABLE}_rowids",
        POSTGRES_SEARCH_INDEX,
    }
)

Base.metadata.info.setdefault("unmodelled", set()).update(SEARCH_INDEX_OBJECTS)


class WorkspaceToolSettings(Base):
    """How a workspace's agents may use tools: the hosts ``http_fetch`` may reach."""

    __tablename__ = "workspace_tool_settings"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    # Host names (``docs.example.com``), address literals, or ``*.example.com`` patterns.
    http_allowed_hosts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class KnowledgeDocument(Base):
    """A text document of a workspace that agents search with ``knowledge_search``."""

    __tablename__ = "knowledge_documents"
    __table_args__ = (
        CheckConstraint(MEDIA_TYPE_CHECK, name="media_type"),
        Index(None, "workspace_id", "created_at", "id"),
        Index(None, "workspace_id", "title", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("kdoc"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int]
    created_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def search_vector() -> ColumnElement[Any]:
    """The weighted text-search vector of a document on PostgreSQL (title above content).

    The GIN index of migration 0007 is built on exactly this expression; a query must
    repeat it verbatim for PostgreSQL to use the index.
    """
    # Constants are literal SQL, not bound parameters: the planner matches the index
    # expression only against the same constants.
    configuration = search_configuration()
    title = func.to_tsvector(configuration, KnowledgeDocument.title)
    content = func.to_tsvector(configuration, KnowledgeDocument.content)
    weighted_title = func.setweight(title, literal_column("'A'"))
    weighted_content = func.setweight(content, literal_column("'B'"))
    return weighted_title.op("||")(weighted_content)


def search_configuration() -> ColumnElement[Any]:
    """The text-search configuration of documents on PostgreSQL, as literal SQL."""
    return literal_column(f"'{SEARCH_CONFIGURATION}'::regconfig")
