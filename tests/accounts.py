"""Account fixtures for every test package: a movable clock, sign-up, the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from luna.deps import get_clock
from luna.notifications.models import OutboxEmail

STRONG_PASSWORD = "correct horse battery staple"


class MovableClock:
    """A clock tests move forward instead of sleeping.

    It starts at the real time (to the minute): Redis, which keeps sessions and rate
    limits in CI, expires keys by its own clock, so a test clock far in the past would
    see every session it creates expire at once."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(second=0, microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: FastAPI) -> MovableClock:
    movable = MovableClock()
    app.dependency_overrides[get_clock] = lambda: movable
    return movable


@dataclass
class Account:
    email: str
    user_id: str
    team_id: str
    workspace_id: str
    cookies: httpx.Cookies


SignUp = Callable[..., "object"]


@pytest.fixture
def sign_up(client: httpx.AsyncClient, clock: MovableClock):
    async def make(email: str = "ada@example.com", password: str = STRONG_PASSWORD) -> Account:
        response = await client.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": password, "display_name": "Ada"},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        team = body["teams"][0]
        return Account(
            email=email,
            user_id=body["user"]["id"],
            team_id=team["id"],
            workspace_id=team["workspaces"][0]["id"],
            cookies=httpx.Cookies(client.cookies),
        )

    return make


async def emailed_token(app: FastAPI, to: str, template: str) -> str:
    """The token in the newest email of a template sent to an address."""
    async with app.state.resources.session_factory() as session:
        email = await session.scalar(
            select(OutboxEmail)
            .where(OutboxEmail.to_address == to, OutboxEmail.template == template)
            .order_by(OutboxEmail.id.desc())
        )
    assert email is not None, f"no {template} email to {to}"
    match = re.search(r"token=([A-Za-z0-9_\-]+)", email.text_body)
    assert match
    return match.group(1)
