"""A workspace's tool settings and knowledge documents.

Every document is loaded through :func:`get_document_for_workspace`, which answers
NotFound alike for a document that does not exist and for one of another workspace.
The search index follows the documents by itself (see :mod:`luna.tools.models`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from luna.db.ids import new_id
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.errors import Conflict, NotFound
from luna.tools.models import KnowledgeDocument, WorkspaceToolSettings
from luna.tools.schemas import KnowledgeDocumentCreate, ToolSettings, ToolSettingsUpdate

DOCUMENT_KEYSET: Final = Keyset(
    {"created_at": KnowledgeDocument.created_at, "title": KnowledgeDocument.title},
    id_column=KnowledgeDocument.id,
)


async def get_tool_settings(*, session: AsyncSession, workspace_id: str) -> ToolSettings:
    """The workspace's tool settings; the defaults (no hosts) until first saved."""
    stored = await session.get(WorkspaceToolSettings, workspace_id)
    if stored is None:
        return ToolSettings(http_allowed_hosts=[], updated_at=None, updated_by_user_id=None)
    return _settings_out(stored)


async def update_tool_settings(
    *,
    session: AsyncSession,
    workspace_id: str,
    changes: ToolSettingsUpdate,
    user_id: str | None,
    now: datetime,
) -> ToolSettings:
    """Replace the workspace's tool settings."""
    stored = await session.get(WorkspaceToolSettings, workspace_id, with_for_update=True)
    if stored is None:
        stored = WorkspaceToolSettings(workspace_id=workspace_id)
        session.add(stored)
    stored.http_allowed_hosts = list(changes.http_allowed_hosts)
    stored.updated_at = now
    stored.updated_by_user_id = user_id
    try:
        await session.commit()
    except IntegrityError:  # a concurrent first save of the same workspace
        await session.rollback()
        raise Conflict("The tool settings changed while this request ran; try again.") from None
    return _settings_out(stored)


async def allowed_hosts(*, session: AsyncSession, workspace_id: str) -> tuple[str, ...]:
    """The hosts the workspace's ``http_fetch`` may reach."""
    hosts = await session.scalar(
        select(WorkspaceToolSettings.http_allowed_hosts).where(
            WorkspaceToolSettings.workspace_id == workspace_id
        )
    )
    return tuple(str(host) for host in hosts or ())


async def get_document_for_workspace(
    *, session: AsyncSession, workspace_id: str, document_id: str
) -> KnowledgeDocument:
    """The workspace's document with this id; NotFound if it is missing or another
    workspace's."""
    missing = NotFound(f"No knowledge document {document_id} in this workspace.")
    return await get_in_workspace(
        session,
        KnowledgeDocument,
        workspace_id=workspace_id,
        object_id=document_id,
        missing=missing,
    )


async def create_document(
    *,
    session: AsyncSession,
    workspace_id: str,
    user_id: str | None,
    request: KnowledgeDocumentCreate,
    now: datetime,
) -> KnowledgeDocument:
    """Store a document; from then on ``knowledge_search`` finds it."""
    document = KnowledgeDocument(
        id=new_id("kdoc"),
        workspace_id=workspace_id,
        title=request.title,
        media_type=request.media_type,
        content=request.content,
        size_bytes=len(request.content.encode("utf-8")),
        created_by_user_id=user_id,
        created_at=now,
    )
    session.add(document)
    await session.commit()
    return document


async def list_documents(
    *, session: AsyncSession, workspace_id: str, sort: str, page: PageRequest
) -> Slice[KnowledgeDocument]:
    """A page of the workspace's documents, their content not loaded."""
    statement = (
        select(KnowledgeDocument)
        .where(KnowledgeDocument.workspace_id == workspace_id)
        .options(defer(KnowledgeDocument.content, raiseload=True))
    )
    return await paginate(session, statement, keyset=DOCUMENT_KEYSET, sort=sort, page=page)


async def delete_document(*, session: AsyncSession, workspace_id: str, document_id: str) -> None:
    """Delete a document; it leaves the search index with it."""
    document = await get_document_for_workspace(
        session=session, workspace_id=workspace_id, document_id=document_id
    )
    await session.execute(delete(KnowledgeDocument).where(KnowledgeDocument.id == document.id))
    await session.commit()


def _settings_out(stored: WorkspaceToolSettings) -> ToolSettings:
    return ToolSettings(
        http_allowed_hosts=[str(host) for host in stored.http_allowed_hosts],
        updated_at=stored.updated_at,
        updated_by_user_id=stored.updated_by_user_id,
    )
