"""Request and response shapes of the account, session and API key endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from luna.identity.api_keys import Scope

Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
# A password being chosen; the strength rules beyond length are checked by the service.
NewPassword = Annotated[str, StringConstraints(min_length=10, max_length=128)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Token = Annotated[str, StringConstraints(min_length=10, max_length=200)]


class SignUp(BaseModel):
    """A new account."""

    email: EmailStr = Field(max_length=320)
    password: NewPassword
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]


class LogIn(BaseModel):
    """Credentials."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Password


class TokenBody(BaseModel):
    """A token from an emailed link."""

    token: Token


class ForgotPassword(BaseModel):
    """Where to send a reset link."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]


class ResetPassword(BaseModel):
    """A reset link's token and the new password."""

    token: Token
    password: NewPassword


class ChangePassword(BaseModel):
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


class ApiKeyCreate(BaseModel):
    """A new API key for the workspace."""

    name: Name
    scopes: list[Scope] = Field(min_length=1, max_length=6)
    expires_at: AwareDatetime | None = Field(
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


class ApiKeyCreated(ApiKeyOut):
    """A just-created key. ``key`` is shown this once and cannot be read again."""

    key: str
