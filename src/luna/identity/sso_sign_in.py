"""Signing in with a team's OpenID Connect provider.

The authorization code flow with PKCE (S256): the state (stored only as its SHA-256),
the nonce and the code verifier stay on the server in an :class:`SsoLoginAttempt` that
works once, for ten minutes. The ID token is checked against the keys the provider
publishes (see :mod:`luna.identity.sso_provider`).

People are identified by issuer and subject. A new identity is linked to an existing
account with the same email only when that account already belongs to the team, so a
team's provider cannot take over the account of someone outside the team; otherwise a
verified email from an allowed domain creates an account just in time. A person who is
not yet a member joins with the team's default role, under the same email rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import BadRequest, Conflict, Forbidden
from luna.identity import mfa, sessions
from luna.identity.models import ExternalIdentity, User
from luna.identity.sso import client_secret_context, enabled_sso_config, redirect_uri
from luna.identity.sso_provider import (
    ClientRegistration,
    SsoIdentity,
    authorization_url,
    discover_provider,
    exchange_code,
    verify_id_token,
)
from luna.identity.tokens import digest, new_secret
from luna.observability.logging import get_logger
from luna.security.crypto import Keyring
from luna.settings import Settings
from luna.tenancy.models import Membership, SsoLoginAttempt, TeamSsoConfig

log = get_logger(__name__)

ATTEMPT_LIFETIME = timedelta(minutes=10)


class SsoStateInvalid(BadRequest):
    """The callback's state is unknown, already used or expired."""

    code = "sso-state-invalid"


class SsoSignInRefused(Forbidden):
    """The provider vouched for the person, but the team's rules do not let them in."""

    code = "sso-sign-in-refused"


@dataclass(frozen=True)
class SsoSignIn:
    """A finished sign-in: the new session's token and where the browser goes next."""

    token: str
    user_id: str
    return_to: str


def safe_return_to(value: str | None) -> str:
    """A path on this site to go to after signing in; anything else becomes ``/``."""
    if not value or len(value) > 500 or not value.startswith("/") or value[1:2] in ("/", "\\"):
        return "/"
    if "\\" in value or any(char.isspace() or not char.isprintable() for char in value):
        return "/"
    parts = urlsplit(value)
    return "/" if parts.scheme or parts.netloc else value


async def start_sign_in(
    *,
    session: AsyncSession,
    http: httpx.AsyncClient,
    settings: Settings,
    team_id: str,
    return_to: str | None,
    now: datetime,
) -> str:
    """Begin signing in with the team's provider; returns the URL to send the browser to."""
    config = await enabled_sso_config(session=session, team_id=team_id)
    metadata = await discover_provider(http=http, issuer=config.issuer)
    state, nonce, verifier = new_secret(), new_secret(), new_secret(48)
    await session.execute(
        delete(SsoLoginAttempt).where(
            SsoLoginAttempt.team_id == team_id, SsoLoginAttempt.expires_at <= now
        )
    )
    session.add(
        SsoLoginAttempt(
            state_hash=digest(state),
            team_id=team_id,
            nonce=nonce,
            code_verifier=verifier,
            return_to=safe_return_to(return_to),
            created_at=now,
            expires_at=now + ATTEMPT_LIFETIME,
        )
    )
    await session.commit()
    return authorization_url(
        metadata,
        client_id=config.client_id,
        redirect_uri=redirect_uri(settings, team_id),
        state=state,
        nonce=nonce,
        code_verifier=verifier,
    )


async def finish_sign_in(
    *,
    session: AsyncSession,
    http: httpx.AsyncClient,
    keyring: Keyring,
    settings: Settings,
    team_id: str,
    state: str,
    code: str | None,
    error: str | None,
    client: sessions.ClientInfo,
    now: datetime,
) -> SsoSignIn:
    """Complete a sign-in from the provider's redirect: consume the state, exchange the
    code, check the ID token, find or create the person, and start their session."""
    attempt = await _consume_attempt(session=session, team_id=team_id, state=state, now=now)
    config = await enabled_sso_config(session=session, team_id=team_id)
    if error is not None or not code:
        reason = (error or "no authorization code")[:100]
        log.warning("sso sign-in refused by provider", team_id=team_id, error=reason)
        raise SsoSignInRefused(
            f"The identity provider did not sign you in ({reason}).", provider_error=reason
        )
    identity = await _authenticate(
        http=http, keyring=keyring, settings=settings, config=config, attempt=attempt, code=code
    )
    try:
        user = await _resolve_user(session=session, config=config, identity=identity, now=now)
        token = await _start_session(
            session=session, user=user, identity=identity, client=client, settings=settings, now=now
        )
    except IntegrityError as exc:  # a simultaneous first sign-in of the same person
        await session.rollback()
        raise Conflict("Another sign-in of this account is under way; try again.") from exc
    log.info("sso sign-in", team_id=team_id, user_id=user.id)
    return SsoSignIn(token=token, user_id=user.id, return_to=attempt.return_to)


