"""What a request presents as its credential, read in one place.

Authentication (:mod:`luna.identity.principal`) and the per-caller API budgets
(:mod:`luna.identity.api_budgets`, which run in the rate-limit middleware before any
route) both need to know which credential a request carries. They read it here, so that
they never disagree on it: an ``Authorization: Bearer`` header wins over the session
cookie; a bearer token shaped like a Luna API key is an API key, any other is an
identity provider's token (a JWT) for the route to verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from luna.identity.api_keys import looks_like_api_key

CredentialKind = Literal["api-key", "identity-token", "session"]


@dataclass(frozen=True)
class Credential:
    """A credential as presented, not yet verified."""

    kind: CredentialKind
    secret: str


def bearer_token(headers: Headers) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if there is one."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def presented_credential(headers: Headers, *, session_cookie: str) -> Credential | None:
    """The request's credential: its bearer token, else its session cookie, else none."""
    token = bearer_token(headers)
    if token is not None:
        return Credential("api-key" if looks_like_api_key(token) else "identity-token", token)
    cookie = cookie_parser(headers.get("cookie", "")).get(session_cookie)
    return Credential("session", cookie) if cookie else None
