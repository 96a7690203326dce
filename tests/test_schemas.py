"""Request bodies are validated strictly: a value of the wrong JSON type answers 422,
never a guess (``true`` is not 1 day, ``"7"`` is not 7), while dates and times still
arrive as ISO 8601 text."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from tests.sharing.test_routes import shares_url, store_run

pytestmark = pytest.mark.anyio

# Bodies of the runs domain, not yet on the strict base (tracked separately).


def problem_pointers(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["pointer"] for error in response.json()["errors"]]


async def test_a_share_link_refuses_a_boolean_or_a_string_for_its_days(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    owner = await sign_up()
    run = await store_run(app, client, owner.workspace_id)
    url = shares_url(owner.workspace_id, run.id)

    for wrong in (True, "7", 7.5):
        refused = await client.post(url, json={"expires_in_days": wrong})
        assert problem_pointers(refused) == ["#/expires_in_days"], wrong

    created = await client.post(url, json={"expires_in_days": 7})
    assert created.status_code == 201, created.text
    lasts = datetime.fromisoformat(created.json()["expires_at"]) - datetime.fromisoformat(
        created.json()["created_at"]
    )
    assert lasts == timedelta(days=7)


async def test_an_api_key_takes_its_expiry_as_iso_text_only(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    url = f"/api/v1/workspaces/{account.workspace_id}/api-keys"
    body = {"name": "CI", "scopes": ["runs:read"]}

    for wrong in (1_893_456_000, True):
        refused = await client.post(url, json=body | {"expires_at": wrong})
        assert problem_pointers(refused) == ["#/expires_at"], wrong
    refused = await client.post(url, json=body | {"name": "CI", "scopes": "runs:read"})
    assert problem_pointers(refused) == ["#/scopes"]

    created = await client.post(url, json=body | {"expires_at": "2030-01-31T09:00:00Z"})
    assert created.status_code == 201, created.text
    assert created.json()["expires_at"].startswith("2030-01-31T09:00:00")


def request_models(app: FastAPI) -> set[type[BaseModel]]:
    """Every model a request body of the API is made of, nested ones included."""
    found: set[type[BaseModel]] = set()

    def visit(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.add(annotation)
                for field in annotation.model_fields.values():
                    visit(field.annotation)
            return
        for argument in typing.get_args(annotation):
            visit(argument)

    for route in api_routes(app.routes):
        if route.body_field is not None:
            visit(route.body_field.field_info.annotation)
    return found


def api_routes(routes: typing.Sequence[object]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # a router included in the app
            yield from api_routes(route.original_router.routes)


async def test_every_request_body_is_strict(app: FastAPI) -> None:
    models = request_models(app)
    assert len(models) > 30  # the walk found the API's bodies
    loose = {model.__name__ for model in models if not model.model_config.get("strict")}
    assert loose == set()
