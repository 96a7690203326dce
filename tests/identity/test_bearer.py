"""Bearer JWTs of the installation's identity provider, signed by the local OpenID provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from luna.identity.bearer import build_bearer_verifier, user_for_bearer_token
from luna.identity.jwt import InvalidBearerToken, JwtVerifier
from luna.identity.models import ExternalIdentity, User
from tests.accounts import Account, MovableClock
from tests.oidc_provider import OidcProvider

pytestmark = pytest.mark.anyio

AUDIENCE = "api://luna"


@pytest.fixture
async def verifier(oidc_provider: OidcProvider) -> AsyncIterator[JwtVerifier]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield build_bearer_verifier(
            jwks_url=oidc_provider.jwks_uri,
            issuers=[oidc_provider.issuer],
            audiences=[AUDIENCE],
            http=http,
        )


@pytest.fixture
async def account(sign_up) -> Account:
    created: Account = await sign_up("ada@example.com")
    return created


async def link(app: FastAPI, user_id: str, issuer: str, subject: str = "idp-user-1") -> None:
    async with app.state.resources.session_factory() as session:
        session.add(ExternalIdentity(user_id=user_id, issuer=issuer, subject=subject))
        await session.commit()


async def last_login(app: FastAPI) -> object:
    async with app.state.resources.session_factory() as session:
        return await session.scalar(select(ExternalIdentity.last_login_at))


async def resolve(app: FastAPI, verifier: JwtVerifier, token: str, clock: MovableClock) -> str:
    async with app.state.resources.session_factory() as session:
        return await user_for_bearer_token(
            session=session, verifier=verifier, token=token, now=clock()
        )


async def assert_refused(
    app: FastAPI, verifier: JwtVerifier, token: str, clock: MovableClock, reason: str
) -> None:
    with pytest.raises(InvalidBearerToken) as caught:
        await resolve(app, verifier, token, clock)
    assert (caught.value.status, caught.value.detail) == (401, reason)
    assert caught.value.headers == {"WWW-Authenticate": 'Bearer error="invalid_token"'}


async def test_a_token_of_a_linked_identity_names_its_user(
    app: FastAPI,
    account: Account,
    oidc_provider: OidcProvider,
    verifier: JwtVerifier,
    clock: MovableClock,
) -> None:
    await link(app, account.user_id, oidc_provider.issuer)
    token = oidc_provider.sign({"aud": AUDIENCE, "sub": "idp-user-1"})

    assert await resolve(app, verifier, token, clock) == account.user_id
    assert await last_login(app) == clock.now


async def test_an_identity_linked_to_no_account_is_refused_and_none_is_created(
    app: FastAPI,
    account: Account,
    oidc_provider: OidcProvider,
    verifier: JwtVerifier,
    clock: MovableClock,
) -> None:
    await link(app, account.user_id, "https://other-idp.example", subject="idp-user-1")
    await link(app, account.user_id, oidc_provider.issuer, subject="idp-user-2")
    token = oidc_provider.sign(
        {"aud": AUDIENCE, "sub": "idp-user-1", "email": account.email, "email_verified": True}
    )

    await assert_refused(app, verifier, token, clock, "no Luna account is linked to this identity")
    async with app.state.resources.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_a_disabled_account_is_refused(
    app: FastAPI,
    account: Account,
    oidc_provider: OidcProvider,
    verifier: JwtVerifier,
    clock: MovableClock,
) -> None:
    await link(app, account.user_id, oidc_provider.issuer)
    async with app.state.resources.session_factory() as session:
        await session.execute(update(User).values(disabled_at=clock.now))
        await session.commit()
    token = oidc_provider.sign({"aud": AUDIENCE, "sub": "idp-user-1"})

    await assert_refused(app, verifier, token, clock, "the Luna account is disabled")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "api://another-service"}, "audience not accepted"),
        ({"iss": "https://other-idp.example"}, "issuer not accepted"),
        ({"exp": 1_000_000_000}, "token expired"),
    ],
)
async def test_a_token_meant_for_something_else_is_refused(
    app: FastAPI,
    account: Account,
    oidc_provider: OidcProvider,
    verifier: JwtVerifier,
    clock: MovableClock,
    claims: dict[str, object],
    reason: str,
) -> None:
    await link(app, account.user_id, oidc_provider.issuer)
    token = oidc_provider.sign({"aud": AUDIENCE, "sub": "idp-user-1", **claims})

    await assert_refused(app, verifier, token, clock, reason)


async def test_last_use_is_written_at_most_once_a_minute(
    app: FastAPI,
    account: Account,
    oidc_provider: OidcProvider,
    verifier: JwtVerifier,
    clock: MovableClock,
) -> None:
    await link(app, account.user_id, oidc_provider.issuer)
    token = oidc_provider.sign({"aud": AUDIENCE, "sub": "idp-user-1"})
    first = clock.now

    await resolve(app, verifier, token, clock)
    clock.advance(seconds=30)
    await resolve(app, verifier, token, clock)
    assert await last_login(app) == first

    clock.advance(seconds=31)
    await resolve(app, verifier, token, clock)
    assert await last_login(app) == first + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"algorithms": ["HS256"]}, "only asymmetric"),
        ({"jwks_url": "http://idp.example.com/keys"}, "https://"),
        ({"audiences": []}, "at least one"),
    ],
)
async def test_an_unsafe_verifier_configuration_is_refused(
    changes: dict[str, object], reason: str
) -> None:
    values: dict[str, object] = {
        "jwks_url": "https://idp.example.com/keys",
        "issuers": ["https://idp.example.com"],
        "audiences": [AUDIENCE],
    }
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValueError, match=reason):
            build_bearer_verifier(**(values | changes), http=http)  # type: ignore[arg-type]
