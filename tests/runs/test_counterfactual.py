"""Counterfactual replays: a finished run's input on another version, in the same world.
Every tool call is answered with the original's recorded result; a tool with a side
effect (here, a request to a local service that counts them) never runs again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from luna.runs.counterfactual import NOT_RECORDED
from luna.settings import Settings
from tests.accounts import Account
from tests.runs.conftest import Worker, json_of, runs_url
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import wait_for_status
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The agents may fetch from this machine (the counting service)."""
    return settings.model_copy(update={"tools_allow_private_networks": True})


class CountingService:
    """An HTTP service whose every request is a side effect: it counts them."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.requests.append(self.path)
                body = f"ticket #{len(service.requests)} filed".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CountingService:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Iterator[CountingService]:
    with CountingService() as running:
        yield running


async def fetching_agent(
    client: httpx.AsyncClient, account: Account, standin: OpenAIStandin
) -> str:
    await local_provider(client, account.workspace_id, standin)
    settings = f"/api/v1/workspaces/{account.workspace_id}/tool-settings"
    allowed = await client.put(settings, json={"http_allowed_hosts": ["127.0.0.1"]})
    assert allowed.status_code == 200, allowed.text
    return await agent_with(client, account.workspace_id, tools=[{"name": "http_fetch"}])


async def test_a_replay_on_another_version_repeats_no_side_effect(
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
    service: CountingService,
) -> None:
    account = await sign_up()
    agent_id = await fetching_agent(client, account, openai_standin)
    ticket = f"{service.url}/tickets"
    openai_standin.script(
        Turn(tool_calls=[ToolCall("http_fetch", {"url": ticket})]),
        Turn(text="Filed ticket #1."),
    )
    url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    original = await json_of(await client.post(url, json={"input": "File a ticket."}), 202)
    await wait_for_status(client, account.workspace_id, original["id"], "succeeded")
    assert service.requests == ["/tickets"]
    agent_url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}"
    edited = {
        "definition": {"instructions": "File, then check.", "tools": [{"name": "http_fetch"}]}
    }
    await json_of(await client.patch(agent_url, json=edited))
    # Version 2 makes the same call, and one the original never made.
    openai_standin.script(
        Turn(
            tool_calls=[
                ToolCall("http_fetch", {"url": ticket}),
                ToolCall("http_fetch", {"url": f"{service.url}/status"}),
            ]
        ),
        Turn(text="Filed, and the status is unknown."),
    )

    answer = await client.post(
        runs_url(account.workspace_id, original["id"], "counterfactual"), json={"version": 2}
    )
    replay = await json_of(answer, 202)
    finished = await wait_for_status(client, account.workspace_id, replay["id"], "succeeded")

    assert service.requests == ["/tickets"]  # nothing was fetched again
    assert answer.headers["location"].endswith(f"/runs/{replay['id']}")
    assert finished["counterfactual_of_run_id"] == original["id"]
    assert finished["agent_version_id"] != original["agent_version_id"]
    steps = await json_of(await client.get(runs_url(account.workspace_id, replay["id"], "steps")))
    # The two calls run side by side: their results are told apart by their calls' URLs.
    urls = {
        step["id"]: step["content"]["arguments"]["url"]
        for step in steps["items"]
        if step["kind"] == "tool_call"
    }
    results = {
        urls[step["parent_step_id"]]: step["content"]["result"]
        for step in steps["items"]
        if step["kind"] == "tool_result"
    }
    assert results[ticket]["text"] == "ticket #1 filed"  # the original's result, served
    assert results[f"{service.url}/status"] == NOT_RECORDED.format(tool="http_fetch")
    told = openai_standin.model_calls[-1].body["messages"]
    assert any("ticket #1 filed" in str(message.get("content")) for message in told)


async def test_what_a_replay_refuses(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    ada = await sign_up()
    await local_provider(client, ada.workspace_id, openai_standin)
    agent_id = await agent_with(client, ada.workspace_id)
    openai_standin.script(Turn(text="Done."))
    url = f"/api/v1/workspaces/{ada.workspace_id}/agents/{agent_id}/runs"
    run = await json_of(await client.post(url, json={"input": "go"}), 202)
    await wait_for_status(client, ada.workspace_id, run["id"], "succeeded")
    replay_url = runs_url(ada.workspace_id, run["id"], "counterfactual")

    both = await client.post(replay_url, json={"version": 1, "environment": "production"})
    no_such_version = await client.post(replay_url, json={"version": 7})
    bob = await sign_up("bob@example.com")
    client.cookies = bob.cookies
    foreign = await client.post(runs_url(bob.workspace_id, run["id"], "counterfactual"), json={})

    assert (both.status_code, no_such_version.status_code) == (422, 422)
    assert foreign.status_code == 404
