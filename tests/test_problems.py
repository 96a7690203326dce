"""Every error, from Luna or from the framework, is RFC 9457 problem+json."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from luna.errors import Conflict, EntitlementExceeded, NotFound

pytestmark = pytest.mark.anyio


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]
    body = response.json()
    assert body == {
        "type": "urn:luna:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/no-such-thing",
        "request_id": response.headers["x-request-id"],
    }


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["type"] == "urn:luna:problem:method-not-allowed"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("No agent agt_1."), 404, "not-found"),
        (Conflict("Name taken.", field="name"), 409, "conflict"),
        (
            EntitlementExceeded("Daily runs used up.", limit=100, used=100),
            402,
            "entitlement-exceeded",
        ),
    ],
)
async def test_luna_errors_render_with_their_data(
    app: FastAPI, client: httpx.AsyncClient, error: Exception, status: int, code: str
) -> None:
    @app.get("/test/raise")
    async def raise_it() -> None:
        raise error

    response = await client.get("/test/raise")
    assert response.status_code == status
    body = response.json()
    assert body["type"] == f"urn:luna:problem:{code}"
    assert body["detail"] == str(error)
    for key, value in getattr(error, "data", {}).items():
        assert body[key] == value


async def test_luna_error_headers_are_sent(app: FastAPI, client: httpx.AsyncClient) -> None:
    from luna.errors import RateLimited

    @app.get("/test/limited")
    async def limited() -> None:
        raise RateLimited("Slow down.", headers={"Retry-After": "30"})

    response = await client.get("/test/limited")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"


async def test_405_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/teams", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    one_session = await client.get("/api/v1/me/sessions/ses_1")
    assert one_session.headers["allow"] == "DELETE"


async def test_every_422_carries_one_title(client: httpx.AsyncClient, sign_up) -> None:
    """A field the schema refuses and a rule Luna refuses are the same kind of problem:
    they were titled "Unprocessable Entity" and "Unprocessable Content"."""
    account = await sign_up()
    agents = f"/api/v1/workspaces/{account.workspace_id}/agents"

    by_schema = await client.post(agents, json={"name": 7})
    by_rule = await client.post(agents, json={"template": "no-such-agent"})

    assert (by_schema.status_code, by_rule.status_code) == (422, 422)
    assert by_schema.json()["title"] == by_rule.json()["title"] == "Unprocessable Content"
    assert by_schema.json()["type"] == by_rule.json()["type"]
