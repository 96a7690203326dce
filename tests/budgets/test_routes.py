"""A workspace's budgets through the API: set, list with spend, change, delete; what is
refused and why; admins only; audited; invisible from another workspace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.accounts import Account
from tests.runs.conftest import json_of
from tests.runs.test_streaming import catalog_agent
from tests.tools.test_routes import add_member

pytestmark = pytest.mark.anyio


def budgets_url(workspace_id: str, *parts: str) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/budgets", *parts])


async def create(client: httpx.AsyncClient, account: Account, **body: Any) -> httpx.Response:
    return await client.post(budgets_url(account.workspace_id), json=body)


async def test_set_list_change_and_delete_a_budget(
    client: httpx.AsyncClient, sign_up, clock
) -> None:
    account = await sign_up()
    agent_id = await catalog_agent(client, account.workspace_id, "code-review")

    made = await create(client, account, scope="agent_day", subject=agent_id, max_tokens=50_000)
    month = await create(client, account, scope="workspace_month", max_cost_usd="25.50")

    budget = await json_of(made, 201)
    assert made.headers["location"].endswith(f"/budgets/{budget['id']}")
    assert budget["subject"] == agent_id and budget["max_cost_usd"] is None
    assert (budget["spent_tokens"], budget["used_percent"]) == (0, 0)
    assert budget["period_start"].startswith(clock.now.date().isoformat())
    assert (await json_of(month, 201))["max_cost_usd"] == "25.50000000"
    listed = await json_of(await client.get(budgets_url(account.workspace_id)))
    assert [item["scope"] for item in listed["items"]] == ["agent_day", "workspace_month"]

    changed = await client.patch(
        budgets_url(account.workspace_id, budget["id"]),
        json={"max_tokens": None, "max_cost_usd": 2},
    )
    assert (await json_of(changed))["max_tokens"] is None
    assert changed.json()["max_cost_usd"] == "2.00000000"
    emptied = await client.patch(
        budgets_url(account.workspace_id, budget["id"]), json={"max_cost_usd": None}
    )
    assert emptied.status_code == 422, emptied.text
    gone = await client.delete(budgets_url(account.workspace_id, budget["id"]))
    assert gone.status_code == 204
    assert (await client.get(budgets_url(account.workspace_id, budget["id"]))).status_code == 404

    log = await json_of(await client.get(f"/api/v1/teams/{account.team_id}/audit-log"))
    actions = [event["action"] for event in log["items"] if event["action"].startswith("budget")]
    assert actions == ["budget.deleted", "budget.updated", "budget.created", "budget.created"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"scope": "run"}, 422),  # no limit at all
        ({"scope": "run", "max_tokens": 0}, 422),
        ({"scope": "run", "max_cost_usd": "-1"}, 422),
        ({"scope": "run", "max_cost_usd": "1.123456789"}, 422),  # finer than a hundred-millionth
        ({"scope": "week", "max_tokens": 10}, 422),
        ({"scope": "workspace_month", "subject": "agt_x", "max_tokens": 10}, 422),
        ({"scope": "agent_day", "subject": "agt_missing", "max_tokens": 10}, 422),
        ({"scope": "api_key_day", "subject": "key_missing", "max_tokens": 10}, 422),
        ({"scope": "run", "max_tokens": 10, "extra": 1}, 422),
    ],
)
async def test_bad_budgets_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, sign_up, body: dict[str, Any], status: int
) -> None:
    account = await sign_up()

    refused = await create(client, account, **body)

    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await json_of(await client.get(budgets_url(account.workspace_id))))["items"] == []


async def test_the_same_scope_and_subject_twice_is_a_conflict(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    await json_of(await create(client, account, scope="run", max_tokens=1000), 201)

    again = await create(client, account, scope="run", max_cost_usd="1")

    assert again.status_code == 409, again.text
    assert again.json()["reason"] == "budget-exists"


async def test_an_agent_of_another_workspace_cannot_be_a_subject_nor_its_budgets_seen(
    client: httpx.AsyncClient, sign_up
) -> None:
    ada = await sign_up()
    agent_id = await catalog_agent(client, ada.workspace_id, "code-review")
    budget = await json_of(await create(client, ada, scope="run", max_tokens=10), 201)
    bob = await sign_up("bob@example.com")
    client.cookies = bob.cookies

    foreign = await create(client, bob, scope="agent_day", subject=agent_id, max_tokens=10)
    read = await client.get(budgets_url(ada.workspace_id, budget["id"]))
    from_own = await client.get(budgets_url(bob.workspace_id, budget["id"]))
    deleted = await client.delete(budgets_url(bob.workspace_id, budget["id"]))

    assert foreign.status_code == 422
    assert read.status_code == 404
    assert (from_own.status_code, deleted.status_code) == (404, 404)


async def test_members_read_budgets_and_only_admins_change_them(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    await json_of(await create(client, owner, scope="workspace_month", max_tokens=10), 201)
    member = await sign_up("mia@example.com")
    await add_member(app, owner.team_id, member.user_id, "member")
    client.cookies = member.cookies

    listed = await client.get(budgets_url(owner.workspace_id))
    refused = await create(client, owner, scope="run", max_tokens=10)
    switch = await client.put(f"/api/v1/workspaces/{owner.workspace_id}/kill-switch", json={})

    assert len((await json_of(listed))["items"]) == 1
    assert (refused.status_code, switch.status_code) == (403, 403)
