"""A workspace's chains: create (from a preset or a definition), list, read, change,
delete; their versions: list, read, restore; and the preset chains."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.agents.schemas import VersionSort
from luna.chains import service
from luna.chains.presets import PRESETS
from luna.chains.schemas import (
    ChainCreate,
    ChainDetail,
    ChainOut,
    ChainPage,
    ChainPresetOut,
    ChainPresetPage,
    ChainSort,
    ChainUpdate,
    ChainVersionDetail,
    ChainVersionOut,
    ChainVersionPage,
)
from luna.chains.swarms import SwarmCreate, swarm_definition
from luna.db.pagination import PageRequestDep
from luna.deps import CatalogDep, ClockDep, ExpectedVersionDep, SessionDep, require_workspace
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/chains", tags=["chains"])
presets_router = APIRouter(prefix="/api/v1/chain-presets", tags=["chains"])
swarms_router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/swarms", tags=["chains"])
ChainKind = Annotated[
    Literal["chain", "swarm"] | None,
    Query(description="Only chains (`chain`) or only swarms (`swarm`)."),
]

ChainReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="chains:read"))]
ChainWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write", scope="chains:write"))]
ChainId = Annotated[str, Path(description="The chain's id (`chn_...`).")]
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A version number.")]


@presets_router.get("", operation_id="chain-presets-list", response_model=ChainPresetPage)
async def list_presets() -> ChainPresetPage:
    """The preset chains, each a line of catalog agents; no sign-in needed."""
    items = [ChainPresetOut.of(preset) for preset in PRESETS.values()]
    return ChainPresetPage(items=items, next_cursor=None)


@router.post("", operation_id="chains-create", status_code=201, response_model=ChainDetail)
async def create_chain(
    body: ChainCreate,
    access: ChainWriter,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
    response: Response,
) -> ChainDetail:
    """Create a chain from a preset (`preset`) or from a `definition`.

    Refused with 422 for a graph that is not valid (a cycle is named in `cycle`), a node
    naming no active agent of the workspace, or an unknown preset or template; with 402
    when the agents a preset or template adds do not fit the plan; with 409 when the
    workspace already has a chain of that name.
    """
    chain, version = await service.create_chain(
        session=session,
        catalog=catalog,
        workspace_id=access.workspace_id,
        user_id=access.principal.user_id,
        request=body,
        now=clock(),
    )
    response.headers["Location"] = f"/api/v1/workspaces/{access.workspace_id}/chains/{chain.id}"
    return ChainDetail.with_version(chain, version)


@router.get("", operation_id="chains-list", response_model=ChainPage)
async def list_chains(
    access: ChainReader,
    session: SessionDep,
    page: PageRequestDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^[^\x00]*$",
            description="Text in the name or the description, in any case.",
        ),
    ] = None,
    sort: Annotated[
        ChainSort, Query(description="A field, ascending; prefixed with `-`, descending.")
    ] = "-created_at",
    kind: ChainKind = None,
) -> ChainPage:
    """A page of the workspace's chains (and swarms); follow `next_cursor` for the next
    one."""
    found = await service.list_chains(
        session=session, workspace_id=access.workspace_id, text=q, sort=sort, page=page, kind=kind
    )
    items = [ChainOut.of(chain, version) for chain, version in found.rows]
    return ChainPage(items=items, next_cursor=found.next_cursor)


@swarms_router.post("", operation_id="swarms-create", status_code=201, response_model=ChainDetail)
async def create_swarm(
    body: SwarmCreate,
    access: ChainWriter,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
    response: Response,
) -> ChainDetail:
    """Create a swarm: two to five agents answer the same input at once, settled by a
    `race` (the first success wins, the others are cancelled), a `vote` (a judge agent
    picks or merges) or a `debate` (a generator and a critic, up to `rounds` rounds, until
    the critic accepts). A swarm is a chain: run it with `POST .../chains/{chain_id}/runs`
    and read it under `.../chains`. Refused like a chain."""
    request = ChainCreate(
        name=body.name, description=body.description, definition=swarm_definition(body)
    )
    return await create_chain(request, access, session, clock, catalog, response)


@swarms_router.get("", operation_id="swarms-list", response_model=ChainPage)
async def list_swarms(
    access: ChainReader,
    session: SessionDep,
    page: PageRequestDep,
    sort: Annotated[
        ChainSort, Query(description="A field, ascending; prefixed with `-`, descending.")
    ] = "-created_at",
) -> ChainPage:
    """A page of the workspace's swarms (the chains with a race, vote or debate)."""
    return await list_chains(access, session, page, q=None, sort=sort, kind="swarm")


