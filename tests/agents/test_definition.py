"""The JSON documents of an agent's definition (its input and output schemas) are bounded
in how deep they nest: a deeper one is refused with 422, on creation, on a new version
and in a playground draft, before anything tries to store, serialise or log it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from luna.agents.definition import MAX_JSON_DEPTH, json_depth_exceeds
from tests.agents.test_routes import DEFINITION, agents_url, create_agent, pointers

pytestmark = pytest.mark.anyio


def object_schema(depth: int) -> dict[str, Any]:
    """An object schema whose objects and arrays nest exactly ``depth`` levels deep
    (each nested schema adds two: itself and its ``properties``)."""
    schema: dict[str, Any] = {"type": "object"} if depth % 2 else {"type": "object", "required": []}
    for _ in range((depth - 1) // 2):
        schema = {"type": "object", "properties": {"inner": schema}}
    return schema


@pytest.mark.parametrize(
    ("document", "limit", "deeper"),
    [
        (7, 0, False),
        ({}, 0, True),
        ({}, 1, False),
        ({"a": [1, {"b": []}]}, 4, False),
        ({"a": [1, {"b": []}]}, 3, True),
        ([[], [[[]]]], 3, True),
    ],
)
def test_nesting_is_counted_in_objects_and_arrays(document: Any, limit: int, deeper: bool) -> None:
    assert json_depth_exceeds(document, limit) is deeper


def test_a_document_far_deeper_than_the_recursion_limit_is_measured() -> None:
    document: list[Any] = []
    for _ in range(100_000):
        document = [document]
    assert json_depth_exceeds(document, MAX_JSON_DEPTH)


@pytest.mark.parametrize("field", ["input_schema", "output_schema"])
async def test_a_schema_nested_300_levels_deep_is_refused(
    client: httpx.AsyncClient, sign_up, field: str
) -> None:
    account = await sign_up()
    too_deep = DEFINITION | {field: object_schema(300)}

    response = await client.post(
        agents_url(account.workspace_id), json={"name": "Deep", "definition": too_deep}
    )

    assert response.status_code == 422, response.text[:500]
    assert pointers(response) == [f"#/definition/{field}"]
    assert f"{MAX_JSON_DEPTH} levels" in response.json()["errors"][0]["message"]
    assert len(response.content) < 10_000  # the problem names the field, not the schema
    listed = await client.get(agents_url(account.workspace_id))
    assert listed.json()["items"] == []


async def test_a_schema_at_the_depth_limit_is_kept(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    deepest = object_schema(MAX_JSON_DEPTH)
    assert not json_depth_exceeds(deepest, MAX_JSON_DEPTH)
    assert json_depth_exceeds(deepest, MAX_JSON_DEPTH - 1)

    created = await create_agent(
        client,
        account.workspace_id,
        name="Deepest",
        definition=DEFINITION | {"input_schema": deepest},
    )

    assert created["definition"]["input_schema"] == deepest


async def test_a_new_version_with_a_schema_one_level_too_deep_is_refused(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent = await create_agent(client, account.workspace_id, name="A", definition=DEFINITION)
    too_deep = DEFINITION | {"output_schema": object_schema(MAX_JSON_DEPTH + 1)}

    response = await client.patch(
        agents_url(account.workspace_id, agent["id"]), json={"definition": too_deep}
    )

    assert response.status_code == 422, response.text[:500]
    assert pointers(response) == ["#/definition/output_schema"]
    unchanged = await client.get(agents_url(account.workspace_id, agent["id"]))
    assert unchanged.json()["current_version"] == 1


async def test_a_playground_draft_with_a_schema_too_deep_is_refused(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent = await create_agent(client, account.workspace_id, name="A", definition=DEFINITION)
    draft = DEFINITION | {"input_schema": object_schema(300)}

    response = await client.post(
        agents_url(account.workspace_id, agent["id"], "runs"), json={"input": "x", "draft": draft}
    )

    assert response.status_code == 422, response.text[:500]
    assert pointers(response) == ["#/draft/input_schema"]
