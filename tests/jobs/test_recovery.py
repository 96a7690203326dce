"""Which gone workers a live one recovers: the holders of the leases it claims at every
lease round, and, on sweeps only, executors holding pending work with no lease at all
(a sweep lists every pending workflow, so rounds make one only now and then)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from dbos import DBOS
from fastapi import FastAPI

from luna.db.base import utcnow
from luna.jobs import leases
from luna.jobs.engine import JobEngine

pytestmark = pytest.mark.anyio


@pytest.fixture
def dbos_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """DBOS's listing and recovery, replaced: pending work of ``orphan`` and ``alive``."""
    calls: dict[str, list[Any]] = {"listed": [], "recovered": []}

    async def list_workflows_async(**filters: Any) -> list[SimpleNamespace]:
        calls["listed"].append(filters)
        return [SimpleNamespace(executor_id=name) for name in ("orphan", "alive", None)]

    def recover(executors: list[str]) -> None:
        calls["recovered"].append(executors)

    monkeypatch.setattr(DBOS, "list_workflows_async", list_workflows_async)
    monkeypatch.setattr(DBOS, "_recover_pending_workflows", recover)
    return calls


@pytest.fixture
async def engine(app: FastAPI) -> JobEngine:
    factory = app.state.resources.session_factory
    now = utcnow()
    engine = JobEngine(app.state.settings, factory, clock=lambda: now)
    lease = app.state.settings.worker_lease_seconds
    long_ago = now - timedelta(seconds=lease + 1)
    await leases.take_lease(factory, executor_id="crashed", host="a", pid=1, now=long_ago)
    await leases.take_lease(factory, executor_id="alive", host="b", pid=2, now=now)
    return engine


async def test_a_lease_round_recovers_claimed_leases_without_listing_workflows(
    engine: JobEngine, dbos_calls: dict[str, list[Any]]
) -> None:
    assert await engine.recover_gone_workers(sweep=False) == ["crashed"]
    assert dbos_calls == {"listed": [], "recovered": [["crashed"]]}


async def test_a_sweep_also_recovers_work_whose_executor_has_no_lease(
    engine: JobEngine, dbos_calls: dict[str, list[Any]]
) -> None:
    assert await engine.recover_gone_workers(sweep=True) == ["crashed", "orphan"]
    assert len(dbos_calls["listed"]) == 1
    assert dbos_calls["recovered"] == [["crashed", "orphan"]]
    # The crashed worker's lease was claimed once; the stand-in listing still shows the
    # orphaned work, which is all the next sweep finds.
    dbos_calls["recovered"].clear()
    assert await engine.recover_gone_workers(sweep=True) == ["orphan"]
