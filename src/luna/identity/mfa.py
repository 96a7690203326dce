"""Multi-factor authentication: authenticator apps (TOTP), recovery codes and step-up.

The authenticator seed is sealed with the keyring and bound to its row. A code is
accepted for the current 30-second step or one step either side, and never twice: the
newest accepted step is remembered and codes of that step or an older one are refused.
Wrong codes count toward the same lockout as wrong passwords. Recovery codes are stored
as argon2 hashes and work once each.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from luna.identity import service, sessions
from luna.identity.models import RecoveryCode, TotpFactor, User, UserSession
from luna.identity.passwords import hash_password, verify_password
from luna.security.crypto import Keyring, column_context
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin

NO_ORIGIN = RequestOrigin()

ISSUER = "Luna"
STEP_SECONDS = 30
# A sensitive action needs the second factor proven this recently, in the same session.
STEP_UP_LIFETIME = timedelta(minutes=10)
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# Lower-case letters and digits without look-alikes (0 and o, 1, l and i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class MfaStepUpRequired(Unauthenticated):
    """A sensitive action needs the second factor proven in the last ten minutes."""

    code = "mfa-step-up-required"


class MfaCodeInvalid(Unauthenticated):
    """The authenticator or recovery code is wrong, too old or already used."""

    code = "mfa-code-invalid"


@dataclass(frozen=True)
class TotpEnrolment:
    """A new authenticator seed, for the user to add to their app."""

    secret: str
    provisioning_uri: str


@dataclass(frozen=True)
class MfaState:
    """Whether the user has MFA on, since when, and how many recovery codes are left."""

    enabled: bool
    confirmed_at: datetime | None
    recovery_codes_remaining: int


def _secret_context(user_id: str) -> bytes:
    return column_context("totp_factors", "secret_encrypted", user_id)


def matching_steps(secret: str, code: str, now: datetime) -> list[int]:
    """The 30-second steps, from one before ``now`` to one after, whose code is ``code``."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    steps = []
    for offset in (-1, 0, 1):
        moment = now + timedelta(seconds=offset * STEP_SECONDS)
        if hmac.compare_digest(totp.at(moment), code):
            steps.append(totp.timecode(moment))
    return steps


def new_recovery_code() -> str:
    """Ten random characters of a readable alphabet, grouped as ``abcde-fghij``."""
    characters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{characters[:5]}-{characters[5:]}"


def normalise_recovery_code(text: str) -> str | None:
    """A recovery code as stored (lower case, one hyphen), or None when it cannot be one."""
    compact = "".join(text.lower().split()).replace("-", "")
    if len(compact) != RECOVERY_CODE_LENGTH or not set(compact) <= set(RECOVERY_ALPHABET):
        return None
    return f"{compact[:5]}-{compact[5:]}"


async def is_enabled(*, session: AsyncSession, user_id: str) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return await _confirmed_factor(session=session, user_id=user_id) is not None


