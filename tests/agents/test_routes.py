"""A workspace's agents through the HTTP API: create, list, read, change, restore, delete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.agents.catalog import load_catalog
from luna.evals.models import EvalRun, EvalTarget
from luna.providers.models import Provider
from luna.runs.models import Run
from luna.tenancy.models import Membership

pytestmark = pytest.mark.anyio

DEFINITION: dict[str, Any] = {"instructions": "Answer briefly.", "tools": [{"name": "calculator"}]}
WITH_UNKNOWN_PROVIDER = DEFINITION | {"model": {"provider_id": "prv_nope", "model": "m"}}
STARTER = next(agent for agent in load_catalog() if agent.plan == "starter")


def agents_url(workspace_id: str, *parts: object) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/agents", *map(str, parts)])


async def create_agent(client: httpx.AsyncClient, workspace_id: str, **body: Any) -> dict[str, Any]:
    response = await client.post(agents_url(workspace_id), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def pointers(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json"
    return [error.get("pointer") or error.get("name") for error in response.json()["errors"]]


async def add_provider(app: FastAPI, workspace_id: str) -> str:
    async with app.state.resources.session_factory() as session:
        provider = Provider(workspace_id=workspace_id, name="Local", kind="openai_compatible")
        session.add(provider)
        await session.commit()
        return provider.id


async def test_create_from_a_catalog_template(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    created = await create_agent(client, account.workspace_id, template=STARTER.slug)
    assert created["name"] == STARTER.name
    assert created["template_slug"] == STARTER.slug
    assert created["description"] == STARTER.summary
    assert created["tags"] == list(STARTER.tags)
    assert created["current_version"] == 1
    assert created["created_by_user_id"] == account.user_id
    assert created["definition"]["instructions"] == STARTER.instructions
    assert [tool["name"] for tool in created["definition"]["tools"]] == list(STARTER.tools)
    fetched = await client.get(agents_url(account.workspace_id, created["id"]))
    assert fetched.json() == created

    again = await create_agent(client, account.workspace_id, template=STARTER.slug)
    third = await create_agent(client, account.workspace_id, template=STARTER.slug)
    assert [again["name"], third["name"]] == [f"{STARTER.name} (2)", f"{STARTER.name} (3)"]
    named = await create_agent(client, account.workspace_id, template=STARTER.slug, name="Mine")
    assert named["name"] == "Mine"
    taken = await client.post(
        agents_url(account.workspace_id), json={"template": STARTER.slug, "name": "Mine"}
    )
    assert taken.status_code == 409


async def test_create_from_a_definition(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    provider_id = await add_provider(app, account.workspace_id)
    definition = DEFINITION | {"model": {"provider_id": provider_id, "model": "llama3"}}
    response = await client.post(
        agents_url(account.workspace_id),
        json={"name": "Calc", "description": "Sums", "tags": ["math"], "definition": definition},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == agents_url(account.workspace_id, created["id"])
    assert created["template_slug"] is None
    assert created["definition"]["model"]["provider_id"] == provider_id
    assert created["definition"]["tools"] == [{"name": "calculator", "requires_approval": False}]
    duplicate = await client.post(
        agents_url(account.workspace_id), json={"name": "Calc", "definition": DEFINITION}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "urn:luna:problem:conflict"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"template": STARTER.slug, "name": "x", "definition": DEFINITION}, "#/definition"),
        ({"name": "x"}, "#/definition"),
        ({}, "#/definition"),
        ({"definition": DEFINITION}, "#/name"),
        ({"template": "no-such-agent"}, "#/template"),
        ({"template": "Not A Slug"}, "#/template"),
        ({"name": "x", "definition": {"instructions": "i", "tools": [{"name": "rm"}]}},
         "#/definition/tools/0/name"),
        ({"name": "x", "definition": DEFINITION, "owner": "me"}, "#/owner"),
        ({"name": "x", "definition": DEFINITION | {"raw_spec": {}}}, "#/definition/raw_spec"),
        ({"name": "x", "definition": DEFINITION, "tags": ["Bad Tag"]}, "#/tags/0"),
        ({"name": "x", "definition": DEFINITION, "tags": ["a1", "a1"]}, "#/tags"),
        ({"name": "   ", "definition": DEFINITION}, "#/name"),
        ({"name": "x", "definition": WITH_UNKNOWN_PROVIDER},
         "#/definition/model/provider_id"),
    ],
)  # fmt: skip
async def test_invalid_creations_point_at_the_field(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], pointer: str
) -> None:
    account = await sign_up()
    response = await client.post(agents_url(account.workspace_id), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:luna:problem:validation-failed"
    assert pointer in pointers(response)


async def test_a_provider_of_another_workspace_is_refused(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    other = (await client.post("/api/v1/teams", json={"name": "Other"})).json()
    foreign_provider = await add_provider(app, other["workspaces"][0]["id"])
    definition = DEFINITION | {"model": {"provider_id": foreign_provider, "model": "m"}}
    response = await client.post(
        agents_url(account.workspace_id), json={"name": "x", "definition": definition}
    )
    assert response.status_code == 422
    assert pointers(response) == ["#/definition/model/provider_id"]


async def make_seven(client: httpx.AsyncClient, clock, workspace_id: str) -> list[dict[str, Any]]:
    """Seven agents created in pairs that share a creation time; three touched later."""
    names = ["delta", "alpha", "golf", "charlie", "echo", "bravo", "foxtrot"]
    agents = []
    for index, name in enumerate(names):
        if index % 2 == 0:
            clock.advance(minutes=1)
        agents.append(await create_agent(client, workspace_id, name=name, definition=DEFINITION))
    clock.advance(minutes=1)
    for agent in (agents[0], agents[3], agents[5]):
        response = await client.patch(
            agents_url(workspace_id, agent["id"]), json={"description": "touched"}
        )
        agents[agents.index(agent)] = response.json()
    return agents


def expected_order(agents: list[dict[str, Any]], sort: str) -> list[str]:
    field = sort.removeprefix("-")
    ordered = sorted(agents, key=lambda agent: (agent[field], agent["id"]))
    return [agent["id"] for agent in (ordered[::-1] if sort.startswith("-") else ordered)]


async def read_all_pages(
    client: httpx.AsyncClient, url: str, **params: Any
) -> tuple[list[str], list[int]]:
    """Every id over every page, and the size of each page."""
    ids: list[str] = []
    sizes: list[int] = []
    cursor = None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        sizes.append(len(page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            return ids, sizes


@pytest.mark.parametrize(
    "sort", ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]
)
async def test_pages_hold_each_agent_exactly_once(
    client: httpx.AsyncClient, sign_up, clock, sort: str
) -> None:
    account = await sign_up()
    agents = await make_seven(client, clock, account.workspace_id)
    ids, sizes = await read_all_pages(client, agents_url(account.workspace_id), sort=sort, limit=3)
    assert sizes == [3, 3, 1]
    assert ids == expected_order(agents, sort)


async def test_the_default_order_is_newest_first(client: httpx.AsyncClient, sign_up, clock) -> None:
    account = await sign_up()
    agents = await make_seven(client, clock, account.workspace_id)
    listed = (await client.get(agents_url(account.workspace_id))).json()
    assert [item["id"] for item in listed["items"]] == expected_order(agents, "-created_at")
    assert listed["next_cursor"] is None


async def test_a_cursor_only_works_with_its_own_sort(
    client: httpx.AsyncClient, sign_up, clock
) -> None:
    account = await sign_up()
    await make_seven(client, clock, account.workspace_id)
    url = agents_url(account.workspace_id)
    cursor = (await client.get(url, params={"sort": "name", "limit": 3})).json()["next_cursor"]
    for sort in ("-name", "created_at"):
        refused = await client.get(url, params={"sort": sort, "limit": 3, "cursor": cursor})
        assert refused.status_code == 422
        assert pointers(refused) == ["cursor"]
    tampered = cursor[:-4] + ("AAAA" if not cursor.endswith("AAAA") else "BBBB")
    for bad in (tampered, "not a cursor", "e30", cursor + "!"):
        refused = await client.get(url, params={"sort": "name", "limit": 3, "cursor": bad})
        assert refused.status_code == 422, bad
        assert pointers(refused) == ["cursor"]
    for params in ({"limit": 0}, {"limit": 201}, {"sort": "description"}, {"status": "gone"}):
        assert (await client.get(url, params=params)).status_code == 422


async def test_filters_by_status_tag_and_text(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    url = agents_url(account.workspace_id)
    reviewer = await create_agent(
        client, account.workspace_id, name="Reviewer", tags=["review", "python"],
        definition=DEFINITION, description="Reads pull requests",
    )  # fmt: skip
    writer = await create_agent(
        client, account.workspace_id, name="Writer 100%", tags=["docs"], definition=DEFINITION
    )

    async def names(**params: Any) -> list[str]:
        response = await client.get(url, params=params | {"sort": "name"})
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names(tag="python") == ["Reviewer"]
    assert await names(tag="py") == []
    assert await names(q="PULL") == ["Reviewer"]
    assert await names(q="writer") == ["Writer 100%"]
    assert await names(q="%") == ["Writer 100%"]
    assert await names(q="_") == []
    archived = await client.patch(f"{url}/{reviewer['id']}", json={"status": "archived"})
    assert archived.json()["status"] == "archived"
    assert await names() == [writer["name"]]
    assert await names(status="archived") == ["Reviewer"]
    assert await names(status="all") == ["Reviewer", "Writer 100%"]
    await client.patch(f"{url}/{reviewer['id']}", json={"status": "active"})
    assert await names() == ["Reviewer", "Writer 100%"]


async def test_versions_are_immutable_and_restorable(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    agent = await create_agent(
        client, account.workspace_id, name="Versioned", definition={"instructions": "one"}
    )
    url = agents_url(account.workspace_id, agent["id"])
    two = await client.patch(
        url, json={"definition": {"instructions": "two"}, "expected_version": 1}
    )
    assert two.json()["current_version"] == 2
    three = await client.patch(
        url, json={"definition": {"instructions": "three"}}, headers={"If-Match": '"2"'}
    )
    assert three.json()["current_version"] == 3
    assert three.json()["definition"]["instructions"] == "three"
    restored = await client.post(f"{url}/versions/1/restore", headers={"If-Match": "3"})
    assert restored.status_code == 200, restored.text
    assert restored.json()["current_version"] == 4
    first = (await client.get(f"{url}/versions/1")).json()
    fourth = (await client.get(f"{url}/versions/4")).json()
    assert fourth["definition"] == first["definition"]
    assert fourth["number"] == 4
    assert (await client.get(url)).json()["definition"] == first["definition"]
    history = [(await client.get(f"{url}/versions/{n}")).json()["definition"] for n in (2, 3)]
    assert [item["instructions"] for item in history] == ["two", "three"]

    listed = (await client.get(f"{url}/versions", params={"limit": 3})).json()
    assert [item["number"] for item in listed["items"]] == [4, 3, 2]
    params = {"cursor": listed["next_cursor"], "limit": 3}
    rest = (await client.get(f"{url}/versions", params=params)).json()
    assert [item["number"] for item in rest["items"]] == [1]
    assert rest["next_cursor"] is None
    oldest = (await client.get(f"{url}/versions", params={"sort": "number"})).json()
    assert [item["number"] for item in oldest["items"]] == [1, 2, 3, 4]
    assert (await client.get(f"{url}/versions/5")).status_code == 404


async def test_stale_versions_are_refused(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    agent = await create_agent(client, account.workspace_id, name="A", definition=DEFINITION)
    url = agents_url(account.workspace_id, agent["id"])
    changed = await client.patch(url, json={"definition": {"instructions": "v2"}})
    assert changed.json()["current_version"] == 2
    stale = [
        await client.patch(url, json={"definition": {"instructions": "x"}, "expected_version": 1}),
        await client.patch(url, json={"name": "B"}, headers={"If-Match": '"1"'}),
        await client.post(f"{url}/versions/1/restore", headers={"If-Match": "1"}),
    ]
    for response in stale:
        assert response.status_code == 409, response.text
        assert response.json()["current_version"] == 2
    after = (await client.get(url)).json()
    assert (after["name"], after["current_version"]) == ("A", 2)
    malformed = await client.patch(url, json={"name": "B"}, headers={"If-Match": "W/abc"})
    assert malformed.status_code == 422
    assert pointers(malformed) == ["If-Match"]
    fine = await client.patch(url, json={"name": "B"}, headers={"If-Match": "*"})
    assert (fine.json()["name"], fine.json()["current_version"]) == ("B", 2)


async def test_rename_to_a_taken_name_is_a_conflict(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    first = await create_agent(client, account.workspace_id, name="One", definition=DEFINITION)
    await create_agent(client, account.workspace_id, name="Two", definition=DEFINITION)
    url = agents_url(account.workspace_id, first["id"])
    assert (await client.patch(url, json={"name": "Two"})).status_code == 409
    assert (await client.patch(url, json={"name": "One"})).status_code == 200


async def test_delete_removes_the_agent_and_its_versions(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent = await create_agent(client, account.workspace_id, name="Gone", definition=DEFINITION)
    url = agents_url(account.workspace_id, agent["id"])
    await client.patch(url, json={"definition": {"instructions": "v2"}})
    assert (await client.delete(url)).status_code == 204
    for path in (url, f"{url}/versions", f"{url}/versions/1"):
        assert (await client.get(path)).status_code == 404
    assert (await client.delete(url)).status_code == 404
    again = await create_agent(client, account.workspace_id, name="Gone", definition=DEFINITION)
    assert again["current_version"] == 1


async def test_an_agent_with_runs_is_archived_not_deleted(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent = await create_agent(client, account.workspace_id, name="Busy", definition=DEFINITION)
    version = (
        await client.get(agents_url(account.workspace_id, agent["id"], "versions", 1))
    ).json()
    async with app.state.resources.session_factory() as session:
        session.add(
            Run(
                workspace_id=account.workspace_id,
                agent_id=agent["id"],
                agent_version_id=version["id"],
                input={"prompt": "hi"},
            )
        )
        await session.commit()
    refused = await client.delete(agents_url(account.workspace_id, agent["id"]))
    assert refused.status_code == 409
    assert "archive" in refused.json()["detail"]
    assert (await client.get(agents_url(account.workspace_id, agent["id"]))).status_code == 200


def agent_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the API under a workspace's agents."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/workspaces/{workspace_id}/agents")
        for method in operations
    )


def fill(path: str, workspace_id: str, agent_id: str, ids: dict[str, str] | None = None) -> str:
    filled = (
        path.replace("{workspace_id}", workspace_id)
        .replace("{agent_id}", agent_id)
        .replace("{number}", "1")
        .replace("{name}", "production")
    )
    for name, value in (ids or {}).items():
        filled = filled.replace("{" + name + "}", value)
    return filled


async def evaluation_ids(
    app: FastAPI, client: httpx.AsyncClient, workspace_id: str, agent: dict[str, Any]
) -> dict[str, str]:
    """A suite of the agent with a case, an eval run of it comparing two versions (as
    stored, without running) and a split production environment: the ids the
    evaluation and environment routes take."""
    agent_url = f"/api/v1/workspaces/{workspace_id}/agents/{agent['id']}"
    suite = (
        await client.post(
            f"{agent_url}/eval-suites", json={"name": "Owned", "cases": [{"input": "x"}]}
        )
    ).json()
    # A second version, and production split between the two.
    await client.patch(agent_url, json={"definition": {**DEFINITION, "instructions": "Two."}})
    await client.put(f"{agent_url}/environments/production", json={"version": 1})
    split = await client.put(
        f"{agent_url}/environments/production/split", json={"version": 2, "percent": 10}
    )
    assert split.status_code == 200, split.text
    async with app.state.resources.session_factory() as session:
        eval_run = EvalRun(
            workspace_id=workspace_id,
            agent_id=agent["id"],
            suite_id=suite["id"],
            suite_revision=1,
            cases=[],
        )
        session.add(eval_run)
        await session.flush()
        for position in (0, 1):
            session.add(
                EvalTarget(
                    eval_run_id=eval_run.id,
                    position=position,
                    workspace_id=workspace_id,
                    label=f"v{position}",
                )
            )
        await session.commit()
    return {"suite_id": suite["id"], "case_id": suite["cases"][0]["id"], "eval_run_id": eval_run.id}


def body_for(method: str, path: str, ids: dict[str, str]) -> Any:
    """A body each write route accepts, so that what answers is the route's own lookup."""
    if "/environments/" in path:
        if path.endswith("/promote"):
            return {"source": "staging"}
        if path.endswith("/gate"):
            return {"suite_id": None}
        return {"version": 1, "percent": 10} if path.endswith("/split") else {"version": 1}
    bodies = {
        "/runs": {"input": "x"},
        "/eval-suites": {"name": "Stolen"},
        "/eval-suites/{suite_id}": {"name": "Stolen"},
        "/eval-suites/{suite_id}/cases": [{"input": "x"}],
        "/eval-suites/{suite_id}/cases/{case_id}": {"input": "x"},
        "/eval-suites/{suite_id}/from-run": {"run_id": "run_x"},
        "/eval-runs": {"suite_id": ids["suite_id"]},
    }
    tail = path.split("/agents/{agent_id}")[-1] if "/agents/{agent_id}" in path else ""
    return bodies.get(tail, {"name": "Stolen", "definition": DEFINITION})


