"""Usage metering through the HTTP API: sums per day, agent and model over UTC days,
demo runs and runs outside the range left out, CSV export, range limits and access."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.agents.models import Agent
from luna.runs.models import Run
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD, Account, MovableClock
from tests.conftest import browser_client
from tests.runs.test_streaming import catalog_agent

pytestmark = pytest.mark.anyio

FIRST_DAY = date(2026, 3, 10)
SECOND_DAY = date(2026, 3, 11)
RANGE = {"from": "2026-03-10", "to": "2026-03-11"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Teams on Enterprise: usage is the same on every plan, and these tests need more
    agents than Starter allows."""
    return settings.model_copy(update={"default_plan": "enterprise"})


def usage_url(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/usage"


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=UTC)


async def add_run(
    app: FastAPI,
    account: Account,
    agent_id: str,
    *,
    created_at: datetime,
    tokens: tuple[int, int] = (0, 0),
    cost: str = "0",
    model: str | None = "gpt-4o",
    demo: bool = False,
) -> None:
    """A finished run stored as the engine stores it, created at a chosen instant."""
    async with app.state.resources.session_factory() as session:
        version_id = await session.scalar(
            select(Agent.current_version_id).where(Agent.id == agent_id)
        )
        assert version_id is not None
        session.add(
            Run(
                workspace_id=account.workspace_id,
                agent_id=agent_id,
                agent_version_id=version_id,
                status="succeeded",
                input={"text": "x"},
                created_at=created_at,
                tokens_in=tokens[0],
                tokens_out=tokens[1],
                cost_usd=Decimal(cost),
                model=model,
                provider_id=None,
                demo=demo,
            )
        )
        await session.commit()


@dataclass
class Metered:
    """A workspace with two agents and runs over two days and two models (and none)."""

    account: Account
    reviewer: str
    tester: str


@pytest.fixture
async def metered(app: FastAPI, client: httpx.AsyncClient, sign_up) -> Metered:
    account = await sign_up()
    reviewer = await catalog_agent(client, account.workspace_id, "code-review")
    tester = await catalog_agent(client, account.workspace_id, "testing-validation")
    runs = [
        (reviewer, at(FIRST_DAY, 9), (100, 50), "0.10000000", "qwen3-8b"),
        (reviewer, at(FIRST_DAY, 23, 59, 59), (200, 80), "0.20000000", "gpt-4o"),
        (reviewer, at(SECOND_DAY), (300, 120), "0.00000001", "gpt-4o"),
        (tester, at(SECOND_DAY, 18, 30), (10, 5), "1.23456789", None),
    ]
    for agent_id, created_at, tokens, cost, model in runs:
        await add_run(
            app, account, agent_id, created_at=created_at, tokens=tokens, cost=cost, model=model
        )
    # Never counted: a demo run, and runs just before and just after the range.
    demo_at = at(FIRST_DAY, 12)
    await add_run(app, account, reviewer, created_at=demo_at, tokens=(99, 99), cost="5", demo=True)
    before = at(FIRST_DAY) - timedelta(microseconds=1)
    await add_run(app, account, reviewer, created_at=before, tokens=(7, 7), cost="7")
    after = at(SECOND_DAY + timedelta(days=1))
    await add_run(app, account, tester, created_at=after, tokens=(8, 8), cost="8")
    return Metered(account=account, reviewer=reviewer, tester=tester)


