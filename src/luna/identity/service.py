"""Accounts: sign-up, sign-in with lockout, email verification, password reset and change."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Conflict, LunaError, Unauthenticated, ValidationFailed
from luna.identity import sessions
from luna.identity.models import EmailToken, User, UserSession
from luna.identity.passwords import check_password_strength, hash_password, verify_password
from luna.identity.schemas import CookieChoice, CookieConsentIn, CookieConsentOut
from luna.identity.tokens import digest, new_secret
from luna.notifications.service import queue_email
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin
from luna.tenancy.service import create_team

VERIFY_EMAIL_HOURS = 48
NO_ORIGIN = RequestOrigin()
RESET_PASSWORD_HOURS = 1


class AccountLocked(LunaError):
    """Too many failed sign-ins; the account is locked for a while."""

    code = "account-locked"
    status = 423
    title = "Locked"


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and lower-cased."""
    return email.strip().lower()


async def _issue_token(
    *,
    session: AsyncSession,
    user: User,
    purpose: str,
    hours: int,
    now: datetime,
    email: str | None = None,
) -> str:
    token = new_secret()
    session.add(
        EmailToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(token),
            email=email or user.email,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def emailed_link(settings: Settings, path: str, token: str) -> str:
    """The web app's address for an emailed token (``path`` may carry a query already)."""
    separator = "&" if "?" in path else "?"
    return settings.public_link(f"{path}{separator}token={token}")


async def _send_verification(
    *, session: AsyncSession, user: User, settings: Settings, now: datetime
) -> None:
    token = await _issue_token(
        session=session, user=user, purpose="verify-email", hours=VERIFY_EMAIL_HOURS, now=now
    )
    link = emailed_link(settings, "/verify-email", token)
    queue_email(
        session=session,
        to_address=user.email,
        template="verify-email",
        user_id=user.id,
        link=link,
        hours=VERIFY_EMAIL_HOURS,
    )


async def sign_up(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str,
    settings: Settings,
    now: datetime,
) -> User:
    """Create an account with its personal team and workspace, and email a verification link.

    Two sign-ups with one email at once: one account, and Conflict for the other."""
    email = normalise_email(email)
    check_password_strength(password, email=email)
    # Hashed (tens of milliseconds of CPU) before the transaction starts, not inside it.
    password_hash = hash_password(password)
    if await session.scalar(select(User.id).where(User.email == email)):
        raise _email_taken()
    user = User(email=email, display_name=display_name.strip(), password_hash=password_hash)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as error:  # the same email signed up a moment ago
        await session.rollback()
        raise _email_taken() from error
    await create_team(
        session=session,
        owner_id=user.id,
        name=f"{user.display_name}'s team",
        plan=settings.default_plan,
        personal=True,
    )
    await _send_verification(session=session, user=user, settings=settings, now=now)
    return user


async def change_display_name(
    *, session: AsyncSession, user: User, display_name: str, origin: RequestOrigin
) -> None:
    """Give the user a new display name, recorded in the audit log of each team; committed."""
    if user.display_name == display_name:
        return
    await audit.record_for_user(
        session,
        user_id=user.id,
        action="auth.profile_changed",
        origin=origin,
        data={"field": "display_name"},
    )
    user.display_name = display_name
    await session.commit()


async def do_sign_up(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str,
    client: sessions.ClientInfo,
    settings: Settings,
    now: datetime,
) -> tuple[User, str]:
    """Sign up (see :func:`sign_up`) and sign the new account in, committed; returns the
    user and the session token for the cookie."""
    user = await sign_up(
        session=session,
        email=email,
        password=password,
        display_name=display_name,
        settings=settings,
        now=now,
    )
    token, _ = await sessions.start_session(
        session=session, user=user, client=client, settings=settings, now=now
    )
    await session.commit()
    return user, token


def _email_taken() -> Conflict:
    return Conflict("An account with this email already exists.", field="email")


async def check_credentials(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    settings: Settings,
    now: datetime,
    origin: RequestOrigin = NO_ORIGIN,
) -> User:
    """The user whose password this is; counts failures and locks the account after too many.

    Unknown emails and wrong passwords get the same answer, in about the same time.
    """
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None and user.locked_until is not None and now < user.locked_until:
        retry = int((user.locked_until - now).total_seconds()) + 1
        raise AccountLocked(
            "Too many failed sign-ins; try again later or reset your password.",
            headers={"Retry-After": str(retry)},
        )
    valid, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not valid or user.disabled_at is not None:
        if user is not None:
            await audit.record_for_user(
                session, user_id=user.id, action="auth.login_failed", origin=origin
            )
            await _record_failure(session=session, user=user, settings=settings, now=now)
        raise Unauthenticated("The email or password is not right.")
    user.failed_logins = 0
    user.locked_until = None
    if new_hash:
        user.password_hash = new_hash
    return user


async def _record_failure(
    *, session: AsyncSession, user: User, settings: Settings, now: datetime
) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
    await session.commit()


async def _live_token(
    *, session: AsyncSession, token: str, purpose: str, now: datetime
) -> EmailToken:
    """The unused, unexpired token of this purpose, or a 422 that says to ask again."""
    record = await session.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == digest(token), EmailToken.purpose == purpose
        )
    )
    if record is None or record.used_at is not None or now >= record.expires_at:
        raise ValidationFailed(
            "This link is invalid, already used or expired; ask for a new one.",
            errors=[{"in": "body", "pointer": "#/token", "message": "Invalid or expired token."}],
        )
    return record


