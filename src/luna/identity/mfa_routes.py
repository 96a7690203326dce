"""Multi-factor authentication: TOTP enrolment, verification, recovery codes, step-up."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from luna.deps import (
    ClockDep,
    KeyringDep,
    OriginDep,
    PendingMfaPrincipalDep,
    SessionDep,
    SettingsDep,
    UserPrincipalDep,
    require_recent_mfa,
)
from luna.identity import mfa
from luna.identity.cookies import set_session_cookie
from luna.identity.models import UserSession
from luna.identity.principal import Principal
from luna.identity.schemas import (
    MfaDisable,
    MfaProof,
    MfaStatusOut,
    RecoveryCodesOut,
    TotpCodeBody,
    TotpEnrolmentOut,
)
from luna.tenancy.schemas import Me
from luna.tenancy.service import describe_user

router = APIRouter(prefix="/api/v1", tags=["mfa"])

RECENT_MFA = Depends(require_recent_mfa)


def _session_of(principal: Principal) -> UserSession:
    """The caller's browser session, which the user principal dependencies guarantee."""
    assert principal.session is not None  # noqa: S101
    return principal.session


@router.get("/auth/mfa", operation_id="auth-mfa-get", response_model=MfaStatusOut)
async def get_mfa_status(principal: UserPrincipalDep, session: SessionDep) -> MfaStatusOut:
    """Whether two-factor authentication is on, and how many recovery codes are left."""
    state = await mfa.describe_mfa(session=session, user_id=_session_of(principal).user_id)
    return MfaStatusOut.model_validate(state)


@router.post(
    "/auth/mfa/totp/enrol",
    operation_id="auth-mfa-totp-enrol",
    status_code=201,
    response_model=TotpEnrolmentOut,
)
async def enrol_totp(
    principal: UserPrincipalDep, session: SessionDep, keyring: KeyringDep, clock: ClockDep
) -> TotpEnrolmentOut:
    """Start setting up an authenticator app: show ``otpauth_uri`` as a QR code, then
    confirm with a code. Starting again replaces a set-up never confirmed; an app already
    confirmed must be turned off first (409)."""
    enrolment = await mfa.enrol_totp(
        session=session, user_id=_session_of(principal).user_id, keyring=keyring, now=clock()
    )
    return TotpEnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.provisioning_uri)


@router.post(
    "/auth/mfa/totp/confirm", operation_id="auth-mfa-totp-confirm", response_model=RecoveryCodesOut
)
async def confirm_totp(
    body: TotpCodeBody,
    principal: UserPrincipalDep,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    clock: ClockDep,
    origin: OriginDep,
) -> RecoveryCodesOut:
    """Turn two-factor authentication on with a first code from the app. The answer holds
    ten recovery codes, shown only this once; this session gets a new id."""
    codes, token = await mfa.confirm_totp(
        session=session,
        current_session=_session_of(principal),
        code=body.code,
        keyring=keyring,
        now=clock(),
        origin=origin,
    )
    set_session_cookie(response, token, settings)
    return RecoveryCodesOut(codes=codes)


@router.delete(
    "/auth/mfa/totp",
    operation_id="auth-mfa-totp-disable",
    status_code=204,
    dependencies=[RECENT_MFA],
)
async def disable_totp(
    body: MfaDisable, principal: UserPrincipalDep, session: SessionDep, origin: OriginDep
) -> None:
    """Turn two-factor authentication off. Needs the password and a recent step-up; the
    app's seed and every recovery code are deleted."""
    await mfa.disable_totp(
        session=session,
        user_id=_session_of(principal).user_id,
        password=body.password,
        origin=origin,
    )


@router.post(
    "/auth/mfa/recovery-codes",
    operation_id="auth-mfa-recovery-codes-regenerate",
    response_model=RecoveryCodesOut,
    dependencies=[RECENT_MFA],
)
async def regenerate_recovery_codes(
    principal: UserPrincipalDep, session: SessionDep, clock: ClockDep
) -> RecoveryCodesOut:
    """Replace every recovery code with ten new ones, shown only this once. Needs a recent
    step-up."""
    codes = await mfa.regenerate_recovery_codes(
        session=session, user_id=_session_of(principal).user_id, now=clock()
    )
    return RecoveryCodesOut(codes=codes)


@router.post("/auth/mfa/verify", operation_id="auth-mfa-verify", response_model=Me)
async def verify_sign_in(
    body: MfaProof,
    principal: PendingMfaPrincipalDep,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    clock: ClockDep,
) -> Me:
    """Finish signing in with a code from the app or a recovery code. The session gets a
    new id and becomes fully usable. Wrong codes count toward the sign-in lockout."""
    user, token = await mfa.verify_sign_in(
        session=session,
        current_session=_session_of(principal),
        code=body.code,
        recovery_code=body.recovery_code,
        keyring=keyring,
        settings=settings,
        now=clock(),
    )
    set_session_cookie(response, token, settings)
    return await describe_user(session=session, user=user)


@router.post("/auth/mfa/step-up", operation_id="auth-mfa-step-up", status_code=204)
async def step_up(
    body: MfaProof,
    principal: UserPrincipalDep,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    clock: ClockDep,
) -> None:
    """Prove the second factor again before a sensitive action (valid for ten minutes in
    this session). The session gets a new id. Wrong codes count toward the lockout."""
    token = await mfa.step_up(
        session=session,
        current_session=_session_of(principal),
        code=body.code,
        recovery_code=body.recovery_code,
        keyring=keyring,
        settings=settings,
        now=clock(),
    )
    set_session_cookie(response, token, settings)
