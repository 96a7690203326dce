"""Fixtures for runs: the app with a run engine executing in this process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from luna.providers.build import ResolvedModel, build_model
from luna.runs.runtime import RunRuntime
from luna.worker import executing_durable_work


@dataclass
class Worker:
    """The run engine of the test process, and the models it builds."""

    runtime: RunRuntime
    built: list[ResolvedModel]


@pytest.fixture
async def worker(app: FastAPI) -> AsyncIterator[Worker]:
    """A run engine executing the app's runs in this process (DBOS on SQLite or the
    test PostgreSQL database), stopped at the end of the test."""
    built: list[ResolvedModel] = []
    runtime = RunRuntime(
        settings=app.state.settings,
        session_factory=app.state.resources.session_factory,
        keyring=app.state.keyring,
        bus=app.state.resources.bus,
    )
    timeout = runtime.settings.run_model_timeout_seconds

    def recording_factory(resolved: ResolvedModel) -> Any:
        built.append(resolved)
        return build_model(resolved, timeout_seconds=timeout)

    runtime.model_factory = recording_factory
    async with executing_durable_work(runtime):
        yield Worker(runtime=runtime, built=built)


def runs_url(workspace_id: str, *parts: object) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/runs", *map(str, parts)])


async def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


ModelFactory = Callable[[ResolvedModel], Any]


@dataclass
class Event:
    """One server-sent event."""

    event: str
    data: Any
    id: int | None


def parse_events(body: str) -> list[Event]:
    """The events of a text/event-stream body (comments skipped)."""
    events = []
    for block in body.split("\n\n"):
        fields: dict[str, list[str]] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))
        if "event" in fields:
            event_id = fields.get("id", [None])[0]
            events.append(
                Event(
                    event=fields["event"][0],
                    data=json.loads("\n".join(fields.get("data", []))),
                    id=int(event_id) if event_id is not None else None,
                )
            )
    return events
