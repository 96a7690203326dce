"""Firing schedules: each due time once, missed times once in all after an outage, two
workers never twice, a run per fire (or why none ran), and the time zone's clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.runs.models import Run
from luna.schedules.firing import Firing, fire_due_schedules
from luna.schedules.models import ScheduleFire
from luna.schedules.timing import next_fires
from tests.accounts import Account, MovableClock
from tests.agents.test_routes import DEFINITION, create_agent

pytestmark = pytest.mark.anyio


def schedules_url(workspace_id: str, *parts: object) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/schedules", *map(str, parts)])


def firing_of(app: FastAPI) -> Firing:
    resources = app.state.resources
    return Firing(
        session_factory=resources.session_factory,
        keyring=app.state.keyring,
        workflows=resources.workflows,
    )


async def every_minute(client: httpx.AsyncClient, account: Account, **body: object) -> dict:
    agent = await create_agent(client, account.workspace_id, name="Reporter", definition=DEFINITION)
    created = await client.post(
        schedules_url(account.workspace_id),
        json={
            "name": "Every minute",
            "target_type": "agent",
            "target_id": agent["id"],
            "input": "Report",
            "cron": "* * * * *",
            **body,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


async def fires_of(app: FastAPI, schedule_id: str) -> list[ScheduleFire]:
    async with app.state.resources.session_factory() as session:
        rows = await session.scalars(
            select(ScheduleFire)
            .where(ScheduleFire.schedule_id == schedule_id)
            .order_by(ScheduleFire.due_at)
        )
        return list(rows)


async def test_each_tick_fires_once_and_an_outage_fires_once_in_all(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock, local_model
) -> None:
    account = await sign_up()
    await local_model(account)
    schedule = await every_minute(client, account)
    first_due = datetime.fromisoformat(schedule["next_fire_at"])
    assert first_due == clock.now + timedelta(minutes=1)
    firing = firing_of(app)

    # Each minute's tick fires that minute once, however often it looks.
    for minute in (1, 2):
        now = clock.now + timedelta(minutes=minute, seconds=5)
        assert await fire_due_schedules(firing, now) == 1
        assert await fire_due_schedules(firing, now) == 0
    # Every worker down for two minutes: the next tick fires once for the three missed.
    later = clock.now + timedelta(minutes=5, seconds=5)
    assert await fire_due_schedules(firing, later) == 1
    assert await fire_due_schedules(firing, later + timedelta(seconds=20)) == 0

    fires = await fires_of(app, schedule["id"])
    assert [fire.covered for fire in fires] == [1, 1, 3]
    assert [fire.due_at for fire in fires] == [
        first_due,
        first_due + timedelta(minutes=1),
        first_due + timedelta(minutes=2),
    ]
    assert all(fire.run_id for fire in fires)
    async with app.state.resources.session_factory() as session:
        runs = await session.scalar(
            select(func.count()).select_from(Run).where(Run.workspace_id == account.workspace_id)
        )
    assert runs == 3
    shown = (await client.get(schedules_url(account.workspace_id, schedule["id"]))).json()
    assert datetime.fromisoformat(shown["next_fire_at"]) == first_due + timedelta(minutes=5)
    assert len(shown["recent_fires"]) == 3


async def test_two_workers_at_once_fire_a_due_time_once(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock, local_model
) -> None:
    account = await sign_up()
    await local_model(account)
    schedule = await every_minute(client, account)
    now = clock.now + timedelta(minutes=1, seconds=1)
    counts = await asyncio.gather(*(fire_due_schedules(firing_of(app), now) for _ in range(4)))
    assert sum(counts) == 1
    assert len(await fires_of(app, schedule["id"])) == 1


async def test_a_fire_that_cannot_start_a_run_records_why(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock, local_model
) -> None:
    account = await sign_up()
    await local_model(account)
    schedule = await every_minute(client, account)
    archived = await client.patch(
        f"/api/v1/workspaces/{account.workspace_id}/agents/{schedule['target_id']}",
        json={"status": "archived"},
    )
    assert archived.status_code == 200
    assert await fire_due_schedules(firing_of(app), clock.now + timedelta(minutes=1, seconds=1))
    [fire] = await fires_of(app, schedule["id"])
    assert fire.run_id is None
    assert "archived" in (fire.error or "")


async def test_paused_schedules_do_not_fire_and_resume_at_their_next_time(
    app: FastAPI, client: httpx.AsyncClient, sign_up, clock: MovableClock, local_model
) -> None:
    account = await sign_up()
    await local_model(account)
    schedule = await every_minute(client, account)
    url = schedules_url(account.workspace_id, schedule["id"])
    paused = (await client.patch(url, json={"paused": True})).json()
    assert (paused["next_fire_at"], paused["next_fires"]) == (None, [])
    assert await fire_due_schedules(firing_of(app), clock.now + timedelta(minutes=10)) == 0
    clock.advance(minutes=10)
    resumed = (await client.patch(url, json={"paused": False})).json()
    assert datetime.fromisoformat(resumed["next_fire_at"]) == clock.now + timedelta(minutes=1)
    assert len(resumed["next_fires"]) == 5


def test_cron_times_follow_the_time_zone_across_daylight_saving() -> None:
    # Paris moves its clocks forward on 28 March 2027: 9:00 there is 8:00 UTC, then 7:00.
    times = next_fires("0 9 * * *", "Europe/Paris", datetime(2027, 3, 26, 12, tzinfo=UTC), 4)
    assert [(t.day, t.hour) for t in times] == [(27, 8), (28, 7), (29, 7), (30, 7)]
    assert all(t.tzinfo is UTC for t in times)


async def test_bad_timing_and_targets_are_refused_by_field(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    agent = await create_agent(client, account.workspace_id, name="Mornings", definition=DEFINITION)
    body = {"name": "9:00 Paris", "target_type": "agent", "target_id": agent["id"], "input": "Hi"}
    made = await client.post(
        schedules_url(account.workspace_id),
        json={**body, "cron": "0 9 * * *", "timezone": "Europe/Paris"},
    )
    assert made.status_code == 201, made.text
    times = [datetime.fromisoformat(t) for t in made.json()["next_fires"]]
    assert len(times) == 5
    assert all(t.astimezone(ZoneInfo("Europe/Paris")).hour == 9 for t in times)
    for bad, pointer in (
        ({"cron": "61 * * * *"}, "#/cron"),
        ({"cron": "0 0 * * * *"}, "#/cron"),
        ({"cron": "0 9 * * *", "timezone": "Mars/Olympus"}, "#/timezone"),
        ({"once_at": "2020-01-01T00:00:00Z"}, "#/once_at"),
    ):
        refused = await client.post(
            schedules_url(account.workspace_id), json={**body, "name": "Bad", **bad}
        )
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["pointer"] == pointer
    elsewhere = await client.post(
        schedules_url(account.workspace_id),
        json={**body, "name": "Else", "target_id": "agt_elsewhere", "cron": "0 9 * * *"},
    )
    assert elsewhere.status_code == 422
    twice = await client.post(
        schedules_url(account.workspace_id), json={**body, "cron": "0 10 * * *"}
    )
    assert twice.status_code == 409