async def get_report(client: httpx.AsyncClient, workspace_id: str, **query: str) -> dict:
    response = await client.get(usage_url(workspace_id), params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def row(key: str, runs: int, tokens_in: int, tokens_out: int, cost: str, name=None) -> dict:
    return {
        "key": key,
        "name": name,
        "runs": runs,
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "cost_usd": cost,
    }


TOTALS = {"runs": 4, "tokens_in": 610, "tokens_out": 255, "cost_usd": "1.53456790"}


async def test_usage_per_day_counts_each_run_on_its_utc_day(
    client: httpx.AsyncClient, metered: Metered
) -> None:
    report = await get_report(client, metered.account.workspace_id, **RANGE, group_by="day")

    assert report["from"] == "2026-03-10"
    assert report["to"] == "2026-03-11"
    assert report["group_by"] == "day"
    assert report["rows"] == [
        row("2026-03-10", 2, 300, 130, "0.30000000"),
        row("2026-03-11", 2, 310, 125, "1.23456790"),
    ]
    assert report["totals"] == TOTALS


async def test_usage_per_agent_names_each_agent(
    client: httpx.AsyncClient, metered: Metered
) -> None:
    report = await get_report(client, metered.account.workspace_id, **RANGE, group_by="agent")

    expected = [
        row(metered.reviewer, 3, 600, 250, "0.30000001", name="Code Review"),
        row(metered.tester, 1, 10, 5, "1.23456789", name="Testing and Validation"),
    ]
    assert report["rows"] == sorted(expected, key=lambda item: item["key"])
    assert report["totals"] == TOTALS


async def test_usage_per_model_puts_runs_without_one_under_unknown(
    client: httpx.AsyncClient, metered: Metered
) -> None:
    report = await get_report(client, metered.account.workspace_id, **RANGE, group_by="model")

    assert report["rows"] == [
        row("gpt-4o", 2, 500, 200, "0.20000001"),
        row("qwen3-8b", 1, 100, 50, "0.10000000"),
        row("unknown", 1, 10, 5, "1.23456789"),
    ]
    assert report["totals"] == TOTALS


async def test_a_day_ends_at_midnight_utc(client: httpx.AsyncClient, metered: Metered) -> None:
    workspace_id = metered.account.workspace_id

    first = await get_report(client, workspace_id, **{"from": "2026-03-10", "to": "2026-03-10"})
    second = await get_report(client, workspace_id, **{"from": "2026-03-11", "to": "2026-03-11"})

    # 23:59:59 belongs to the first day, 00:00:00 to the second.
    assert first["rows"] == [row("2026-03-10", 2, 300, 130, "0.30000000")]
    assert second["rows"] == [row("2026-03-11", 2, 310, 125, "1.23456790")]


async def test_by_default_the_last_30_days_ending_today_count(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    account = await sign_up()
    agent_id = await catalog_agent(client, account.workspace_id, "code-review")
    today = clock.now.date()
    first_day = today - timedelta(days=29)
    await add_run(app, account, agent_id, created_at=clock.now, tokens=(1, 2), cost="0.5")
    await add_run(app, account, agent_id, created_at=at(first_day), tokens=(3, 4), cost="0.25")
    too_old = at(first_day) - timedelta(seconds=1)
    await add_run(app, account, agent_id, created_at=too_old, tokens=(100, 100), cost="9")

    report = await get_report(client, account.workspace_id)

    assert (report["from"], report["to"]) == (first_day.isoformat(), today.isoformat())
    assert report["group_by"] == "day"
    assert report["rows"] == [
        row(first_day.isoformat(), 1, 3, 4, "0.25000000"),
        row(today.isoformat(), 1, 1, 2, "0.50000000"),
    ]
    assert report["totals"] == {
        "runs": 2,
        "tokens_in": 4,
        "tokens_out": 6,
        "cost_usd": "0.75000000",
    }


async def test_an_empty_range_has_no_rows_and_zero_totals(
    client: httpx.AsyncClient, metered: Metered
) -> None:
    report = await get_report(
        client, metered.account.workspace_id, **{"from": "2025-01-01", "to": "2025-01-31"}
    )

    assert report["rows"] == []
    assert report["totals"] == {
        "runs": 0,
        "tokens_in": 0,
        "tokens_out": 0,
        "cost_usd": "0.00000000",
    }


def parse_csv(response: httpx.Response, workspace_id: str) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="usage-{workspace_id}-2026-03-10-2026-03-11.csv"'
    )
    reader = csv.reader(io.StringIO(response.text))
    header, *rows = list(reader)
    assert header == ["key", "name", "runs", "tokens_in", "tokens_out", "cost_usd"]
    return [dict(zip(header, cells, strict=True)) for cells in rows]


def as_csv_cells(json_row: dict) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in json_row.items()}


@pytest.mark.parametrize("group_by", ["day", "agent", "model"])
async def test_the_csv_export_holds_the_same_rows_as_json(
    client: httpx.AsyncClient, metered: Metered, group_by: str
) -> None:
    workspace_id = metered.account.workspace_id
    report = await get_report(client, workspace_id, **RANGE, group_by=group_by)
    url = usage_url(workspace_id)

    by_parameter = await client.get(url, params={**RANGE, "group_by": group_by, "format": "csv"})
    by_accept = await client.get(
        url, params={**RANGE, "group_by": group_by}, headers={"Accept": "text/csv"}
    )

    expected = [as_csv_cells(json_row) for json_row in report["rows"]]
    assert len(expected) >= 2
    assert parse_csv(by_parameter, workspace_id) == expected
    assert parse_csv(by_accept, workspace_id) == expected


async def test_json_stays_the_answer_unless_csv_is_preferred(
    client: httpx.AsyncClient, metered: Metered
) -> None:
    url = usage_url(metered.account.workspace_id)
    prefers_json = {"Accept": "application/json, text/csv;q=0.5"}
    prefers_csv = {"Accept": "application/json;q=0.5, text/csv"}

    answers = [
        await client.get(url, params=RANGE, headers={"Accept": "*/*"}),
        await client.get(url, params=RANGE, headers=prefers_json),
        await client.get(url, params={**RANGE, "format": "json"}, headers=prefers_csv),
        await client.get(url, params=RANGE, headers=prefers_csv),
    ]

    types = [answer.headers["content-type"] for answer in answers]
    assert types == ["application/json"] * 3 + ["text/csv; charset=utf-8"]