async def _consume_token(
    *, session: AsyncSession, token: str, purpose: str, now: datetime
) -> tuple[EmailToken, User]:
    record = await _live_token(session=session, token=token, purpose=purpose, now=now)
    user = await session.get(User, record.user_id)
    if user is None or user.email != record.email:
        raise ValidationFailed("This link no longer applies to the account.")
    record.used_at = now
    return record, user


async def verify_email(*, session: AsyncSession, token: str, now: datetime) -> User:
    """Mark the address a verification link was sent to as verified."""
    _, user = await _consume_token(session=session, token=token, purpose="verify-email", now=now)
    user.email_verified_at = user.email_verified_at or now
    await session.commit()
    return user


async def resend_verification(
    *, session: AsyncSession, user: User, settings: Settings, now: datetime
) -> None:
    """Send a new verification link unless the address is already verified."""
    if user.email_verified_at is None:
        await _send_verification(session=session, user=user, settings=settings, now=now)
        await session.commit()


async def request_password_reset(
    *, session: AsyncSession, email: str, settings: Settings, now: datetime
) -> None:
    """Email a reset link if the account exists; the caller learns nothing either way."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.disabled_at is not None:
        return
    token = await _issue_token(
        session=session, user=user, purpose="reset-password", hours=RESET_PASSWORD_HOURS, now=now
    )
    link = emailed_link(settings, "/reset-password", token)
    queue_email(
        session=session,
        to_address=user.email,
        template="reset-password",
        user_id=user.id,
        link=link,
        hours=RESET_PASSWORD_HOURS,
    )
    await session.commit()


async def reset_password(
    *,
    session: AsyncSession,
    token: str,
    password: str,
    now: datetime,
    origin: RequestOrigin = NO_ORIGIN,
) -> User:
    """Set a new password from a reset link; ends every session and unlocks the account."""
    _, user = await _consume_token(session=session, token=token, purpose="reset-password", now=now)
    check_password_strength(password, email=user.email)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.email_verified_at = user.email_verified_at or now  # the link proved the address
    await sessions.revoke_user_sessions(session=session, user_id=user.id, now=now)
    queue_email(
        session=session, to_address=user.email, template="password-changed", user_id=user.id
    )
    await audit.record_for_user(
        session, user_id=user.id, action="auth.password_reset", origin=origin
    )
    await session.commit()
    return user


async def change_password(
    *,
    session: AsyncSession,
    user: User,
    current_password: str,
    new_password: str,
    current_session: UserSession,
    now: datetime,
    origin: RequestOrigin = NO_ORIGIN,
) -> str:
    """Change the password after checking the current one; ends the user's other sessions
    and rotates the current one. Returns the current session's new token."""
    valid, _ = verify_password(current_password, user.password_hash)
    if not valid:
        raise ValidationFailed(
            "The current password is not right.",
            errors=[{"in": "body", "pointer": "#/current_password", "message": "Wrong password."}],
        )
    check_password_strength(new_password, email=user.email, field="new_password")
    user.password_hash = hash_password(new_password)
    await sessions.revoke_user_sessions(
        session=session, user_id=user.id, now=now, keep_session_id=current_session.id
    )
    token = await sessions.rotate_session(session=session, record=current_session)
    queue_email(
        session=session, to_address=user.email, template="password-changed", user_id=user.id
    )
    await audit.record_for_user(
        session, user_id=user.id, action="auth.password_changed", origin=origin
    )
    await session.commit()
    return token