async def _confirmed_factor(*, session: AsyncSession, user_id: str) -> TotpFactor | None:
    factor = await session.get(TotpFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


async def describe_mfa(*, session: AsyncSession, user_id: str) -> MfaState:
    """The user's MFA state, as shown on their security settings."""
    factor = await _confirmed_factor(session=session, user_id=user_id)
    if factor is None:
        return MfaState(enabled=False, confirmed_at=None, recovery_codes_remaining=0)
    remaining = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return MfaState(
        enabled=True, confirmed_at=factor.confirmed_at, recovery_codes_remaining=remaining or 0
    )


async def enrol_totp(
    *, session: AsyncSession, user_id: str, keyring: Keyring, now: datetime
) -> TotpEnrolment:
    """Start enrolling an authenticator app, replacing an enrolment never confirmed."""
    user = await _load_user(session=session, user_id=user_id)
    factor = await session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("An authenticator app is already set up; turn it off first to replace it.")
    secret = pyotp.random_base32()
    sealed = keyring.encrypt_str(secret, context=_secret_context(user.id))
    if factor is None:
        session.add(TotpFactor(user_id=user.id, secret_encrypted=sealed, created_at=now))
    else:
        factor.secret_encrypted, factor.created_at, factor.last_used_step = sealed, now, None
    await session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return TotpEnrolment(secret=secret, provisioning_uri=uri)


async def confirm_totp(
    *,
    session: AsyncSession,
    current_session: UserSession,
    code: str,
    keyring: Keyring,
    now: datetime,
    origin: RequestOrigin = NO_ORIGIN,
) -> tuple[list[str], str]:
    """Turn MFA on with a first code from the app. Returns the new recovery codes (shown
    once) and the current session's new token: the session counts as verified."""
    user_id = current_session.user_id
    factor = await session.get(TotpFactor, user_id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("There is no authenticator app waiting to be confirmed; enrol first.")
    if not await _use_app_code(session=session, factor=factor, code=code, keyring=keyring, now=now):
        raise ValidationFailed(
            "The code is not right; check the app's clock and try the newest code.",
            errors=[{"in": "body", "pointer": "#/code", "message": "Wrong or expired code."}],
        )
    factor.confirmed_at = now
    codes = await _replace_recovery_codes(session=session, user_id=user_id, now=now)
    token = await sessions.mark_mfa_verified(session=session, record=current_session, now=now)
    await audit.record_for_user(session, user_id=user_id, action="auth.mfa_enabled", origin=origin)
    await session.commit()
    return codes, token


async def verify_sign_in(
    *,
    session: AsyncSession,
    current_session: UserSession,
    code: str | None,
    recovery_code: str | None,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
) -> tuple[User, str]:
    """Finish a sign-in waiting for its second factor. Returns the user and the session's
    new token."""
    if not current_session.mfa_pending:
        raise Conflict("This session is already signed in; use step-up to confirm it is you.")
    user = await _load_user(session=session, user_id=current_session.user_id)
    await check_second_factor(
        session=session,
        user=user,
        code=code,
        recovery_code=recovery_code,
        keyring=keyring,
        settings=settings,
        now=now,
    )
    token = await sessions.mark_mfa_verified(session=session, record=current_session, now=now)
    await session.commit()
    return user, token


async def step_up(
    *,
    session: AsyncSession,
    current_session: UserSession,
    code: str | None,
    recovery_code: str | None,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
) -> str:
    """Prove the second factor again in a signed-in session, before a sensitive action.
    Returns the session's new token."""
    user = await _load_user(session=session, user_id=current_session.user_id)
    await check_second_factor(
        session=session,
        user=user,
        code=code,
        recovery_code=recovery_code,
        keyring=keyring,
        settings=settings,
        now=now,
    )
    token = await sessions.mark_mfa_verified(session=session, record=current_session, now=now)
    await session.commit()
    return token


async def check_second_factor(
    *,
    session: AsyncSession,
    user: User,
    code: str | None,
    recovery_code: str | None,
    keyring: Keyring,
    settings: Settings,
    now: datetime,
) -> None:
    """Accept a fresh app code or an unused recovery code (using it up), or count a failed
    sign-in and refuse. A locked account is refused whatever it sends."""
    _ensure_not_locked(user, now)
    factor = await _confirmed_factor(session=session, user_id=user.id)
    if factor is None:
        raise Conflict("Two-factor authentication is not on for this account.")
    if code is not None:
        accepted = await _use_app_code(
            session=session, factor=factor, code=code, keyring=keyring, now=now
        )
    else:
        accepted = await _use_recovery_code(
            session=session, user_id=user.id, text=recovery_code or "", now=now
        )
    if not accepted:
        await record_failed_attempt(session=session, user=user, settings=settings, now=now)
        raise MfaCodeInvalid("The code is not right, or it was already used.")
    user.failed_logins = 0
    user.locked_until = None


async def record_failed_attempt(
    *, session: AsyncSession, user: User, settings: Settings, now: datetime
) -> None:
    """Count a wrong code like a wrong password: enough in a row lock the account."""
    await service._record_failure(session=session, user=user, settings=settings, now=now)


def _ensure_not_locked(user: User, now: datetime) -> None:
    if user.locked_until is not None and now < user.locked_until:
        retry = int((user.locked_until - now).total_seconds()) + 1
        raise service.AccountLocked(
            "Too many failed sign-ins; try again later or reset your password.",
            headers={"Retry-After": str(retry)},
        )


async def _use_app_code(
    *, session: AsyncSession, factor: TotpFactor, code: str, keyring: Keyring, now: datetime
) -> bool:
    """Accept a code of a step newer than the last accepted one, and remember its step.

    The conditional update makes two requests racing with the same code accept it once.
    """
    secret = keyring.decrypt_str(factor.secret_encrypted, context=_secret_context(factor.user_id))
    last = factor.last_used_step
    fresh = [step for step in matching_steps(secret, code, now) if last is None or step > last]
    if not fresh:
        return False
    result = await session.execute(
        update(TotpFactor)
        .where(
            TotpFactor.user_id == factor.user_id,
            or_(TotpFactor.last_used_step.is_(None), TotpFactor.last_used_step < fresh[0]),
        )
        .values(last_used_step=fresh[0])
    )
    return bool(getattr(result, "rowcount", 0))


async def _use_recovery_code(
    *, session: AsyncSession, user_id: str, text: str, now: datetime
) -> bool:
    """Accept an unused recovery code and mark it used."""
    candidate = normalise_recovery_code(text)
    if candidate is None:
        return False
    unused = await session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    for record in unused:
        if verify_password(candidate, record.code_hash)[0]:
            result = await session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == record.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now)
            )
            return bool(getattr(result, "rowcount", 0))
    return False


async def _replace_recovery_codes(
    *, session: AsyncSession, user_id: str, now: datetime
) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=hash_password(code), created_at=now)
        for code in codes
    )
    await session.flush()
    return codes


async def regenerate_recovery_codes(
    *, session: AsyncSession, user_id: str, now: datetime
) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned this once."""
    if not await is_enabled(session=session, user_id=user_id):
        raise Conflict("Two-factor authentication is not on for this account.")
    codes = await _replace_recovery_codes(session=session, user_id=user_id, now=now)
    await session.commit()
    return codes


async def disable_totp(
    *, session: AsyncSession, user_id: str, password: str, origin: RequestOrigin = NO_ORIGIN
) -> None:
    """Turn MFA off after checking the password: the app and the recovery codes go."""
    user = await _load_user(session=session, user_id=user_id)
    factor = await session.get(TotpFactor, user.id)
    if factor is None:
        raise NotFound("No authenticator app is set up.")
    valid, _ = verify_password(password, user.password_hash)
    if not valid:
        raise ValidationFailed(
            "The password is not right.",
            errors=[{"in": "body", "pointer": "#/password", "message": "Wrong password."}],
        )
    await session.delete(factor)
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await audit.record_for_user(session, user_id=user.id, action="auth.mfa_disabled", origin=origin)
    await session.commit()


async def require_recent_mfa(
    *, session: AsyncSession, user_session: UserSession, now: datetime
) -> None:
    """Refuse unless the user has no MFA or proved it in this session in the last ten
    minutes."""
    verified = user_session.mfa_verified_at
    if verified is not None and now - verified < STEP_UP_LIFETIME:
        return
    if await is_enabled(session=session, user_id=user_session.user_id):
        raise MfaStepUpRequired(
            "This action needs a fresh code from your authenticator app: step up first."
        )


async def _load_user(*, session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user
