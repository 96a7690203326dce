"""The public catalog API: list, filter, get, and its errors."""

from __future__ import annotations

import httpx
import pytest

from luna.agents.catalog import load_catalog

pytestmark = pytest.mark.anyio

LIST = "/api/v1/catalog/agents"


async def test_anyone_can_list_the_whole_catalog(client: httpx.AsyncClient) -> None:
    assert not client.cookies and "authorization" not in client.headers  # nobody signed in
    response = await client.get(LIST)
    assert response.status_code == 200
    agents = response.json()["items"]
    assert [agent["slug"] for agent in agents] == [agent.slug for agent in load_catalog()]
    review = next(agent for agent in agents if agent["slug"] == "code-review")
    assert review == {
        "slug": "code-review",
        "name": "Code Review",
        "category": "quality",
        "plan": "starter",
        "summary": load_catalog().get("code-review").summary,
        "artifact": "code-review-report.md",
        "tools": ["text_stats"],
        "tags": ["security", "code-quality", "performance", "review"],
    }
    assert "instructions" not in review


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "design"}, {"hig", "user-guide"}),
        (
            {"plan": "starter"},
            {
                "code-review",
                "testing-validation",
                "documentation",
                "deployment",
                "requirements-analyzer",
                "design-architect",
            },
        ),
        ({"category": "ship", "plan": "starter"}, {"documentation", "deployment"}),
        ({"q": "playwright"}, {"ui-test"}),
        ({"q": "Entra"}, {"365-security"}),
        ({"q": "knowledge-base"}, {"rag-enhanced"}),
        ({"q": "no agent says this"}, set()),
    ],
)
async def test_the_list_filters(
    client: httpx.AsyncClient, query: dict[str, str], expected: set[str]
) -> None:
    response = await client.get(LIST, params=query)
    assert response.status_code == 200
    assert {agent["slug"] for agent in response.json()["items"]} == expected


async def test_paid_plans_list_every_agent(client: httpx.AsyncClient) -> None:
    for plan in ("growth", "scale", "enterprise"):
        response = await client.get(LIST, params={"plan": plan})
        assert len(response.json()["items"]) == 28


async def test_get_returns_the_full_persona(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{LIST}/requirements-analyzer")
    assert response.status_code == 200
    persona = response.json()
    assert persona == load_catalog().get("requirements-analyzer").model_dump(mode="json")
    assert persona["instructions"].startswith("## Role")
    assert persona["artifact"] == {
        "name": "requirements.md",
        "description": persona["artifact"]["description"],
        "format": "markdown",
    }
    assert persona["hands_off_to"] == ["design-architect"]


async def test_an_unknown_slug_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{LIST}/no-such-agent")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:not-found"
    assert "no-such-agent" in problem["detail"]


@pytest.mark.parametrize(
    ("query", "name"),
    [({"category": "marketing"}, "category"), ({"plan": "free"}, "plan"), ({"q": "x" * 101}, "q")],
)
async def test_invalid_filters_are_a_422_problem(
    client: httpx.AsyncClient, query: dict[str, str], name: str
) -> None:
    response = await client.get(LIST, params=query)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:validation-failed"
    assert [(error["in"], error["name"]) for error in problem["errors"]] == [("query", name)]


async def test_the_operations_are_documented(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert paths[LIST]["get"]["operationId"] == "catalog-list"
    assert paths[LIST + "/{slug}"]["get"]["operationId"] == "catalog-get"
