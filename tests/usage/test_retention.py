"""Data retention: finished runs older than the plan keeps them are deleted with their
steps, active runs and unlimited plans are left alone, and the usage report (per day,
agent and model, and its CSV) is the same before and after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from luna.runs.models import Run, RunStep
from luna.settings import Settings
from luna.usage.models import UsageRollup
from luna.usage.retention import purge_expired_runs
from tests.billing.conftest import set_plan
from tests.usage.test_metering import RANGE, SECOND_DAY, Metered, add_run, at, get_report, usage_url
from tests.usage.test_metering import metered as metered  # the metered workspace, shared

pytestmark = pytest.mark.anyio

# Eight days after the metered runs: past Starter's seven days, within Growth's thirty.
NOW = at(SECOND_DAY + timedelta(days=8), 12)
EVERY_GROUPING = ("day", "agent", "model")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Teams start on Enterprise (the metered workspace has two agents); each test puts
    its team on the plan it tests."""
    return settings.model_copy(update={"default_plan": "enterprise"})


async def stored_runs(app: FastAPI, workspace_id: str) -> int:
    async with app.state.resources.session_factory() as session:
        count = await session.scalar(
            select(func.count()).select_from(Run).where(Run.workspace_id == workspace_id)
        )
    return int(count or 0)


async def reports(client: httpx.AsyncClient, workspace_id: str) -> dict[str, object]:
    wide = {"from": "2026-03-01", "to": "2026-03-31"}
    found: dict[str, object] = {
        group_by: await get_report(client, workspace_id, group_by=group_by, **wide)
        for group_by in EVERY_GROUPING
    }
    found["in-range"] = await get_report(client, workspace_id, **RANGE)
    csv = await client.get(usage_url(workspace_id), params={"format": "csv", **wide})
    found["csv"] = csv.text
    return found


async def purge(app: FastAPI, now: datetime = NOW) -> int:
    report = await purge_expired_runs(session_factory=app.state.resources.session_factory, now=now)
    return report.runs_deleted


async def test_old_runs_go_and_the_usage_report_stays_the_same(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    account = metered.account
    await set_plan(app, account.team_id, "starter")  # keeps runs seven days
    recent = NOW - timedelta(days=2)
    await add_run(app, account, metered.reviewer, created_at=recent, tokens=(1, 1), cost="1")
    before = await reports(client, account.workspace_id)
    stored_before = await stored_runs(app, account.workspace_id)

    deleted = await purge(app)

    assert deleted == stored_before - 1  # all but the run of two days ago
    assert await stored_runs(app, account.workspace_id) == 1
    assert await reports(client, account.workspace_id) == before


async def test_a_second_pass_deletes_nothing_and_counts_nothing_twice(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    account = metered.account
    await set_plan(app, account.team_id, "starter")
    await purge(app)
    after_first = await reports(client, account.workspace_id)

    assert await purge(app) == 0
    assert await reports(client, account.workspace_id) == after_first


async def test_runs_deleted_in_several_passes_add_up(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    account = metered.account
    await set_plan(app, account.team_id, "starter")
    before = await reports(client, account.workspace_id)

    # The first pass only reaches the runs of the first day, the second the rest.
    await purge(app, now=at(SECOND_DAY + timedelta(days=7), 0))
    await purge(app)

    assert await reports(client, account.workspace_id) == before
    async with app.state.resources.session_factory() as session:
        rollups = (await session.scalars(select(UsageRollup))).all()
    assert sum(rollup.runs for rollup in rollups) == 6  # the demo run is never rolled up


async def test_growth_keeps_them_longer_and_enterprise_forever(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    account = metered.account
    stored = await stored_runs(app, account.workspace_id)

    await set_plan(app, account.team_id, "growth")
    assert await purge(app) == 0  # thirty days
    await set_plan(app, account.team_id, "enterprise")
    assert await purge(app, now=NOW + timedelta(days=3650)) == 0

    assert await stored_runs(app, account.workspace_id) == stored


async def test_active_runs_and_their_steps_stay_finished_ones_go_with_theirs(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered
) -> None:
    account = metered.account
    await set_plan(app, account.team_id, "starter")
    async with app.state.resources.session_factory() as session:
        runs = list(
            await session.scalars(
                select(Run).where(Run.workspace_id == account.workspace_id).order_by(Run.id)
            )
        )
        waiting, finished = runs[0], runs[1]
        await session.execute(
            update(Run).where(Run.id == waiting.id).values(status="waiting_approval")
        )
        for run in (waiting, finished):
            session.add(
                RunStep(
                    run_id=run.id,
                    workspace_id=account.workspace_id,
                    sequence=1,
                    key="final",
                    kind="final",
                    content={"text": "x"},
                    started_at=datetime.now(UTC),
                )
            )
        await session.commit()

    await purge(app)

    async with app.state.resources.session_factory() as session:
        left = set(await session.scalars(select(Run.id)))
        steps = set(await session.scalars(select(RunStep.run_id)))
    assert waiting.id in left and finished.id not in left
    assert steps == {waiting.id}


async def test_other_teams_are_untouched(
    app: FastAPI, client: httpx.AsyncClient, metered: Metered, sign_up
) -> None:
    await set_plan(app, metered.account.team_id, "enterprise")
    client.cookies.clear()
    other = await sign_up("other@example.com")
    await set_plan(app, other.team_id, "starter")

    await purge(app)

    assert await stored_runs(app, metered.account.workspace_id) > 0
