"""Property-based fuzzing of the whole API from its own OpenAPI document.

Schemathesis generates requests for every operation, valid and invalid, and sends them
to the app in-process, signed in as a real user of a real workspace. No request may
produce a 5xx, and every response must match the documented status codes, content
types and schemas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from luna.app import create_app
from luna.settings import Settings
from tests.accounts import STRONG_PASSWORD


@schemathesis.serializer("application/x-ndjson")
def _json_lines(context: Any, value: Any) -> bytes:
    """A JSON Lines body (the import of eval cases) is documented as a string."""
    return value.encode() if isinstance(value, str) else str(value).encode()


# Generous limits: the fuzzer, not the rate limiter, is under test here.
FUZZ_OVERRIDES = {"api_rate_limit": "100000/minute", "auth_rate_limit": "100000/minute"}


@pytest.fixture
def fuzz_app(settings: Settings) -> FastAPI:
    values = settings.model_dump() | FUZZ_OVERRIDES
    return create_app(Settings.model_validate(values))


@pytest.fixture
def signed_in(fuzz_app: FastAPI) -> Iterator[asgi.ASGIClient]:
    """A browser-like client signed in to a fresh account, with its workspace id."""
    settings: Settings = fuzz_app.state.settings
    with asgi.get_client(fuzz_app) as client:
        client.headers["Origin"] = str(settings.public_url).rstrip("/")
        response = client.post(
            "/api/v1/auth/signup",
            json={"email": "fuzz@example.com", "password": STRONG_PASSWORD, "display_name": "F"},
        )
        assert response.status_code == 201, response.text
        client.workspace_id = response.json()["teams"][0]["workspaces"][0]["id"]  # type: ignore[attr-defined]
        yield client


# The document does not depend on the database, so it is built once, at collection.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(secret_key="x" * 40, _env_file=None)).openapi()  # type: ignore[call-arg]
)
# A body over the size limit is refused before it is read (413, a problem document): that
# refuses invalid data as surely as a 422, for a text field whose longest valid value,
# written with JSON escapes, can exceed the limit.
_rejection = schema.config.checks.negative_data_rejection
_rejection.expected_statuses = [*_rejection.expected_statuses, "413"]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_never_fails_and_matches_its_schema(case: Any, signed_in: asgi.ASGIClient) -> None:
    generated = (case.path_parameters or {}).get("workspace_id")
    # About half the cases reach the caller's own workspace, so the authorised code runs too.
    if generated is not None and re.fullmatch(r"[a-m].*", str(generated) or "a"):
        case.path_parameters["workspace_id"] = signed_in.workspace_id  # type: ignore[attr-defined]
    case.call_and_validate(
        session=signed_in,
        base_url=f"http://{asgi.HOST}",
        # Schema-valid input may still break a business rule (a common password, an
        # expiry in the past) and be refused with a 4xx problem; that is not a defect.
        excluded_checks=[positive_data_acceptance],
    )
