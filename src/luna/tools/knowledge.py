"""Full-text search over a workspace's knowledge documents, on SQLite and PostgreSQL.

:func:`search_knowledge` hides the difference: SQLite matches in the FTS5 table of
migration 0007 and ranks with BM25, PostgreSQL matches the GIN-indexed
:func:`~luna.tools.models.search_vector` and ranks with ``ts_rank``. Both stem English
words (Porter), weigh a match in the title above one in the content, find documents
holding any of the query's words (more matches rank higher), and mark the matched words
of the snippet in **bold**.
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from luna.tools.models import (
    FTS_TABLE,
    KnowledgeDocument,
    search_configuration,
    search_vector,
)
from luna.tools.schemas import KnowledgeHit

MAX_QUERY_WORDS: Final = 32
_WORD: Final = re.compile(r"\w+")
_HEADLINE_OPTIONS: Final = (
    'StartSel=**, StopSel=**, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)
_SQLITE_SEARCH: Final = text(
    f"""
    SELECT documents.id, documents.title,
           snippet({FTS_TABLE}, 1, '**', '**', ' … ', 24) AS snippet,
           -bm25({FTS_TABLE}, 10.0, 1.0) AS score
    FROM {FTS_TABLE}
    JOIN {FTS_TABLE}_rowids AS rowids ON rowids.id = {FTS_TABLE}.rowid
    JOIN knowledge_documents AS documents ON documents.id = rowids.document_id
    WHERE {FTS_TABLE} MATCH :match AND documents.workspace_id = :workspace_id
    ORDER BY score DESC, documents.id
    LIMIT :limit
    """  # noqa: S608  (names are constants; values are bound parameters)
)


def query_words(query: str) -> list[str]:
    """The distinct words of a query, lower-cased, at most MAX_QUERY_WORDS of them."""
    words = dict.fromkeys(word.lower() for word in _WORD.findall(query))
    return list(words)[:MAX_QUERY_WORDS]


async def search_knowledge(
    *, session: AsyncSession, workspace_id: str, query: str, limit: int
) -> list[KnowledgeHit]:
    """The workspace's documents best matching ``query``, best first; none for a query
    without words."""
    words = query_words(query)
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        return await _search_sqlite(session, workspace_id, words, limit)
    return await _search_postgres(session, workspace_id, words, limit)


async def _search_sqlite(
    session: AsyncSession, workspace_id: str, words: list[str], limit: int
) -> list[KnowledgeHit]:
    # Each word quoted: FTS5 reads it as a string, never as query syntax.
    match = " OR ".join(f'"{word}"' for word in words)
    rows = await session.execute(
        _SQLITE_SEARCH, {"match": match, "workspace_id": workspace_id, "limit": limit}
    )
    return [
        KnowledgeHit(document_id=row.id, title=row.title, snippet=row.snippet, score=row.score)
        for row in rows
    ]


async def _search_postgres(
    session: AsyncSession, workspace_id: str, words: list[str], limit: int
) -> list[KnowledgeHit]:
    configuration = search_configuration()
    # Words are \w+ only, so joined with | they are a well-formed tsquery.
    query = func.to_tsquery(configuration, bindparam("words", " | ".join(words)))
    vector = search_vector()
    score = func.ts_rank(vector, query).label("score")
    snippet = func.ts_headline(configuration, KnowledgeDocument.content, query, _HEADLINE_OPTIONS)
    statement = (
        select(KnowledgeDocument.id, KnowledgeDocument.title, snippet.label("snippet"), score)
        .where(vector.op("@@")(query), KnowledgeDocument.workspace_id == workspace_id)
        .order_by(score.desc(), KnowledgeDocument.id)
        .limit(limit)
    )
    rows = await session.execute(statement)
    return [
        KnowledgeHit(document_id=row.id, title=row.title, snippet=row.snippet, score=row.score)
        for row in rows
    ]
