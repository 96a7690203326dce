"""Password sign-in: credentials, the team's SSO rule, the second factor, the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Forbidden
from luna.identity import mfa, service, sessions, sso
from luna.identity.models import User, UserSession
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin


class SsoRequired(Forbidden):
    """The user's team requires signing in through its identity provider."""

    code = "sso-required"


@dataclass(frozen=True)
class SignIn:
    """A started session: its cookie token, and whether a second factor is still due."""

    user: User
    token: str
    mfa_required: bool


async def sign_in_with_password(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    client: sessions.ClientInfo,
    origin: RequestOrigin,
    settings: Settings,
    now: datetime,
) -> SignIn:
    """Check the password, refuse members of teams that require SSO, and start a session
    (pending the second factor when the account has one). Records the sign-in."""
    user = await service.check_credentials(
        session=session, email=email, password=password, settings=settings, now=now, origin=origin
    )
    if not await sso.password_login_allowed(session=session, user_id=user.id):
        raise SsoRequired("Your team requires signing in with its identity provider.")
    mfa_required = await mfa.is_enabled(session=session, user_id=user.id)
    token, _ = await sessions.start_session(
        session=session,
        user=user,
        client=client,
        settings=settings,
        now=now,
        mfa_pending=mfa_required,
    )
    await audit.record_for_user(
        session,
        user_id=user.id,
        action="auth.login",
        origin=origin,
        data={"method": "password", "mfa_pending": mfa_required},
    )
    await session.commit()
    return SignIn(user=user, token=token, mfa_required=mfa_required)


async def sign_out(
    *, session: AsyncSession, record: UserSession, origin: RequestOrigin, now: datetime
) -> None:
    """End a session on the server and record it."""
    await sessions.end_session(session=session, record=record, now=now)
    await audit.record_for_user(
        session, user_id=record.user_id, action="auth.logout", origin=origin
    )
    await session.commit()
