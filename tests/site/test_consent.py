"""The cookie choice of signed-in users, stored on their account."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts import MovableClock
from tests.usage.test_metering import api_key

pytestmark = pytest.mark.anyio

URL = "/api/v1/me/consent"


async def test_a_choice_is_stored_and_read_back(
    client: httpx.AsyncClient, sign_up, clock: MovableClock
) -> None:
    await sign_up()
    before = await client.get(URL)
    saved = await client.put(URL, json={"analytics": True, "marketing": False})
    after = await client.get(URL)

    assert before.status_code == 200
    assert before.json() == {"signed_in": True, "choice": None}
    assert saved.status_code == 200
    choice = after.json()["choice"]
    assert (choice["analytics"], choice["marketing"]) == (True, False)
    assert choice["updated_at"].startswith(clock.now.strftime("%Y-%m-%dT%H:%M:%S"))
    assert saved.json() == after.json()


async def test_a_new_choice_replaces_the_old_one(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up()
    await client.put(URL, json={"analytics": True, "marketing": True})
    await client.put(URL, json={"analytics": False, "marketing": False})

    choice = (await client.get(URL)).json()["choice"]
    assert (choice["analytics"], choice["marketing"]) == (False, False)


async def test_each_user_has_their_own_choice(client: httpx.AsyncClient, sign_up) -> None:
    await sign_up("ada@example.com")
    await client.put(URL, json={"analytics": True, "marketing": True})
    client.cookies.clear()
    await sign_up("bob@example.com")

    assert (await client.get(URL)).json() == {"signed_in": True, "choice": None}


@pytest.mark.parametrize(
    "body",
    [
        {"analytics": True},
        {"analytics": "yes", "marketing": False},
        {"analytics": True, "marketing": False, "necessary": False},
    ],
)
async def test_a_bad_choice_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, sign_up, body: dict[str, object]
) -> None:
    await sign_up()
    refused = await client.put(URL, json=body)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await client.get(URL)).json() == {"signed_in": True, "choice": None}


async def test_signed_out_visitors_and_api_keys_have_no_account_choice(
    client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    key = await api_key(client, account.workspace_id, "agents:read")
    client.cookies.clear()

    signed_out = await client.get(URL)
    with_key = await client.put(
        URL,
        json={"analytics": True, "marketing": True},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert signed_out.status_code == 200  # a visitor's choice lives in a cookie
    assert signed_out.json() == {"signed_in": False, "choice": None}
    assert (await client.put(URL, json={"analytics": True, "marketing": True})).status_code == 401
    assert with_key.status_code == 403
