"""Eval runs on the local model stand-in: a suite of 20 cases against two versions, each
case a real run; per-case results, aggregates and the comparison; the release gate on
promotion; evaluation kept out of usage; a traffic split; cancelling one."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.accounts import Account
from tests.agents.test_environments import environments_url, versioned_agent
from tests.runs.conftest import Worker, json_of
from tests.runs.test_routes import wait_for_status
from tests.standins import OpenAIStandin, Turn

pytestmark = pytest.mark.anyio

CASES = 20


def agent_url(account: Account, agent_id: str, *parts: str) -> str:
    return "/".join([f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}", *parts])


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content)
    return str(content or "")


def arithmetic(body: dict[str, Any]) -> Turn:
    """Version 1 ("Compute.") adds right; version 2 gets every fourth sum wrong."""
    messages = body["messages"]
    system = " ".join(_text(m) for m in messages if m["role"] in ("system", "developer"))
    question = [_text(m) for m in messages if m["role"] == "user"][-1]
    left, right = (int(n) for n in question.removeprefix("Add ").split(" and "))
    total = left + right
    if "Version 2." in system and left % 4 == 0:
        total += 1
    return Turn(text=str(total))


async def suite_of_sums(client: httpx.AsyncClient, account: Account, agent_id: str) -> str:
    cases = [
        {
            "name": f"sum {n}",
            "input": f"Add {n} and {n * 3}",
            "checks": {"expected_output": str(n * 4)},
        }
        for n in range(CASES)
    ]
    body = {"name": "Sums", "description": "Adds two numbers.", "cases": cases}
    suite = await json_of(
        await client.post(agent_url(account, agent_id, "eval-suites"), json=body), 201
    )
    assert suite["revision"] == 1 and suite["case_count"] == CASES
    return str(suite["id"])


async def finished(
    client: httpx.AsyncClient, account: Account, agent_id: str, eval_run_id: str, within: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = await json_of(
            await client.get(agent_url(account, agent_id, "eval-runs", eval_run_id))
        )
        if found["status"] in ("succeeded", "failed", "cancelled"):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"eval run {eval_run_id} is {found['status']}: {found['targets']}")


async def evaluate(
    client: httpx.AsyncClient,
    account: Account,
    agent_id: str,
    suite_id: str,
    *targets: dict[str, Any],
) -> dict[str, Any]:
    body = {"suite_id": suite_id, "targets": list(targets)}
    started = await json_of(
        await client.post(agent_url(account, agent_id, "eval-runs"), json=body), 201
    )
    assert started["status"] in ("queued", "running") and started["case_count"] == CASES
    return await finished(client, account, agent_id, started["id"])


async def test_a_suite_of_twenty_against_two_versions_and_their_comparison(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id, ids = await versioned_agent(client, account, openai_standin)
    openai_standin.respond_with(arithmetic)
    suite_id = await suite_of_sums(client, account, agent_id)

    done = await evaluate(client, account, agent_id, suite_id, {"version": 1}, {"version": 2})

    assert done["status"] == "succeeded"
    first, second = done["targets"]
    assert (first["label"], first["version"], first["cases_passed"], first["pass_rate"]) == (
        "v1",
        1,
        20,
        1.0,
    )
    assert (second["label"], second["cases_passed"], second["pass_rate"]) == ("v2", 15, 0.75)
    assert first["tokens_in"] > 0 and first["mean_latency_ms"] is not None
    results = done["results"]
    assert len(results) == 2 * CASES
    wrong = [r["case_name"] for r in results if r["target"] == 1 and r["status"] == "failed"]
    assert wrong == ["sum 0", "sum 4", "sum 8", "sum 12", "sum 16"]
    one = next(r for r in results if r["case_name"] == "sum 4" and r["target"] == 1)
    assert one["output"] == "17" and one["checks"][0]["name"] == "expected_output"
    # Each case is a normal run, recorded, of the version asked for and marked as evaluation.
    run = await json_of(
        await client.get(f"/api/v1/workspaces/{account.workspace_id}/runs/{one['run_id']}")
    )
    assert run["agent_version_id"] == ids[2] and run["status"] == "succeeded"

    comparison = await json_of(
        await client.get(agent_url(account, agent_id, "eval-runs", done["id"], "comparison"))
    )
    assert (comparison["differing"], comparison["regressed"], comparison["improved"]) == (5, 5, 0)
    changed = [case for case in comparison["cases"] if case["verdict_changed"]]
    assert [case["case_name"] for case in changed] == wrong
    assert changed[1]["output_diff"].splitlines()[-2:] == ["-16", "+17"]
    same = next(case for case in comparison["cases"] if case["case_name"] == "sum 1")
    assert not same["differs"] and same["output_diff"] == ""

    # Evaluation stays out of the usage a customer pays for.
    usage = await json_of(await client.get(f"/api/v1/workspaces/{account.workspace_id}/usage"))
    assert usage["totals"]["runs"] == 0 and usage["rows"] == []


async def test_the_gate_refuses_a_worse_version_and_lets_a_passing_one_through(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id, ids = await versioned_agent(client, account, openai_standin)
    openai_standin.respond_with(arithmetic)
    suite_id = await suite_of_sums(client, account, agent_id)
    production = environments_url(account, agent_id, "production")
    await json_of(await client.put(production, json={"version": 2}))
    await json_of(
        await client.put(environments_url(account, agent_id, "staging"), json={"version": 1})
    )
    gated = await json_of(await client.put(f"{production}/gate", json={"suite_id": suite_id}))
    assert gated["gate_suite_id"] == suite_id

    untested = await client.put(production, json={"version": 1})
    assert untested.status_code == 409 and untested.json()["reason"] == "eval-gate-failed"
    assert "needs a finished eval run" in untested.json()["detail"]

    await evaluate(
        client,
        account,
        agent_id,
        suite_id,
        {"environment": "production"},
        {"environment": "staging"},
    )
    # Version 1 passes all 20, version 2 (production now) 15: the promotion goes through.
    promoted = await json_of(await client.post(f"{production}/promote", json={"source": "staging"}))
    assert (promoted["version"], promoted["previous_version"]) == (1, 2)
    run = await json_of(
        await client.post(
            agent_url(account, agent_id + "@production", "runs"), json={"input": "Add 1 and 2"}
        ),
        202,
    )
    assert run["agent_version_id"] == ids[1]
    await wait_for_status(client, account.workspace_id, run["id"], "succeeded")

    # A roll back is not gated: it restores what ran before. Set forward again to version 1,
    # production then refuses version 2 (75 % < 100 %), and with a floor of 90 % says so.
    rolled = await json_of(await client.post(f"{production}/rollback"))
    assert rolled["version"] == 2
    await json_of(await client.put(production, json={"version": 1}))  # 100 % >= 75 %
    await json_of(await client.put(f"{production}/gate", json={"suite_id": suite_id}))
    worse = await client.put(production, json={"version": 2})
    assert (
        worse.status_code == 409
        and "75%" in worse.json()["detail"]
        and "100%" in worse.json()["detail"]
    )
    await json_of(
        await client.put(f"{production}/gate", json={"suite_id": suite_id, "min_pass_rate": 0.9})
    )
    floor = await client.put(production, json={"version": 2})
    assert floor.status_code == 409 and "floor of 90%" in floor.json()["detail"]

    log = await json_of(await client.get(f"/api/v1/teams/{account.team_id}/audit-log"))
    actions = [event["action"] for event in log["items"]]
    assert {
        "agent.promoted",
        "agent.rolled_back",
        "agent.environment_gated",
        "eval_run.started",
    } <= set(actions)
    promotion = next(event for event in log["items"] if event["action"] == "agent.promoted")
    assert promotion["data"]["pass_rate"] == 1.0 and promotion["data"]["current_pass_rate"] == 0.75


async def test_a_cancelled_eval_run_stops_its_case_runs(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id, _ = await versioned_agent(client, account, openai_standin)
    openai_standin.respond_with(lambda body: Turn(text="slow", first_byte_delay=30))
    suite_id = await suite_of_sums(client, account, agent_id)
    started = await json_of(
        await client.post(agent_url(account, agent_id, "eval-runs"), json={"suite_id": suite_id}),
        201,
    )

    cancelled = await client.post(
        agent_url(account, agent_id, "eval-runs", started["id"], "cancel")
    )
    again = await client.post(agent_url(account, agent_id, "eval-runs", started["id"], "cancel"))

    assert (await json_of(cancelled))["status"] == "cancelled"
    assert again.status_code == 409
    done = await finished(client, account, agent_id, started["id"])
    assert done["status"] == "cancelled"
    # Every case run it stored ends cancelled, none reaching its answer.
    for result in done["results"]:
        if result["run_id"] is not None:
            await wait_for_status(client, account.workspace_id, result["run_id"], "cancelled")
    assert all(result["status"] in ("pending", "errored") for result in done["results"])


async def test_a_traffic_split_sends_its_share_to_the_other_version(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id, ids = await versioned_agent(client, account, openai_standin)
    production = environments_url(account, agent_id, "production")
    await json_of(await client.put(production, json={"version": 1}))

    split = await json_of(
        await client.put(f"{production}/split", json={"version": 2, "percent": 100})
    )
    url = agent_url(account, agent_id + "@production", "runs")
    all_split = [
        (await json_of(await client.post(url, json={"input": "hi"}), 202))["agent_version_id"]
        for _ in range(3)
    ]
    ended = await json_of(await client.put(f"{production}/split", json={"version": None}))
    none_split = [
        (await json_of(await client.post(url, json={"input": "hi"}), 202))["agent_version_id"]
        for _ in range(3)
    ]
    bad = await client.put(f"{production}/split", json={"version": 9, "percent": 10})
    itself = await client.put(f"{production}/split", json={"version": 1, "percent": 10})

    assert (split["split_version"], split["split_percent"]) == (2, 100)
    assert all_split == [ids[2]] * 3
    assert (ended["split_version"], ended["split_percent"]) == (None, 0)
    assert none_split == [ids[1]] * 3
    assert bad.status_code == 422 and itself.status_code == 422


async def test_what_an_eval_run_refuses_and_another_workspace_cannot_see(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    ada = await sign_up()
    agent_id, _ = await versioned_agent(client, ada, openai_standin)
    empty = await json_of(
        await client.post(agent_url(ada, agent_id, "eval-suites"), json={"name": "Empty"}), 201
    )
    suite_id = await suite_of_sums(client, ada, agent_id)
    url = agent_url(ada, agent_id, "eval-runs")

    no_cases = await client.post(url, json={"suite_id": empty["id"]})
    no_version = await client.post(url, json={"suite_id": suite_id, "targets": [{"version": 7}]})
    three = await client.post(url, json={"suite_id": suite_id, "targets": [{}, {}, {}]})
    both = await client.post(
        url, json={"suite_id": suite_id, "targets": [{"version": 1, "environment": "x"}]}
    )
    headers = {"Idempotency-Key": "eval-1"}
    first = await client.post(url, json={"suite_id": suite_id}, headers=headers)
    replay = await client.post(url, json={"suite_id": suite_id}, headers=headers)

    assert no_cases.status_code == 422 and no_cases.json()["errors"][0]["pointer"] == "#/suite_id"
    assert no_version.status_code == 422
    assert no_version.json()["errors"][0]["pointer"] == "#/targets/0/version"
    assert (three.status_code, both.status_code) == (422, 422)
    assert first.status_code == 201 and replay.status_code == 200
    assert first.json()["id"] == replay.json()["id"]

    bob = await sign_up("bob@example.com")
    client.cookies = bob.cookies
    base = f"/api/v1/workspaces/{bob.workspace_id}/agents/{agent_id}"
    assert (await client.get(f"{base}/eval-suites/{suite_id}")).status_code == 404
    assert (await client.get(f"{base}/eval-runs/{first.json()['id']}")).status_code == 404
    assert (await client.post(f"{base}/eval-runs", json={"suite_id": suite_id})).status_code == 404


class Draws:
    """Stands for the split's random draw: the shares it draws, in order."""

    def __init__(self, *draws: int) -> None:
        self.draws = list(draws)

    def randrange(self, stop: int) -> int:
        return self.draws.pop(0)