async def test_csv_cells_cannot_run_as_spreadsheet_formulas(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    workspace_id = metered.account.workspace_id
    renamed = await client.patch(
        f"/api/v1/workspaces/{workspace_id}/agents/{metered.tester}", json={"name": "=cmd"}
    )
    assert renamed.status_code == 200, renamed.text
    await add_run(
        app, metered.account, metered.tester, created_at=at(FIRST_DAY, 8), model="@SUM(1+1)"
    )
    url = usage_url(workspace_id)

    by_agent = parse_csv(
        await client.get(url, params={**RANGE, "group_by": "agent", "format": "csv"}), workspace_id
    )
    by_model = parse_csv(
        await client.get(url, params={**RANGE, "group_by": "model", "format": "csv"}), workspace_id
    )
    report = await get_report(client, workspace_id, **RANGE, group_by="agent")

    assert {cells["key"]: cells["name"] for cells in by_agent}[metered.tester] == "'=cmd"
    assert {cells["key"] for cells in by_model} == {"'@SUM(1+1)", "gpt-4o", "qwen3-8b", "unknown"}
    # The JSON answer keeps the name as it is.
    assert {item["key"]: item["name"] for item in report["rows"]}[metered.tester] == "=cmd"


@pytest.mark.parametrize(
    ("first_day", "last_day"),
    [
        (date(2026, 3, 11), date(2026, 3, 10)),
        (date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=399)),
        (date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=366)),
    ],
    ids=["to-before-from", "400-days", "367-days"],
)
async def test_a_backwards_or_too_long_range_is_refused(
    client: httpx.AsyncClient, sign_up, first_day: date, last_day: date
) -> None:
    account = await sign_up()

    response = await client.get(
        usage_url(account.workspace_id),
        params={"from": first_day.isoformat(), "to": last_day.isoformat()},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:validation-failed"
    assert [(error["in"], error["name"]) for error in problem["errors"]] == [("query", "from")]


async def test_a_range_of_366_days_is_allowed(client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    last_day = date(2025, 1, 1) + timedelta(days=365)

    report = await get_report(
        client, account.workspace_id, **{"from": "2025-01-01", "to": last_day.isoformat()}
    )

    assert report["to"] == "2026-01-01"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "9999-12-31"}, "to"),  # the midnight after it is not a date
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
        ({"to": "0001-01-05"}, "to"),  # its default `from` would be before year 1
        ({"from": "0001-01-01", "to": "0001-01-30"}, "from"),
        ({"from": "1969-12-31"}, "from"),
    ],
    ids=["to-last-date", "from-last-date", "to-year-1", "from-year-1", "before-epoch"],
)
async def test_a_day_no_report_can_cover_is_refused(
    client: httpx.AsyncClient, sign_up, query: dict[str, str], field: str
) -> None:
    account = await sign_up()

    response = await client.get(usage_url(account.workspace_id), params=query)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:validation-failed"
    assert [(error["in"], error["name"]) for error in problem["errors"]] == [("query", field)]


async def test_the_last_day_a_report_can_cover_is_counted(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()

    report = await get_report(
        client, account.workspace_id, **{"from": "9999-12-01", "to": "9999-12-30"}
    )
    csv_export = await client.get(
        usage_url(account.workspace_id),
        params={"from": "1970-01-01", "to": "1970-01-31", "format": "csv"},
    )

    assert (report["from"], report["to"], report["totals"]["runs"]) == (
        "9999-12-01",
        "9999-12-30",
        0,
    )
    assert csv_export.status_code == 200, csv_export.text


async def test_another_workspace_usage_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    url = usage_url(metered.account.workspace_id)
    async with browser_client(app) as intruder:
        signed = await intruder.post(
            "/api/v1/auth/signup",
            json={"email": "eve@example.com", "password": STRONG_PASSWORD, "display_name": "Eve"},
        )
        assert signed.status_code == 201, signed.text

        refused = await intruder.get(url, params=RANGE)
        refused_csv = await intruder.get(url, params={**RANGE, "format": "csv"})

    assert (await client.get(url, params=RANGE)).status_code == 200
    for response in (refused, refused_csv):
        assert response.status_code == 404
        assert response.json()["type"] == "urn:luna:problem:not-found"
        assert "cost_usd" not in response.text


async def api_key(client: httpx.AsyncClient, workspace_id: str, scope: str) -> str:
    created = await client.post(
        f"/api/v1/workspaces/{workspace_id}/api-keys", json={"name": scope, "scopes": [scope]}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


async def test_an_api_key_needs_the_runs_read_scope(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    workspace_id = metered.account.workspace_id
    agents_only = await api_key(client, workspace_id, "agents:read")
    runs_reader = await api_key(client, workspace_id, "usage:read")
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://api") as sdk:
        refused = await sdk.get(
            usage_url(workspace_id),
            params=RANGE,
            headers={"Authorization": f"Bearer {agents_only}"},
        )
        allowed = await sdk.get(
            usage_url(workspace_id),
            params=RANGE,
            headers={"Authorization": f"Bearer {runs_reader}"},
        )

    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:luna:problem:forbidden"
    assert allowed.status_code == 200
    assert allowed.json()["totals"] == TOTALS
