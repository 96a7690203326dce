"""Sign-up, sign-in, sign-out, email and password flows, the current user and sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from luna.deps import (
    ClockDep,
    OptionalUserPrincipalDep,
    OriginDep,
    PendingMfaPrincipalDep,
    SessionDep,
    SettingsDep,
    UserPrincipalDep,
)
from luna.errors import NotFound
from luna.identity import service, sessions
from luna.identity.cookies import clear_session_cookie, set_session_cookie
from luna.identity.models import User
from luna.identity.principal import client_info
from luna.identity.schemas import (
    ChangeEmail,
    ChangePassword,
    CookieConsentIn,
    CookieConsentOut,
    ForgotPassword,
    LogIn,
    LoginResult,
    ProfileUpdate,
    ResetPassword,
    SessionOut,
    SessionPage,
    SignUp,
    TokenBody,
)
from luna.identity.sign_in import sign_in_with_password, sign_out
from luna.tenancy.schemas import Me
from luna.tenancy.service import describe_user

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/signup", operation_id="auth-signup", status_code=201, response_model=Me)
async def sign_up(
    body: SignUp,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Me:
    """Create an account, its personal team and workspace, and sign in."""
    user, token = await service.do_sign_up(
        session=session,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        client=client_info(request),
        settings=settings,
        now=clock(),
    )
    set_session_cookie(response, token, settings)
    return await describe_user(session=session, user=user)


@router.post("/auth/login", operation_id="auth-login", response_model=LoginResult)
async def log_in(
    body: LogIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> LoginResult:
    """Sign in with email and password; a new session id every time (no fixation).

    When the account has two-factor authentication on, the session only becomes usable
    after ``POST /api/v1/auth/mfa/verify``: the answer then says ``mfa_required`` and
    carries no user.
    """
    result = await sign_in_with_password(
        session=session,
        email=body.email,
        password=body.password,
        client=client_info(request),
        origin=origin,
        settings=settings,
        now=clock(),
    )
    set_session_cookie(response, result.token, settings)
    if result.mfa_required:
        return LoginResult(mfa_required=True)
    me = await describe_user(session=session, user=result.user)
    return LoginResult(mfa_required=False, me=me)


@router.post("/auth/logout", operation_id="auth-logout", status_code=204)
async def log_out(
    principal: PendingMfaPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> Response:
    """End this session on the server and drop the cookie (also mid-way through MFA)."""
    assert principal.session is not None  # noqa: S101  (guaranteed by PendingMfaPrincipalDep)
    await sign_out(session=session, record=principal.session, origin=origin, now=clock())
    response = Response(status_code=204)
    clear_session_cookie(response, settings)
    return response


@router.post("/auth/email/verify", operation_id="auth-email-verify", status_code=204)
async def verify_email(body: TokenBody, session: SessionDep, clock: ClockDep) -> None:
    """Confirm an email address with the token from the verification email."""
    await service.verify_email(session=session, token=body.token, now=clock())


@router.post("/auth/email/resend", operation_id="auth-email-resend", status_code=202)
async def resend_verification(
    principal: UserPrincipalDep, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> None:
    """Send a new verification email (nothing happens once the address is verified)."""
    user = await _current_user(session, principal.user_id)
    await service.resend_verification(session=session, user=user, settings=settings, now=clock())


@router.post("/auth/password/forgot", operation_id="auth-password-forgot", status_code=202)
async def forgot_password(
    body: ForgotPassword, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> None:
    """Email a reset link if an account has this address; the answer is the same either way."""
    await service.request_password_reset(
        session=session, email=body.email, settings=settings, now=clock()
    )


@router.post("/auth/password/reset", operation_id="auth-password-reset", status_code=204)
async def reset_password(
    body: ResetPassword, session: SessionDep, clock: ClockDep, origin: OriginDep
) -> None:
    """Choose a new password with a reset link's token; every session is signed out."""
    await service.reset_password(
        session=session, token=body.token, password=body.password, now=clock(), origin=origin
    )


@router.get("/me", operation_id="me-get", response_model=Me, tags=["me"])
async def get_me(principal: UserPrincipalDep, session: SessionDep) -> Me:
    """The signed-in user with their teams, roles and workspaces."""
    user = await _current_user(session, principal.user_id)
    return await describe_user(session=session, user=user)