async def test_a_splits_two_versions_read_side_by_side(
    client: httpx.AsyncClient,
    sign_up,
    worker: Worker,
    openai_standin: OpenAIStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await sign_up()
    agent_id, ids = await versioned_agent(client, account, openai_standin)
    openai_standin.respond_with(lambda body: Turn(text="ok"))
    production = environments_url(account, agent_id, "production")
    await json_of(await client.put(production, json={"version": 1}))
    unsplit = await client.get(f"{production}/split")
    split = await json_of(
        await client.put(f"{production}/split", json={"version": 2, "percent": 30})
    )
    monkeypatch.setattr("luna.agents.environments._SPLIT", Draws(10, 90, 50))
    url = agent_url(account, agent_id + "@production", "runs")
    started = [await json_of(await client.post(url, json={"input": "hi"}), 202) for _ in range(3)]
    for run in started:
        await wait_for_status(client, account.workspace_id, run["id"], "succeeded")
    direct = await json_of(
        await client.post(agent_url(account, agent_id, "runs"), json={"input": "x"}), 202
    )
    await wait_for_status(client, account.workspace_id, direct["id"], "succeeded")

    results = await json_of(await client.get(f"{production}/split"))

    assert unsplit.status_code == 409 and unsplit.json()["reason"] == "no-traffic-split"
    assert split["split_since"] is not None
    assert [run["agent_version_id"] for run in started] == [ids[2], ids[1], ids[1]]
    assert direct["agent_version_id"] == ids[2]  # the current version, not through production
    main, other = results["arms"]
    assert (main["version"], main["share_percent"], main["runs"], main["succeeded"]) == (
        1,
        70,
        2,
        2,
    )
    assert (other["version"], other["share_percent"], other["runs"], other["succeeded"]) == (
        2,
        30,
        1,
        1,
    )
    assert main["success_rate"] == 1.0 and main["mean_latency_ms"] is not None
