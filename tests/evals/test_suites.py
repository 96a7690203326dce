"""Evaluation suites through the API: cases written, changed and deleted (each change a
new revision), imported from CSV and JSON Lines (a bad line adds nothing), taken from a
past run with its tool calls, and judged on those calls in an eval run."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.accounts import Account
from tests.evals.test_eval_runs import agent_url, finished
from tests.runs.conftest import Worker, json_of
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_routes import wait_for_status
from tests.standins import OpenAIStandin, ToolCall, Turn

pytestmark = pytest.mark.anyio


async def new_suite(
    client: httpx.AsyncClient, account: Account, agent_id: str, **body: object
) -> dict:
    url = agent_url(account, agent_id, "eval-suites")
    return await json_of(await client.post(url, json={"name": "Support", **body}), 201)


async def test_cases_change_the_revision_and_the_audit_log_tells(
    client: httpx.AsyncClient, sign_up, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    agent_id = await agent_with(client, account.workspace_id)
    suite = await new_suite(client, account, agent_id, cases=[{"input": "Hi"}])
    url = agent_url(account, agent_id, "eval-suites", suite["id"])

    again = await client.post(agent_url(account, agent_id, "eval-suites"), json={"name": "Support"})
    added = await json_of(
        await client.post(
            f"{url}/cases",
            json=[{"name": "refund", "input": "Refund me", "checks": {"contains": ["refund"]}}],
        ),
        201,
    )
    case_id = added["cases"][1]["id"]
    changed = await json_of(
        await client.put(
            f"{url}/cases/{case_id}",
            json={"input": "Refund me now", "checks": {"rubric": "Polite."}},
        )
    )
    deleted = await client.delete(f"{url}/cases/{added['cases'][0]['id']}")
    renamed = await json_of(await client.patch(url, json={"name": "Helpdesk"}))
    contradictory = await client.post(
        f"{url}/cases",
        json=[{"input": "x", "checks": {"required_tools": ["a"], "forbidden_tools": ["a"]}}],
    )

    assert suite["cases"][0]["name"] == "case 1" and suite["revision"] == 1
    assert again.status_code == 409 and again.json()["reason"] == "suite-exists"
    assert added["revision"] == 2 and added["cases"][1]["checks"]["contains"] == ["refund"]
    assert changed["input"] == "Refund me now" and changed["checks"]["rubric"] == "Polite."
    assert deleted.status_code == 204
    assert (renamed["name"], renamed["revision"], renamed["case_count"]) == ("Helpdesk", 4, 1)
    assert contradictory.status_code == 422
    listed = await json_of(await client.get(agent_url(account, agent_id, "eval-suites")))
    assert [(item["name"], item["case_count"]) for item in listed["items"]] == [("Helpdesk", 1)]
    log = await json_of(await client.get(f"/api/v1/teams/{account.team_id}/audit-log"))
    assert [event["action"] for event in log["items"] if event["action"].startswith("eval_")] == [
        "eval_suite.updated",
        "eval_suite.case_deleted",
        "eval_suite.case_changed",
        "eval_suite.cases_added",
        "eval_suite.created",
    ]


async def test_import_from_csv_and_json_lines_and_a_bad_line_adds_nothing(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent_id = await agent_with(client, account.workspace_id)
    suite = await new_suite(client, account, agent_id)
    url = agent_url(account, agent_id, "eval-suites", suite["id"], "import")
    csv_text = (
        "name,input,expected_output,contains,required_tools,tool_order,max_cost_usd,output_schema\n"
        'sum,"Add 1, 2",3,,calculator,exact,0.05,\n'
        'json,Give JSON,,"a|b",,,,"{""type"": ""object""}"\n'
    )
    lines = [
        json.dumps({"input": "Hello", "checks": {"forbidden_tools": ["http_fetch"]}}),
        "",
        json.dumps({"name": "judged", "input": "Bye", "checks": {"rubric": "Says goodbye."}}),
    ]

    from_csv = await client.post(url, content=csv_text, headers={"Content-Type": "text/csv"})
    from_jsonl = await client.post(
        url, content="\n".join(lines), headers={"Content-Type": "application/x-ndjson"}
    )
    bad_json = await client.post(
        url,
        content='{"input": "ok"}\n{"input": ""}\n',
        headers={"Content-Type": "application/x-ndjson"},
    )
    not_json = await client.post(
        url, content="{nope\n", headers={"Content-Type": "application/x-ndjson"}
    )
    no_input_column = await client.post(
        url, content="name\nx\n", headers={"Content-Type": "text/csv"}
    )
    wrong_type = await client.post(url, content="x", headers={"Content-Type": "application/pdf"})

    imported = await json_of(from_csv, 201)
    assert imported["imported"] == 2
    first, second = imported["suite"]["cases"]
    assert (first["name"], first["input"]) == ("sum", "Add 1, 2")
    assert (
        first["checks"]["required_tools"] == ["calculator"]
        and first["checks"]["tool_order"] == "exact"
    )
    assert first["checks"]["expected_output"] == "3" and first["checks"]["max_cost_usd"] == "0.05"
    assert second["checks"]["contains"] == ["a", "b"] and second["checks"]["output_schema"] == {
        "type": "object"
    }
    assert (await json_of(from_jsonl, 201))["imported"] == 2
    assert bad_json.status_code == 422 and bad_json.json()["detail"].startswith("Line 2: input")
    assert not_json.status_code == 422 and "Line 1 is not JSON" in not_json.json()["detail"]
    assert no_input_column.status_code == 422
    assert wrong_type.status_code == 422
    detail = await json_of(
        await client.get(agent_url(account, agent_id, "eval-suites", suite["id"]))
    )
    assert detail["case_count"] == 4 and detail["revision"] == 3  # the refused files added nothing


async def test_a_run_becomes_a_case_and_its_tool_calls_are_judged_in_an_eval_run(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id, tools=[{"name": "calculator"}])
    openai_standin.script(
        Turn(tool_calls=[ToolCall("calculator", {"expression": "6*7"})]), Turn(text="42")
    )
    runs = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent_id}/runs"
    run = await json_of(await client.post(runs, json={"input": "What is 6*7?"}), 202)
    await wait_for_status(client, account.workspace_id, run["id"], "succeeded")
    suite = await new_suite(client, account, agent_id)
    suite_url = agent_url(account, agent_id, "eval-suites", suite["id"])

    case = await json_of(
        await client.post(
            f"{suite_url}/from-run",
            json={"run_id": run["id"], "expect_same_tools": True},
        ),
        201,
    )
    assert case["input"] == "What is 6*7?" and case["source_run_id"] == run["id"]
    assert case["checks"]["expected_output"] == "42"
    assert case["checks"]["required_tools"] == ["calculator"]
    await json_of(
        await client.post(
            f"{suite_url}/cases",
            json=[
                {
                    "name": "no tools",
                    "input": "What is 1+1?",
                    "checks": {"forbidden_tools": ["calculator"]},
                }
            ],
        ),
        201,
    )

    # The current version answers the first case without the calculator, the second with it.
    def answer(body: dict) -> Turn:
        asked = str(body["messages"][-1].get("content"))
        if body["messages"][-1]["role"] == "tool":
            return Turn(text="2")
        if "6*7" in asked:
            return Turn(text="42")
        return Turn(tool_calls=[ToolCall("calculator", {"expression": "1+1"})])

    openai_standin.respond_with(answer)
    started = await json_of(
        await client.post(
            agent_url(account, agent_id, "eval-runs"), json={"suite_id": suite["id"]}
        ),
        201,
    )
    done = await finished(client, account, agent_id, started["id"])

    results = {result["case_name"]: result for result in done["results"]}
    from_run = results[f"from {run['id']}"]
    assert from_run["status"] == "failed"
    assert {c["name"]: c["value"] for c in from_run["checks"]} == {
        "expected_output": True,
        "required_tools": False,
        "tool_order": 0.0,
    }
    no_tools = results["no tools"]
    assert (
        no_tools["status"] == "failed" and no_tools["checks"][0]["name"] == "never calls calculator"
    )
    assert done["targets"][0]["pass_rate"] == 0.0


async def test_what_adding_a_run_refuses(
    client: httpx.AsyncClient, sign_up, worker: Worker, openai_standin: OpenAIStandin
) -> None:
    account = await sign_up()
    await local_provider(client, account.workspace_id, openai_standin)
    agent_id = await agent_with(client, account.workspace_id)
    other = {"name": "Other", "definition": {"instructions": "Other."}}
    created = await client.post(f"/api/v1/workspaces/{account.workspace_id}/agents", json=other)
    other_id = (await json_of(created, 201))["id"]
    openai_standin.script(Turn(text="Hi"))
    runs = f"/api/v1/workspaces/{account.workspace_id}/agents/{other_id}/runs"
    run = await json_of(await client.post(runs, json={"input": "Hello"}), 202)
    await wait_for_status(client, account.workspace_id, run["id"], "succeeded")
    suite = await new_suite(client, account, agent_id)
    url = agent_url(account, agent_id, "eval-suites", suite["id"], "from-run")

    other_agent = await client.post(url, json={"run_id": run["id"]})
    missing = await client.post(url, json={"run_id": "run_missing"})

    assert (
        other_agent.status_code == 422 and other_agent.json()["errors"][0]["pointer"] == "#/run_id"
    )
    assert missing.status_code == 404