async def _consume_attempt(
    *, session: AsyncSession, team_id: str, state: str, now: datetime
) -> SsoLoginAttempt:
    """Mark the attempt of ``state`` used, exactly once, and commit that at once."""
    attempt = await session.scalar(
        select(SsoLoginAttempt).where(
            SsoLoginAttempt.state_hash == digest(state), SsoLoginAttempt.team_id == team_id
        )
    )
    claimed = False
    if attempt is not None and attempt.used_at is None and now < attempt.expires_at:
        result = await session.execute(
            update(SsoLoginAttempt)
            .where(SsoLoginAttempt.id == attempt.id, SsoLoginAttempt.used_at.is_(None))
            .values(used_at=now)
        )
        claimed = bool(getattr(result, "rowcount", 0))
        await session.commit()
    if attempt is None or not claimed:
        raise SsoStateInvalid(
            "This sign-in is unknown, already finished or expired; start signing in again."
        )
    return attempt


async def _authenticate(
    *,
    http: httpx.AsyncClient,
    keyring: Keyring,
    settings: Settings,
    config: TeamSsoConfig,
    attempt: SsoLoginAttempt,
    code: str,
) -> SsoIdentity:
    """Who the provider says signed in, proven by the code exchange and the ID token."""
    assert config.client_secret_encrypted is not None  # noqa: S101  (checked by enabled_sso_config)
    registration = ClientRegistration(
        issuer=config.issuer,
        client_id=config.client_id,
        client_secret=keyring.decrypt_str(
            config.client_secret_encrypted, context=client_secret_context(config.team_id)
        ),
        redirect_uri=redirect_uri(settings, config.team_id),
    )
    metadata = await discover_provider(http=http, issuer=config.issuer)
    id_token = await exchange_code(
        http=http,
        metadata=metadata,
        client=registration,
        code=code,
        code_verifier=attempt.code_verifier,
    )
    return await verify_id_token(
        http=http, metadata=metadata, client=registration, id_token=id_token, nonce=attempt.nonce
    )


async def _resolve_user(
    *, session: AsyncSession, config: TeamSsoConfig, identity: SsoIdentity, now: datetime
) -> User:
    """The identity's account, linked or created, as a member of the team."""
    link = await session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == identity.issuer,
            ExternalIdentity.subject == identity.subject,
        )
    )
    if link is None:
        user = await _account_for_new_identity(session=session, config=config, identity=identity)
        link = ExternalIdentity(
            user_id=user.id, issuer=identity.issuer, subject=identity.subject, created_at=now
        )
        session.add(link)
    else:
        found = await session.get(User, link.user_id)
        if found is None:
            raise SsoSignInRefused("This account no longer exists.")
        user = found
    if user.disabled_at is not None:
        raise SsoSignInRefused("This account is disabled.")
    if await _role_in_team(session=session, team_id=config.team_id, user_id=user.id) is None:
        _check_may_join(config, identity)
        session.add(Membership(team_id=config.team_id, user_id=user.id, role=config.default_role))
    link.email, link.last_login_at = identity.email, now
    return user


async def _account_for_new_identity(
    *, session: AsyncSession, config: TeamSsoConfig, identity: SsoIdentity
) -> User:
    """The team member with the identity's verified email, or a new account."""
    _check_may_join(config, identity)
    assert identity.email is not None  # noqa: S101  (checked by _check_may_join)
    user = await session.scalar(select(User).where(User.email == identity.email))
    if user is None:
        display_name = (identity.name or identity.email)[:200]
        user = User(email=identity.email, display_name=display_name, password_hash=None)
        session.add(user)
        await session.flush()
        log.info("sso account created", team_id=config.team_id, user_id=user.id)
        return user
    if await _role_in_team(session=session, team_id=config.team_id, user_id=user.id) is None:
        raise Conflict(
            "An account with this email already exists outside this team. Ask a team admin "
            "to invite it, then sign in with single sign-on again."
        )
    return user


def _check_may_join(config: TeamSsoConfig, identity: SsoIdentity) -> None:
    if identity.email is None or not identity.email_verified:
        raise SsoSignInRefused("The identity provider did not confirm a verified email address.")
    domain = identity.email.rpartition("@")[2]
    if config.allowed_domains and domain not in config.allowed_domains:
        raise SsoSignInRefused(
            f"People with an {domain} address may not join this team with single sign-on.",
            domain=domain,
        )


async def _role_in_team(*, session: AsyncSession, team_id: str, user_id: str) -> str | None:
    role: str | None = await session.scalar(
        select(Membership.role).where(Membership.team_id == team_id, Membership.user_id == user_id)
    )
    return role


async def _start_session(
    *,
    session: AsyncSession,
    user: User,
    identity: SsoIdentity,
    client: sessions.ClientInfo,
    settings: Settings,
    now: datetime,
) -> str:
    """A new session, as after a password; it waits for the second factor if the user has
    one. Returns the session token."""
    if identity.email_verified and identity.email == user.email:
        user.email_verified_at = user.email_verified_at or now
    token, _ = await sessions.start_session(
        session=session,
        user=user,
        client=client,
        settings=settings,
        now=now,
        mfa_pending=await mfa.is_enabled(session=session, user_id=user.id),
    )
    await session.commit()
    return token
