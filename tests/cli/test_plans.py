"""``luna plans list|set`` against a real database, and a change reaching a running API."""

from __future__ import annotations

import asyncio

import anyio
import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from luna.cli.main import app as cli
from luna.cli.output import ExitCode
from luna.db.engine import create_engine, create_session_factory
from luna.plans.models import Plan
from luna.settings import Settings

runner = CliRunner()


def stored_plan(settings: Settings, plan_id: str) -> Plan:
    async def read() -> Plan:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session:
                plan = await session.get(Plan, plan_id)
                assert plan is not None
                return plan
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_list_shows_every_plan_with_its_entitlements(database: Settings) -> None:
    result = runner.invoke(cli, ["plans", "list"])

    assert result.exit_code == 0, result.output
    assert "Plans (4)" in result.output
    starter = next(line for line in result.output.splitlines() if "starter" in line)
    assert "0.00 USD/month" in starter
    assert "community" in starter
    enterprise = next(line for line in result.output.splitlines() if "enterprise" in line)
    assert "on request" in enterprise
    assert "∞" in enterprise


def test_set_changes_only_the_given_entitlements(database: Settings) -> None:
    before = stored_plan(database, "growth")

    result = runner.invoke(
        cli,
        ["plans", "set", "growth", "--runs-per-day", "500", "--seats", "unlimited", "--sso"],
    )

    assert result.exit_code == 0, result.output
    assert "Plan growth changed: runs_per_day, seats, sso." in result.output
    after = stored_plan(database, "growth")
    assert (after.runs_per_day, after.seats, after.sso) == (500, None, True)
    assert after.active_agents == before.active_agents
    assert after.api_requests_per_minute == before.api_requests_per_minute
    assert after.price_cents == before.price_cents


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--runs-per-day", "lots"], "--runs-per-day takes a whole number or 'unlimited'"),
        (["--seats", "0"], "--seats: Input should be greater than or equal to 1"),
        (["--price-cents", "-5"], "--price-cents: Input should be greater than or equal to 0"),
        ([], "nothing to change"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(
    database: Settings, arguments: list[str], message: str
) -> None:
    before = stored_plan(database, "starter")

    result = runner.invoke(cli, ["plans", "set", "starter", *arguments])

    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in " ".join(result.output.split())
    after = stored_plan(database, "starter")
    assert (after.runs_per_day, after.seats, after.price_cents) == (
        before.runs_per_day,
        before.seats,
        before.price_cents,
    )


def test_an_unknown_plan_names_the_plans_there_are(database: Settings) -> None:
    result = runner.invoke(cli, ["plans", "set", "platinum", "--seats", "5"])

    assert result.exit_code == ExitCode.USAGE
    assert "No plan 'platinum'; the plans are: starter, growth, scale, enterprise." in (
        " ".join(result.output.split())
    )


def test_a_stripe_price_already_sold_for_another_plan_is_refused(database: Settings) -> None:
    first = runner.invoke(cli, ["plans", "set", "growth", "--stripe-price-id", "price_1"])
    second = runner.invoke(cli, ["plans", "set", "scale", "--stripe-price-id", "price_1"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == ExitCode.FAILURE
    assert "Another plan already uses that Stripe price" in " ".join(second.output.split())
    assert stored_plan(database, "scale").stripe_price_id is None


@pytest.mark.anyio
async def test_a_change_reaches_a_running_api_at_once(
    database: Settings, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.redis_url is None:
        pytest.skip("needs a Redis server: set LUNA_TEST_REDIS_URL (CI sets it)")
    monkeypatch.setenv("LUNA_REDIS_URL", database.redis_url.get_secret_value())
    monkeypatch.setenv("LUNA_REDIS_NAMESPACE", database.redis_namespace)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://luna.test") as http:
        cached = (await http.get("/api/v1/plans")).json()["items"]

        result = await anyio.to_thread.run_sync(
            runner.invoke, cli, ["plans", "set", "starter", "--runs-per-day", "250"]
        )
        await asyncio.sleep(0.2)  # the invalidation travels through Redis pub/sub
        fresh = (await http.get("/api/v1/plans")).json()["items"]

    assert result.exit_code == 0, result.output
    assert cached[0]["id"] == fresh[0]["id"] == "starter"
    assert (cached[0]["runs_per_day"], fresh[0]["runs_per_day"]) == (100, 250)
