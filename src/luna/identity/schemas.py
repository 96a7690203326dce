"""Request and response shapes of the account, session, MFA and API key endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from luna.db.pagination import Page
from luna.identity.api_keys import Scope
from luna.schemas import JsonDatetime, RequestModel
from luna.tenancy.schemas import Me

Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
# A password being chosen; the strength rules beyond length are checked by the service.
NewPassword = Annotated[str, StringConstraints(min_length=10, max_length=128)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Token = Annotated[str, StringConstraints(min_length=10, max_length=200)]
TotpCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]
# Spaces, hyphens and capitals are forgiven: the service normalises before comparing.
RecoveryCodeText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=32)
]


DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SignUp(RequestModel):
    """A new account."""

    email: EmailStr = Field(max_length=320)
    password: NewPassword
    display_name: DisplayName


class ProfileUpdate(RequestModel):
    """The signed-in user's new display name."""

    display_name: DisplayName


class LogIn(RequestModel):
    """Credentials."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Password


class LoginResult(BaseModel):
    """The outcome of a sign-in with the right password.

    With ``mfa_required`` the new session waits for the second factor
    (``POST /api/v1/auth/mfa/verify``) and ``me`` is absent; otherwise ``me`` is the
    signed-in user.
    """

    mfa_required: bool
    me: Me | None = None


class TokenBody(RequestModel):
    """A token from an emailed link."""

    token: Token


class ForgotPassword(RequestModel):
    """Where to send a reset link."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]


class ResetPassword(RequestModel):
    """A reset link's token and the new password."""

    token: Token
    password: NewPassword


class ChangeEmail(RequestModel):
    """A new email address, confirmed with the current password."""

    new_email: EmailStr = Field(max_length=320)
    password: Password


class ChangePassword(RequestModel):
    """The current password and the new one."""

    current_password: Password
    new_password: NewPassword


class SessionOut(BaseModel):
    """A signed-in browser."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip_address: str
    user_agent: str
    current: bool = False


class ApiKeyCreate(RequestModel):
    """A new API key for the workspace."""

    name: Name
    scopes: list[Scope] = Field(min_length=1, max_length=len(get_args(Scope)))
    expires_at: JsonDatetime | None = Field(
        None, description="With a time zone; absent for a key that never expires."
    )


class ApiKeyOut(BaseModel):
    """An API key as listed: never its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    revoked_at: datetime | None


class CurrentApiKey(ApiKeyOut):
    """The API key a request is authenticated with, and where it belongs: what a program
    holding only its key needs to find its workspace."""

    workspace_id: str
    team_id: str


class ApiKeyCreated(ApiKeyOut):
    """A just-created key. ``key`` is shown this once and cannot be read again."""

    key: str


class MfaStatusOut(BaseModel):
    """Whether two-factor authentication is on, and how many recovery codes are left."""

    model_config = ConfigDict(from_attributes=True)

    enabled: bool
    confirmed_at: datetime | None
    recovery_codes_remaining: int


class TotpEnrolmentOut(BaseModel):
    """A new authenticator seed. It becomes active once a code from the app confirms it."""

    secret: str = Field(description="The base32 seed, for typing into an app by hand.")
    otpauth_uri: str = Field(description="The otpauth:// URI, to show as a QR code.")


class TotpCodeBody(RequestModel):
    """A six-digit code from the authenticator app."""

    code: TotpCode


class MfaProof(RequestModel):
    """A second factor: either a code from the authenticator app or a recovery code."""

    code: TotpCode | None = None
    recovery_code: RecoveryCodeText | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> MfaProof:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("Send either code or recovery_code, not both or neither.")
        return self


class RecoveryCodesOut(BaseModel):
    """Single-use recovery codes, shown this once: each signs in once without the app."""

    codes: list[str]


class MfaDisable(RequestModel):
    """The account password, to confirm turning two-factor authentication off."""

    password: Password


class CookieConsentIn(RequestModel):
    """The optional cookie categories the user allows (necessary cookies are always on)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    analytics: bool
    marketing: bool


class CookieChoice(CookieConsentIn):
    """A stored choice and when it was made."""

    updated_at: datetime


class CookieConsentOut(BaseModel):
    """The user's stored cookie choice; ``null`` until they make one (and always for a
    visitor who is not signed in)."""

    signed_in: bool
    choice: CookieChoice | None


class SessionPage(Page[SessionOut]):
    """The user's signed-in browsers, all on one page (`next_cursor` is null)."""


class ApiKeyPage(Page[ApiKeyOut]):
    """The workspace's keys, all on one page (`next_cursor` is null)."""
