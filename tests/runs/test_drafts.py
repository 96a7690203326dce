"""Runs of another version of an agent, and of an unsaved draft of its definition: what
the playground runs to try an edit or compare two versions on one input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.test_conversations import agent_with, local_provider
from tests.runs.test_routes import create_url
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio


def instructed(expected: str) -> Any:
    """A stand-in check: the model request's system message is ``expected``."""

    def check(body: dict[str, Any]) -> None:
        system = [m["content"] for m in body["messages"] if m["role"] == "system"]
        assert system == [expected]

    return check


async def versioned_agent(client: httpx.AsyncClient, workspace_id: str) -> str:
    """An agent at version 2 ("Answer at length."), whose version 1 said "Be terse."."""
    agent_id = await agent_with(client, workspace_id, instructions="Be terse.")
    changed = await client.patch(
        f"/api/v1/workspaces/{workspace_id}/agents/{agent_id}",
        json={"definition": {"instructions": "Answer at length."}},
    )
    assert (await json_of(changed))["current_version"] == 2
    return agent_id


async def test_a_draft_runs_in_place_of_the_agent_and_leaves_it_unchanged(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await versioned_agent(client, account.workspace_id)
    openai_standin.script(Turn(text="Drafted.", expect=instructed("Reply in French.")))

    response = await client.post(
        create_url(account.workspace_id, agent_id),
        json={"input": "Hello", "mode": "wait", "draft": {"instructions": "Reply in French."}},
    )

    run = await json_of(response)
    assert (run["status"], run["output"], run["draft"]) == ("succeeded", {"text": "Drafted."}, True)
    agent = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}")
    )
    assert (agent["current_version"], agent["definition"]["instructions"]) == (
        2,
        "Answer at length.",
    )
    stored = await json_of(await client.get(runs_url(account.workspace_id, run["id"])))
    assert stored["draft"] is True


async def test_a_follow_up_of_a_draft_thread_runs_the_draft_it_is_sent(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await versioned_agent(client, account.workspace_id)
    url = create_url(account.workspace_id, agent_id)
    draft = {"instructions": "Count."}
    openai_standin.script(Turn(text="One.", expect=instructed("Count.")))
    first = await json_of(
        await client.post(url, json={"input": "Start", "mode": "wait", "draft": draft})
    )

    def continues(body: dict[str, Any]) -> None:
        instructed("Count.")(body)
        assert [m["content"] for m in body["messages"] if m["role"] != "system"] == [
            "Start",
            "One.",
            "Next",
        ]

    openai_standin.script(Turn(text="Two.", expect=continues))
    second = await json_of(
        await client.post(
            url,
            json={"input": "Next", "mode": "wait", "draft": draft, "thread_id": first["id"]},
        )
    )

    assert (second["status"], second["thread_id"], second["draft"]) == (
        "succeeded",
        first["id"],
        True,
    )


async def test_an_earlier_version_runs_for_a_side_by_side_comparison(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await versioned_agent(client, account.workspace_id)
    versions = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/versions")
    )
    id_of = {version["number"]: version["id"] for version in versions["items"]}
    openai_standin.script(
        Turn(text="Short.", expect=instructed("Be terse.")),
        Turn(text="A long answer.", expect=instructed("Answer at length.")),
    )

    runs = [
        await json_of(
            await client.post(
                create_url(account.workspace_id, agent_id),
                json={"input": "Same input", "mode": "wait", **extra},
            )
        )
        for extra in ({"version": 1}, {})
    ]

    assert [(r["agent_version_id"], r["output"], r["draft"]) for r in runs] == [
        (id_of[1], {"text": "Short."}, False),
        (id_of[2], {"text": "A long answer."}, False),
    ]


@pytest.mark.parametrize(
    ("extra", "pointer"),
    [
        ({"version": 9}, "#/version"),
        (
            {
                "draft": {
                    "instructions": "x",
                    "model": {"provider_id": "prv_elsewhere", "model": "llama3"},
                }
            },
            "#/draft/model/provider_id",
        ),
        ({"draft": {"instructions": ""}}, None),
        ({"version": 1, "draft": {"instructions": "Both."}}, None),
    ],
    ids=["unknown-version", "foreign-provider", "invalid-draft", "version-and-draft"],
)
async def test_a_bad_version_or_draft_is_refused_and_stores_nothing(
    client: httpx.AsyncClient,
    sign_up,
    openai_standin: OpenAIStandin,
    extra: dict[str, Any],
    pointer: str | None,
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await versioned_agent(client, account.workspace_id)

    response = await client.post(
        create_url(account.workspace_id, agent_id), json={"input": "Hi", **extra}
    )

    problem = await json_of(response, 422)
    assert response.headers["content-type"] == "application/problem+json"
    if pointer is not None:
        assert [error["pointer"] for error in problem["errors"]] == [pointer]
    runs = await json_of(await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs"))
    assert runs["items"] == []


async def test_a_draft_naming_another_workspaces_provider_is_refused_at_its_field(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    other = await sign_up("grace@example.com")
    await local_provider(client, other.workspace_id, openai_standin)
    theirs = await json_of(await client.get(f"/api/v1/workspaces/{other.workspace_id}/providers"))
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await versioned_agent(client, account.workspace_id)
    draft = {"instructions": "x", "model": {"provider_id": theirs["items"][0]["id"], "model": "m"}}

    response = await client.post(
        create_url(account.workspace_id, agent_id), json={"input": "Hi", "draft": draft}
    )

    problem = await json_of(response, 422)
    assert [error["pointer"] for error in problem["errors"]] == ["#/draft/model/provider_id"]
    assert (await json_of(await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs")))[
        "items"
    ] == []