CHANGE_EMAIL_HOURS = 24


async def request_email_change(
    *,
    session: AsyncSession,
    user: User,
    new_email: str,
    password: str,
    settings: Settings,
    now: datetime,
) -> None:
    """Send a confirmation link to a new address after checking the password; the address
    changes only when the link is opened."""
    valid, _ = verify_password(password, user.password_hash)
    if not valid:
        raise ValidationFailed(
            "The password is not right.",
            errors=[{"in": "body", "pointer": "#/password", "message": "Wrong password."}],
        )
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ValidationFailed(
            "That is already your email address.",
            errors=[{"in": "body", "pointer": "#/new_email", "message": "Unchanged."}],
        )
    token = await _issue_token(
        session=session,
        user=user,
        purpose="change-email",
        hours=CHANGE_EMAIL_HOURS,
        now=now,
        email=new_email,
    )
    link = emailed_link(settings, "/verify-email?change=1", token)
    queue_email(
        session=session,
        to_address=new_email,
        template="change-email",
        user_id=user.id,
        link=link,
        hours=CHANGE_EMAIL_HOURS,
    )
    await session.commit()


async def confirm_email_change(
    *, session: AsyncSession, token: str, now: datetime, origin: RequestOrigin = NO_ORIGIN
) -> User:
    """Move the account to the address the link was sent to, which it thereby proved."""
    record = await _live_token(session=session, token=token, purpose="change-email", now=now)
    taken = await session.scalar(select(User.id).where(User.email == record.email))
    user = await session.get(User, record.user_id)
    if user is None or (taken is not None and taken != user.id):
        raise _email_taken()
    old_email, user.email = user.email, record.email
    user.email_verified_at = now
    record.used_at = now
    queue_email(
        session=session,
        to_address=old_email,
        template="email-changed",
        user_id=user.id,
        new_email=record.email,
    )
    await audit.record_for_user(
        session, user_id=user.id, action="auth.email_changed", origin=origin
    )
    await session.commit()
    return user


def cookie_consent_of(user: User) -> CookieConsentOut:
    """The user's stored cookie choice, if they made one."""
    if user.cookie_consent is None or user.cookie_consent_at is None:
        return CookieConsentOut(signed_in=True, choice=None)
    return CookieConsentOut(
        signed_in=True,
        choice=CookieChoice(**user.cookie_consent, updated_at=user.cookie_consent_at),
    )


async def set_cookie_consent(
    *, session: AsyncSession, user: User, choice: CookieConsentIn, now: datetime
) -> CookieConsentOut:
    """Record the user's cookie choice and when they made it."""
    user.cookie_consent = choice.model_dump()
    user.cookie_consent_at = now
    await session.commit()
    return cookie_consent_of(user)
