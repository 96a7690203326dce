"""The built-in agent catalog, public so that the marketing pages can show it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from luna.agents.catalog import (
    CatalogAgent,
    CatalogAgentPage,
    CatalogAgentSummary,
    Category,
    Plan,
)
from luna.deps import CatalogDep

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])


@router.get("/agents", operation_id="catalog-list", response_model=CatalogAgentPage)
async def list_catalog_agents(
    catalog: CatalogDep,
    category: Annotated[Category | None, Query(description="Only agents of this category.")] = None,
    plan: Annotated[Plan | None, Query(description="Only agents available on this plan.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Text found in the name, the summary or a tag."),
    ] = None,
) -> CatalogAgentPage:
    """The catalog's agents in slug order, optionally filtered; no sign-in needed."""
    agents = catalog.search(category=category, plan=plan, text=q)
    items = [CatalogAgentSummary.of(agent) for agent in agents]
    return CatalogAgentPage(items=items, next_cursor=None)


@router.get(
    "/agents/{slug}",
    operation_id="catalog-get",
    response_model=CatalogAgent,
    responses={404: {"description": "No catalog agent has this slug."}},
)
async def get_catalog_agent(catalog: CatalogDep, slug: str) -> CatalogAgent:
    """One agent's full persona: instructions, questions, inputs, artifact and tools."""
    return catalog.get(slug)
