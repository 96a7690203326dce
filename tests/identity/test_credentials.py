"""Authentication and the API budgets read a request's credential in one place, the
same way: a bearer token wins over the session cookie, and its shape says whether it is
a Luna API key or an identity provider's token."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from luna.identity.credentials import Credential, presented_credential

COOKIE = "luna_session"


def read(**headers: str) -> Credential | None:
    return presented_credential(Headers(headers), session_cookie=COOKIE)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"authorization": "Bearer luna_sk_abc"}, Credential("api-key", "luna_sk_abc")),
        ({"authorization": "bearer   luna_sk_abc  "}, Credential("api-key", "luna_sk_abc")),
        ({"authorization": "Bearer eyJ.a.b"}, Credential("identity-token", "eyJ.a.b")),
        ({"cookie": f"other=1; {COOKIE}=tok"}, Credential("session", "tok")),
        # A bearer token wins over the cookie, as the API's caller means it to.
        (
            {"authorization": "Bearer luna_sk_abc", "cookie": f"{COOKIE}=tok"},
            Credential("api-key", "luna_sk_abc"),
        ),
        # Another scheme, or an empty bearer, is no bearer token: the cookie counts.
        (
            {"authorization": "Basic dXNlcg==", "cookie": f"{COOKIE}=tok"},
            Credential("session", "tok"),
        ),
        ({"authorization": "Bearer ", "cookie": f"{COOKIE}=tok"}, Credential("session", "tok")),
        ({"authorization": "Bearer"}, None),
        ({"cookie": f"{COOKIE}="}, None),
        ({}, None),
    ],
)
def test_the_presented_credential(headers: dict[str, str], expected: Credential | None) -> None:
    assert read(**headers) == expected
