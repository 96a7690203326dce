"""Double submission: two identical requests at once never answer 500, and what must be
unique is created once.

Sign-up (users' emails) and agent and provider names in a workspace answer one success
and one 409 problem. Accepting one invitation twice claims it once (the other request
finds the link used); enrolling an authenticator twice keeps one. Whatever route breaks
a unique constraint, primary key or unique index, the answer is a 409 problem, checked
at the end with real errors of each database. (Team, workspace, API key and share-link
names are not unique: two identical requests create two.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from luna.agents.models import Agent
from luna.identity.models import TotpFactor, User
from luna.notifications.models import OutboxEmail
from luna.providers.models import Provider
from luna.tenancy.models import Invitation, Membership, Workspace
from tests.accounts import STRONG_PASSWORD, Account, emailed_token
from tests.conftest import browser_client

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


async def race(send: Callable[[], Awaitable[httpx.Response]]) -> list[httpx.Response]:
    """The same request twice at once, answers sorted by status."""
    first, second = await asyncio.gather(send(), send())
    return sorted([first, second], key=lambda response: response.status_code)


def assert_one_wins(responses: list[httpx.Response], success: int) -> dict[str, Any]:
    """One success and one 409 problem; the problem, for the caller to inspect."""
    statuses = [response.status_code for response in responses]
    assert statuses == [success, 409], [response.text for response in responses]
    refused = responses[1]
    assert refused.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = refused.json()
    assert problem["type"] == "urn:luna:problem:conflict"
    assert problem["status"] == 409
    return problem


async def count(app: FastAPI, model: type, *conditions: object) -> int:
    async with app.state.resources.session_factory() as session:
        statement = select(func.count()).select_from(model).where(*conditions)  # type: ignore[arg-type]
        return int(await session.scalar(statement) or 0)


async def test_two_sign_ups_with_one_email(app: FastAPI, client: httpx.AsyncClient) -> None:
    body = {"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "Ada"}

    responses = await race(lambda: client.post("/api/v1/auth/signup", json=body))

    problem = assert_one_wins(responses, 201)
    assert "email" in problem["detail"]
    assert await count(app, User) == 1


async def test_two_agents_with_one_name(app: FastAPI, client: httpx.AsyncClient, sign_up) -> None:
    account = await sign_up()
    url = f"/api/v1/workspaces/{account.workspace_id}/agents"
    body = {"name": "Calc", "definition": {"instructions": "Answer briefly.", "tools": []}}

    responses = await race(lambda: client.post(url, json=body))

    assert_one_wins(responses, 201)
    assert await count(app, Agent, Agent.name == "Calc") == 1


async def test_two_providers_with_one_name(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    url = f"/api/v1/workspaces/{account.workspace_id}/providers"
    body = {"name": "Ollama", "kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1"}

    responses = await race(lambda: client.post(url, json=body))

    assert_one_wins(responses, 201)
    assert await count(app, Provider, Provider.name == "Ollama") == 1


async def test_two_invitations_of_one_address(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    """Both requests would find no pending invitation if each looked before the other
    wrote: the look happens under the team's lock, so one invitation and one email."""
    owner = await sign_up()
    url = f"/api/v1/teams/{owner.team_id}/invitations"

    responses = await race(
        lambda: client.post(url, json={"email": "bob@example.com", "role": "member"})
    )

    problem = assert_one_wins(responses, 201)
    assert "pending invitation" in problem["detail"]
    assert await count(app, Invitation, Invitation.email == "bob@example.com") == 1
    assert await count(app, OutboxEmail, OutboxEmail.to_address == "bob@example.com") == 1


async def test_one_invitation_accepted_twice_at_once(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up("owner@example.com")
    invited = await client.post(
        f"/api/v1/teams/{owner.team_id}/invitations",
        json={"email": "bob@example.com", "role": "member"},
    )
    assert invited.status_code == 201, invited.text
    token = await emailed_token(app, "bob@example.com", "invitation")
    async with browser_client(app) as bob:
        signed = await bob.post(
            "/api/v1/auth/signup",
            json={"email": "bob@example.com", "password": STRONG_PASSWORD, "display_name": "Bob"},
        )
        assert signed.status_code == 201, signed.text

        responses = await race(
            lambda: bob.post("/api/v1/invitations/accept", json={"token": token})
        )

    # The invitation is claimed before the membership is written: the second request
    # finds it used, the answer the route gives any used link (422, not a 500).
    assert [response.status_code for response in responses] == [200, 422]
    assert responses[1].json()["detail"] == "This invitation was already used."
    assert await count(app, Membership, Membership.team_id == owner.team_id) == 2


async def test_two_authenticator_enrolments_at_once(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account: Account = await sign_up()

    responses = await race(lambda: client.post("/api/v1/auth/mfa/totp/enrol"))

    # An unconfirmed enrolment may be replaced: the later request wins when the two do
    # not overlap in the database, and is refused with 409 when they do.
    statuses = [response.status_code for response in responses]
    assert statuses in ([201, 201], [201, 409]), [response.text for response in responses]
    assert await count(app, TotpFactor, TotpFactor.user_id == account.user_id) == 1


# Whichever route breaks a unique constraint, the answer is 409: the handler is checked
# here with real database errors, from both SQLite and PostgreSQL.


def duplicates(account: Account) -> dict[str, Callable[[], Any]]:
    """Rows that break a unique constraint, a primary key or a unique index of the rows
    a sign-up creates (the user, their team and workspace), by what they break."""
    return {
        "email": lambda: User(email=account.email, display_name="Ada", password_hash="x"),
        "primary-key": lambda: TotpFactor(user_id=account.user_id, secret_encrypted="x"),
        "demo-workspace": lambda: Workspace(team_id=account.team_id, name="Demo", demo=True),
        "agent-name": lambda: Agent(workspace_id=account.workspace_id, name="Calc"),
    }


@pytest.fixture
def store(app: FastAPI) -> Callable[[Callable[[], Any]], Awaitable[None]]:
    """Commit a new row in a session of its own, as a service would."""

    async def commit(make: Callable[[], Any]) -> None:
        async with app.state.resources.session_factory() as session:
            session.add(make())
            await session.commit()

    return commit


@pytest.mark.parametrize(
    ("case", "fields"),
    [
        ("email", ["email"]),
        ("primary-key", ["user_id"]),
        ("demo-workspace", ["team_id"]),
        ("agent-name", ["name"]),
    ],
)
async def test_a_broken_unique_constraint_anywhere_is_a_409_problem(
    app: FastAPI, client: httpx.AsyncClient, sign_up, store, case: str, fields: list[str]
) -> None:
    account = await sign_up()
    make = duplicates(account)[case]
    if case != "email":
        await store(make)  # the first one; the user exists already

    @app.post("/test/duplicate")
    async def create_duplicate() -> None:
        await store(make)

    response = await client.post("/test/duplicate")

    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:luna:problem:conflict"
    assert (problem["reason"], problem["fields"]) == ("duplicate", fields)
    assert problem["request_id"] == response.headers["x-request-id"]


async def test_other_integrity_errors_stay_server_errors(
    app: FastAPI, client: httpx.AsyncClient, sign_up, store
) -> None:
    account = await sign_up()

    @app.post("/test/orphan")
    async def create_orphan() -> None:
        await store(lambda: Membership(team_id="team_gone", user_id=account.user_id, role="member"))

    response = await client.post("/test/orphan")

    assert response.status_code == 500
    assert response.json()["type"] == "urn:luna:problem:internal-error"
