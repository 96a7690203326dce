"""Who is calling: a signed-in user (session cookie) or a workspace API key (bearer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Unauthenticated
from luna.identity import api_keys, sessions
from luna.identity.models import User, UserSession
from luna.settings import Settings

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="luna"'}


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


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if there is one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(
    *, request: Request, session: AsyncSession, settings: Settings, now: datetime
) -> Principal:
    """Resolve the caller from a bearer API key or the session cookie, or raise 401."""
    token = bearer_token(request)
    if token is not None:
        return await _from_api_key(token, request=request, session=session, now=now)
    cookie = request.cookies.get(settings.session_cookie_name)
    if cookie:
        record = await sessions.resolve_session(
            session=session, token=cookie, client=client_info(request), settings=settings, now=now
        )
        if record is not None:
            user = await session.get(User, record.user_id)
            if user is not None and user.disabled_at is None:
                return Principal(user_id=user.id, session=record)
    raise Unauthenticated(
        "Sign in, or send an API key as a bearer token.", headers=BEARER_CHALLENGE
    )


async def _from_api_key(
    token: str, *, request: Request, session: AsyncSession, now: datetime
) -> Principal:
    if not api_keys.looks_like_api_key(token):
        raise Unauthenticated(
            "Bearer tokens from an identity provider are not accepted by this installation.",
            headers=BEARER_CHALLENGE,
        )
    key = await api_keys.authenticate_api_key(
        session=session, plaintext=token, ip_address=client_info(request).ip_address, now=now
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