@router.get("/{chain_id}", operation_id="chains-get", response_model=ChainDetail)
async def get_chain(chain_id: ChainId, access: ChainReader, session: SessionDep) -> ChainDetail:
    """A chain with the graph of its current version."""
    chain, version = await service.get_chain(
        session=session, workspace_id=access.workspace_id, chain_id=chain_id
    )
    return ChainDetail.with_version(chain, version)


@router.patch("/{chain_id}", operation_id="chains-update", response_model=ChainDetail)
async def update_chain(
    chain_id: ChainId,
    body: ChainUpdate,
    access: ChainWriter,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
    expected_version: ExpectedVersionDep,
) -> ChainDetail:
    """Rename or describe a chain; a `definition` becomes a new version that the chain
    runs from now on. A stale `expected_version` or `If-Match` is refused with 409."""
    chain, version = await service.update_chain(
        session=session,
        catalog=catalog,
        workspace_id=access.workspace_id,
        chain_id=chain_id,
        changes=body,
        expected_version=expected_version,
        user_id=access.principal.user_id,
        now=clock(),
    )
    return ChainDetail.with_version(chain, version)


@router.delete("/{chain_id}", operation_id="chains-delete", status_code=204)
async def delete_chain(chain_id: ChainId, access: ChainWriter, session: SessionDep) -> None:
    """Delete a chain, its versions and its finished runs (its agents, and the runs of its
    nodes, stay). A chain with runs under way is refused with 409."""
    await service.delete_chain(session=session, workspace_id=access.workspace_id, chain_id=chain_id)


@router.get(
    "/{chain_id}/versions", operation_id="chains-versions-list", response_model=ChainVersionPage
)
async def list_chain_versions(
    chain_id: ChainId,
    access: ChainReader,
    session: SessionDep,
    page: PageRequestDep,
    sort: Annotated[VersionSort, Query(description="`-number`: newest first.")] = "-number",
) -> ChainVersionPage:
    """A page of a chain's versions, newest first; follow `next_cursor` for the next."""
    found = await service.list_chain_versions(
        session=session, workspace_id=access.workspace_id, chain_id=chain_id, sort=sort, page=page
    )
    items = [ChainVersionOut.model_validate(version) for (version,) in found.rows]
    return ChainVersionPage(items=items, next_cursor=found.next_cursor)


@router.get(
    "/{chain_id}/versions/{number}",
    operation_id="chains-versions-get",
    response_model=ChainVersionDetail,
)
async def get_chain_version(
    chain_id: ChainId, number: VersionNumber, access: ChainReader, session: SessionDep
) -> ChainVersionDetail:
    """One version of a chain with its graph."""
    version = await service.get_chain_version(
        session=session, workspace_id=access.workspace_id, chain_id=chain_id, number=number
    )
    return ChainVersionDetail.of(version)


@router.post(
    "/{chain_id}/versions/{number}/restore",
    operation_id="chains-versions-restore",
    response_model=ChainDetail,
)
async def restore_chain_version(
    chain_id: ChainId,
    number: VersionNumber,
    access: ChainWriter,
    session: SessionDep,
    clock: ClockDep,
    catalog: CatalogDep,
    expected_version: ExpectedVersionDep,
) -> ChainDetail:
    """Roll back to version `number`: its graph, checked again, becomes a new current
    version. Earlier versions stay as they were."""
    chain, version = await service.restore_chain_version(
        session=session,
        catalog=catalog,
        workspace_id=access.workspace_id,
        chain_id=chain_id,
        number=number,
        expected_version=expected_version,
        user_id=access.principal.user_id,
        now=clock(),
    )
    return ChainDetail.with_version(chain, version)
