"""Who is calling: a signed-in user (session cookie) or a workspace API key (bearer).

A session whose user has yet to give their second factor authenticates nothing but the
MFA verification and sign-out routes, which opt in with ``allow_mfa_pending``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from luna.cache import Caches
from luna.errors import Unauthenticated
from luna.identity import api_keys, bearer, sessions
from luna.identity.credentials import presented_credential
from luna.identity.jwt import JwtVerifier
from luna.identity.models import User, UserSession
from luna.settings import Settings

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="luna"'}


class MfaRequired(Unauthenticated):
    """The password was accepted, but the sign-in waits for the second factor."""

    code = "mfa-required"


@dataclass(frozen=True)
class Principal:
    """The verified caller. API keys are bound to one workspace and a set of scopes."""

    user_id: str | None
    session: UserSession | None = None
    api_key_id: str | None = None
    api_key_workspace_id: str | None = None
    api_key_scopes: frozenset[str] = frozenset()

    @property
    def is_api_key(self) -> bool:
        """Whether the caller authenticated with an API key."""
        return self.api_key_id is not None


def client_info(request: Request) -> sessions.ClientInfo:
    """The caller's address and User-Agent."""
    host = request.client.host if request.client else ""
    return sessions.ClientInfo(ip_address=host, user_agent=request.headers.get("user-agent", ""))


async def authenticate(
    *,
    request: Request,
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    allow_mfa_pending: bool = False,
) -> Principal:
    """Resolve the caller from a bearer API key or the session cookie, or raise 401.

    A session still waiting for its second factor is refused with :class:`MfaRequired`
    unless ``allow_mfa_pending`` is set.
    """
    credential = presented_credential(request.headers, session_cookie=settings.session_cookie_name)
    if credential is not None and credential.kind == "identity-token":
        return await _from_identity_provider(
            credential.secret, request=request, session=session, now=now
        )
    if credential is not None and credential.kind == "api-key":
        return await _from_api_key(credential.secret, request=request, session=session, now=now)
    record = None
    if credential is not None:
        record = await _live_session(
            credential.secret, request=request, session=session, settings=settings, now=now
        )
    if record is None:
        raise Unauthenticated(
            "Sign in, or send an API key as a bearer token.", headers=BEARER_CHALLENGE
        )
    if record.mfa_pending and not allow_mfa_pending:
        raise MfaRequired(
            "Finish signing in with a code from your authenticator app or a recovery code.",
            headers=BEARER_CHALLENGE,
        )
    return Principal(user_id=record.user_id, session=record)


async def _live_session(
    cookie: str, *, request: Request, session: AsyncSession, settings: Settings, now: datetime
) -> UserSession | None:
    """The session of the cookie, if it is live and its user may still sign in."""
    record = await sessions.resolve_session(
        session=session, token=cookie, client=client_info(request), settings=settings, now=now
    )
    if record is None:
        return None
    user = await session.get(User, record.user_id)
    return record if user is not None and user.disabled_at is None else None


async def _from_identity_provider(
    token: str, *, request: Request, session: AsyncSession, now: datetime
) -> Principal:
    """A user known by an identity provider's JWT (when the installation trusts one)."""
    verifier: JwtVerifier | None = request.app.state.resources.bearer_verifier
    if verifier is None:
        raise Unauthenticated(
            "Bearer tokens from an identity provider are not accepted by this installation.",
            headers=BEARER_CHALLENGE,
        )
    user_id = await bearer.user_for_bearer_token(
        session=session, verifier=verifier, token=token, now=now
    )
    return Principal(user_id=user_id)


async def _from_api_key(
    token: str, *, request: Request, session: AsyncSession, now: datetime
) -> Principal:
    caches: Caches | None = getattr(request.app.state, "caches", None)
    key = await api_keys.authenticate_api_key(
        session=session,
        plaintext=token,
        ip_address=client_info(request).ip_address,
        now=now,
        cache=None if caches is None else caches.api_keys,
    )
    if key is None:
        raise Unauthenticated(
            "The API key is unknown, expired or revoked.", headers=BEARER_CHALLENGE
        )
    return Principal(
        user_id=key.created_by_user_id,
        api_key_id=key.id,
        api_key_workspace_id=key.workspace_id,
        api_key_scopes=frozenset(key.scopes),
    )
