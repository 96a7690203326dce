"""Bearer JWTs from the installation's identity provider, mapped to Luna users.

A verified token names a person by issuer and subject; Luna accepts it only when that
identity is already linked to a Luna account (an :class:`ExternalIdentity`, created by
single sign-on). Bearer tokens never create accounts or link them by email.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.identity.jwt import InvalidBearerToken, JwtProviderConfig, JwtVerifier
from luna.identity.models import ExternalIdentity, User

# When an identity was last used is written at most this often, not on every request.
LAST_USED_INTERVAL = timedelta(seconds=60)


def build_bearer_verifier(
    *,
    jwks_url: str,
    issuers: Sequence[str],
    audiences: Sequence[str],
    algorithms: Sequence[str] = ("RS256",),
    http: httpx.AsyncClient,
) -> JwtVerifier:
    """The verifier of the installation's identity provider.

    ``issuers`` and ``audiences`` are the exact ``iss`` and ``aud`` values accepted;
    ``algorithms`` may name only asymmetric ones. Raises ValueError for an unsafe or
    empty configuration (see :class:`JwtProviderConfig`). Keep one verifier per
    process: it caches the provider's keys.
    """
    config = JwtProviderConfig(
        jwks_url=jwks_url,
        issuers=tuple(issuers),
        audiences=tuple(audiences),
        algorithms=tuple(algorithms),
    )
    return JwtVerifier(config, http)


async def user_for_bearer_token(
    *, session: AsyncSession, verifier: JwtVerifier, token: str, now: datetime
) -> str:
    """The id of the Luna user whose linked identity the token proves.

    Raises :class:`InvalidBearerToken` (401) for a token that does not verify, names an
    identity linked to no account, or belongs to a disabled account. Records when the
    identity last signed in, at most once a minute.
    """
    verified = await verifier.verify(token)
    row = (
        await session.execute(
            select(ExternalIdentity, User.disabled_at)
            .join(User, User.id == ExternalIdentity.user_id)
            .where(
                ExternalIdentity.issuer == verified.issuer,
                ExternalIdentity.subject == verified.subject,
            )
        )
    ).first()
    if row is None:
        raise InvalidBearerToken("no Luna account is linked to this identity")
    link, disabled_at = row
    if disabled_at is not None:
        raise InvalidBearerToken("the Luna account is disabled")
    if link.last_login_at is None or now - link.last_login_at >= LAST_USED_INTERVAL:
        link.last_login_at = now
        await session.commit()
    return link.user_id