@router.patch("/me", operation_id="me-update", response_model=Me, tags=["me"])
async def update_me(
    body: ProfileUpdate, principal: UserPrincipalDep, session: SessionDep, origin: OriginDep
) -> Me:
    """Change the signed-in user's display name (recorded in the audit log of their teams)."""
    user = await _current_user(session, principal.user_id)
    await service.change_display_name(
        session=session, user=user, display_name=body.display_name, origin=origin
    )
    return await describe_user(session=session, user=user)


@router.get(
    "/me/consent", operation_id="me-consent-get", response_model=CookieConsentOut, tags=["me"]
)
async def get_cookie_consent(
    principal: OptionalUserPrincipalDep, session: SessionDep
) -> CookieConsentOut:
    """The user's cookie choice, so that a new browser applies it without asking again.
    Visitors who are not signed in get ``signed_in: false`` (their choice is a cookie)."""
    if principal is None:
        return CookieConsentOut(signed_in=False, choice=None)
    user = await _current_user(session, principal.user_id)
    return service.cookie_consent_of(user)


@router.put(
    "/me/consent", operation_id="me-consent-set", response_model=CookieConsentOut, tags=["me"]
)
async def set_cookie_consent(
    body: CookieConsentIn, principal: UserPrincipalDep, session: SessionDep, clock: ClockDep
) -> CookieConsentOut:
    """Store the user's cookie choice on their account."""
    user = await _current_user(session, principal.user_id)
    return await service.set_cookie_consent(session=session, user=user, choice=body, now=clock())


@router.post("/me/password", operation_id="me-password-change", status_code=204, tags=["me"])
async def change_password(
    body: ChangePassword,
    principal: UserPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    origin: OriginDep,
) -> Response:
    """Change the password; other sessions end and this one gets a new id."""
    assert principal.session is not None  # noqa: S101
    user = await _current_user(session, principal.user_id)
    token = await service.change_password(
        session=session,
        user=user,
        current_password=body.current_password,
        new_password=body.new_password,
        current_session=principal.session,
        now=clock(),
        origin=origin,
    )
    response = Response(status_code=204)
    set_session_cookie(response, token, settings)
    return response


@router.post("/me/email", operation_id="me-email-change", status_code=202, tags=["me"])
async def change_email(
    body: ChangeEmail,
    principal: UserPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> None:
    """Ask to move the account to a new address: a link goes there, and the address changes
    when it is opened."""
    user = await _current_user(session, principal.user_id)
    await service.request_email_change(
        session=session,
        user=user,
        new_email=body.new_email,
        password=body.password,
        settings=settings,
        now=clock(),
    )


@router.post(
    "/auth/email/change/confirm", operation_id="auth-email-change-confirm", status_code=204
)
async def confirm_email_change(
    body: TokenBody, session: SessionDep, clock: ClockDep, origin: OriginDep
) -> None:
    """Confirm a new email address with the token sent to it."""
    await service.confirm_email_change(
        session=session, token=body.token, now=clock(), origin=origin
    )


@router.get(
    "/me/sessions", operation_id="me-sessions-list", response_model=SessionPage, tags=["me"]
)
async def list_sessions(
    principal: UserPrincipalDep, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> SessionPage:
    """The user's signed-in browsers; ``current`` marks this one."""
    assert principal.session is not None  # noqa: S101
    records = await sessions.list_live_sessions(
        session=session, user_id=principal.session.user_id, settings=settings, now=clock()
    )
    current_id = principal.session.id
    items = [
        SessionOut.model_validate(r).model_copy(update={"current": r.id == current_id})
        for r in records
    ]
    return SessionPage(items=items, next_cursor=None)


@router.delete(
    "/me/sessions/{session_id}", operation_id="me-sessions-revoke", status_code=204, tags=["me"]
)
async def revoke_session(
    session_id: str, principal: UserPrincipalDep, session: SessionDep, clock: ClockDep
) -> None:
    """Sign out one of the user's sessions."""
    revoked = await sessions.revoke_own_session(
        session=session, user_id=principal.user_id or "", session_id=session_id, now=clock()
    )
    if not revoked:
        raise NotFound(f"No session {session_id}.")


@router.delete("/me/sessions", operation_id="me-sessions-revoke-all", status_code=204, tags=["me"])
async def sign_out_everywhere(
    principal: UserPrincipalDep, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """Sign out every session of the user, this one included."""
    await sessions.do_sign_out_everywhere(
        session=session, user_id=principal.user_id or "", now=clock()
    )
    response = Response(status_code=204)
    clear_session_cookie(response, settings)
    return response


async def _current_user(session: SessionDep, user_id: str | None) -> User:
    user = await session.get(User, user_id) if user_id else None
    if user is None:
        raise NotFound("No such user.")
    return user
