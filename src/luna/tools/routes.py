"""A workspace's tool settings, and its knowledge documents: upload, list, read, delete,
search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.db.pagination import PageRequestDep
from luna.deps import ClockDep, SessionDep, require_workspace
from luna.tenancy.access import WorkspaceAccess
from luna.tools import service
from luna.tools.knowledge import search_knowledge
from luna.tools.schemas import (
    MAX_SEARCH_RESULTS,
    DocumentSort,
    KnowledgeDocumentCreate,
    KnowledgeDocumentDetail,
    KnowledgeDocumentOut,
    KnowledgeDocumentPage,
    KnowledgeSearchResults,
    ToolSettings,
    ToolSettingsUpdate,
)

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}")

Reader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="agents:read"))]
Writer = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="agents:write"))]
Manager = Annotated[WorkspaceAccess, Depends(require_workspace("manage"))]
DocumentId = Annotated[str, Path(description="The document's id (`kdoc_...`).")]


@router.get(
    "/tool-settings", tags=["tools"], operation_id="tool-settings-get", response_model=ToolSettings
)
async def get_tool_settings(access: Reader, session: SessionDep) -> ToolSettings:
    """How the workspace's agents may use tools: the hosts `http_fetch` may reach."""
    return await service.get_tool_settings(session=session, workspace_id=access.workspace_id)


@router.put(
    "/tool-settings",
    tags=["tools"],
    operation_id="tool-settings-update",
    response_model=ToolSettings,
)
async def update_tool_settings(
    body: ToolSettingsUpdate, access: Manager, session: SessionDep, clock: ClockDep
) -> ToolSettings:
    """Replace the workspace's tool settings (admins and owners)."""
    return await service.update_tool_settings(
        session=session,
        workspace_id=access.workspace_id,
        changes=body,
        user_id=access.principal.user_id,
        now=clock(),
    )


@router.post(
    "/knowledge/documents",
    tags=["knowledge"],
    operation_id="knowledge-documents-create",
    status_code=201,
    response_model=KnowledgeDocumentOut,
)
async def create_document(
    body: KnowledgeDocumentCreate,
    access: Writer,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
) -> KnowledgeDocumentOut:
    """Upload a text or Markdown document (UTF-8, up to 512 KiB) for the workspace's
    agents to find with `knowledge_search`."""
    document = await service.create_document(
        session=session,
        workspace_id=access.workspace_id,
        user_id=access.principal.user_id,
        request=body,
        now=clock(),
    )
    response.headers["Location"] = (
        f"/api/v1/workspaces/{access.workspace_id}/knowledge/documents/{document.id}"
    )
    return KnowledgeDocumentOut.model_validate(document)


@router.get(
    "/knowledge/documents",
    tags=["knowledge"],
    operation_id="knowledge-documents-list",
    response_model=KnowledgeDocumentPage,
)
async def list_documents(
    access: Reader,
    session: SessionDep,
    page: PageRequestDep,
    sort: Annotated[
        DocumentSort, Query(description="A field, ascending; prefixed with `-`, descending.")
    ] = "-created_at",
) -> KnowledgeDocumentPage:
    """A page of the workspace's documents, without their content; follow
    `next_cursor` for the next one."""
    found = await service.list_documents(
        session=session, workspace_id=access.workspace_id, sort=sort, page=page
    )
    items = [KnowledgeDocumentOut.model_validate(document) for (document,) in found.rows]
    return KnowledgeDocumentPage(items=items, next_cursor=found.next_cursor)


@router.get(
    "/knowledge/documents/{document_id}",
    tags=["knowledge"],
    operation_id="knowledge-documents-get",
    response_model=KnowledgeDocumentDetail,
)
async def get_document(
    document_id: DocumentId, access: Reader, session: SessionDep
) -> KnowledgeDocumentDetail:
    """A document with its content."""
    document = await service.get_document_for_workspace(
        session=session, workspace_id=access.workspace_id, document_id=document_id
    )
    return KnowledgeDocumentDetail.model_validate(document)


@router.delete(
    "/knowledge/documents/{document_id}",
    tags=["knowledge"],
    operation_id="knowledge-documents-delete",
    status_code=204,
)
async def delete_document(document_id: DocumentId, access: Writer, session: SessionDep) -> None:
    """Delete a document; searches no longer find it."""
    await service.delete_document(
        session=session, workspace_id=access.workspace_id, document_id=document_id
    )


@router.get(
    "/knowledge/search",
    tags=["knowledge"],
    operation_id="knowledge-search",
    response_model=KnowledgeSearchResults,
)
async def search(
    access: Reader,
    session: SessionDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="Words to look for; documents holding more of them rank higher.",
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=MAX_SEARCH_RESULTS, description="How many documents to return.")
    ] = 5,
) -> KnowledgeSearchResults:
    """The workspace's documents best matching `q`, best first, each with a snippet
    in which the matched words are in **bold** (what agents get from `knowledge_search`)."""
    items = await search_knowledge(
        session=session, workspace_id=access.workspace_id, query=q, limit=limit
    )
    return KnowledgeSearchResults(query=q, items=items)
