"""Shapes of single sign-on: a team's provider settings and the provider's own documents."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    field_validator,
)

from luna.identity.jwt import ASYMMETRIC_ALGORITHMS
from luna.schemas import RequestModel

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})
# Client authentication at the token endpoint that Luna can perform, most preferred first.
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

SsoRole = Literal["admin", "member", "viewer"]


def check_provider_url(value: str) -> str:
    """An https:// URL (plain http:// only on localhost), with no credentials or fragment."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValueError("is not a URL") from None
    secure = parts.scheme == "https" and bool(host)
    local = parts.scheme == "http" and host in LOOPBACK_HOSTS
    if not (secure or local):
        raise ValueError("must be an https:// URL (plain http:// only for localhost or 127.0.0.1)")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise ValueError("must not carry credentials or a fragment")
    return value


def _check_issuer(value: str) -> str:
    check_provider_url(value)
    if urlsplit(value).query:
        raise ValueError("must not have a query")
    return value


def _normalise_domain(value: str) -> str:
    domain = value.strip().lower().removeprefix("@")
    if not _DOMAIN.match(domain):
        raise ValueError(f"{value!r} is not an email domain such as example.com")
    return domain


Issuer = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_check_issuer),
]
ProviderUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(check_provider_url)]
EmailDomain = Annotated[str, StringConstraints(max_length=253), AfterValidator(_normalise_domain)]


class SsoConfigIn(RequestModel):
    """A team's OpenID Connect provider.

    ``client_secret`` is write-only: leave it out to keep the stored one. It is required
    the first time, and again whenever ``issuer`` or ``client_id`` changes, so a stored
    secret is never sent to a provider other than the one it was issued by.
    """

    issuer: Issuer = Field(description="The provider's issuer identifier, exactly as it says.")
    client_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]
    client_secret: Annotated[SecretStr, Field(min_length=1, max_length=1000)] | None = None
    allowed_domains: list[EmailDomain] = Field(
        default_factory=list,
        max_length=100,
        description="Email domains whose people may join the team on first sign-in. "
        "Empty: anyone with a verified email at this provider.",
    )
    default_role: SsoRole = Field("member", description="The role of people who join this way.")
    enabled: bool = True
    sso_required: bool = Field(
        False, description="Members may no longer sign in with a password while SSO is enabled."
    )

    @field_validator("allowed_domains")
    @classmethod
    def _unique(cls, domains: list[str]) -> list[str]:
        return list(dict.fromkeys(domains))


class SsoConfigOut(BaseModel):
    """A team's single sign-on settings. The client secret is never shown."""

    team_id: str
    issuer: str
    client_id: str
    has_client_secret: bool
    allowed_domains: list[str]
    default_role: str
    enabled: bool
    sso_required: bool
    redirect_uri: str = Field(description="The redirect URI to register at the provider.")
    sign_in_url: str = Field(description="Where a member's browser starts signing in.")
    created_at: datetime
    updated_at: datetime


class ProviderMetadata(BaseModel):
    """The parts of an OpenID Provider's discovery document that Luna relies on."""

    model_config = ConfigDict(extra="ignore")

    issuer: str
    authorization_endpoint: ProviderUrl
    token_endpoint: ProviderUrl
    jwks_uri: ProviderUrl
    # OpenID Connect Discovery 1.0 defaults for providers that leave these out.
    token_endpoint_auth_methods_supported: list[str] = Field(
        default_factory=lambda: ["client_secret_basic"]
    )
    id_token_signing_alg_values_supported: list[str] = Field(default_factory=lambda: ["RS256"])

    @property
    def client_auth_method(self) -> str | None:
        """How Luna authenticates at the token endpoint, or None when it cannot."""
        offered = self.token_endpoint_auth_methods_supported
        return next((method for method in CLIENT_AUTH_METHODS if method in offered), None)

    @property
    def id_token_algorithms(self) -> tuple[str, ...]:
        """The provider's ID token algorithms that Luna accepts (asymmetric only)."""
        offered = self.id_token_signing_alg_values_supported
        return tuple(name for name in offered if name in ASYMMETRIC_ALGORITHMS)


class TokenResponse(BaseModel):
    """A successful answer of the provider's token endpoint."""

    model_config = ConfigDict(extra="ignore")

    id_token: Annotated[str, StringConstraints(min_length=1)]
    token_type: str | None = None