async def test_another_workspace_agents_are_not_found(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    agent = await create_agent(client, owner.workspace_id, name="Secret", definition=DEFINITION)
    ids = await evaluation_ids(app, client, owner.workspace_id, agent)
    routes = agent_routes(app)
    assert len(routes) == 32, routes  # with runs-create, the environments and evaluations
    intruder = await sign_up("intruder@example.com")  # the client is now signed in as them
    for workspace_id in (owner.workspace_id, intruder.workspace_id):
        for method, path in routes:
            url = fill(path, workspace_id, agent["id"], ids)
            if path.endswith("/agents") and workspace_id == intruder.workspace_id:
                continue  # the intruder's own list and create are theirs to use
            response = await client.request(method, url, json=body_for(method, path, ids))
            assert response.status_code == 404, (method, url, response.text)
            assert response.json()["type"] == "urn:luna:problem:not-found"
    mine = (await client.get(agents_url(intruder.workspace_id), params={"status": "all"})).json()
    assert mine["items"] == []


async def test_a_viewer_reads_but_cannot_write(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    agent = await create_agent(client, owner.workspace_id, name="Shared", definition=DEFINITION)
    ids = await evaluation_ids(app, client, owner.workspace_id, agent)
    agent = (await client.get(agents_url(owner.workspace_id, agent["id"]))).json()
    viewer = await sign_up("viewer@example.com")
    async with app.state.resources.session_factory() as session:
        session.add(Membership(team_id=owner.team_id, user_id=viewer.user_id, role="viewer"))
        await session.commit()
    for method, path in agent_routes(app):
        url = fill(path, owner.workspace_id, agent["id"], ids)
        response = await client.request(method, url, json={"name": "Mine"})
        expected = 200 if method == "GET" else 403
        assert response.status_code == expected, (method, url, response.text)
    assert (await client.get(agents_url(owner.workspace_id, agent["id"]))).json() == agent


async def test_api_key_scopes_decide_reads_and_writes(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    keys = {}
    for scope in ("agents:read", "agents:write"):
        created = await client.post(
            f"/api/v1/workspaces/{account.workspace_id}/api-keys",
            json={"name": scope, "scopes": [scope]},
        )
        keys[scope] = created.json()["key"]

    def sdk(scope: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api",
            headers={"Authorization": f"Bearer {keys[scope]}"},
        )

    url = agents_url(account.workspace_id)
    body = {"name": "From CI", "definition": DEFINITION}
    async with sdk("agents:read") as reader, sdk("agents:write") as writer:
        assert (await reader.post(url, json=body)).status_code == 403
        created = await writer.post(url, json=body)
        assert created.status_code == 201, created.text
        assert created.json()["created_by_user_id"] == account.user_id
        listed = await reader.get(url)
        assert listed.status_code == 200
        assert [item["name"] for item in listed.json()["items"]] == ["From CI"]
        assert (await writer.get(url)).status_code == 403
