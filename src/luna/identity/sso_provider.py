"""The relying-party side of OpenID Connect: discovery, authorization, code exchange, ID token.

Authlib builds the protocol messages (the authorization URL with its PKCE S256 challenge,
the token request and its client authentication); the requests go through the injected
``httpx.AsyncClient``. ID tokens are checked by :class:`luna.identity.jwt.JwtVerifier`
against the provider's published keys, then for the nonce and authorized party.
Anything the provider does wrong becomes :class:`SsoProviderFailed` (502), logged with
its cause, never a bare 500.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.oauth2.auth import ClientAuth  # type: ignore[import-untyped]
from authlib.oauth2.client import OAuth2Client  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.parameters import (  # type: ignore[import-untyped]
    prepare_token_request,
)
from pydantic import ValidationError

from luna.errors import LunaError
from luna.identity.jwt import InvalidBearerToken, JwtProviderConfig, JwtVerifier
from luna.identity.service import normalise_email
from luna.identity.sso_schemas import ProviderMetadata, TokenResponse
from luna.observability.logging import get_logger

log = get_logger(__name__)

SCOPE = "openid email profile"
DISCOVERY_PATH = "/.well-known/openid-configuration"
_TOKEN_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/x-www-form-urlencoded",
}


class SsoProviderFailed(LunaError):
    """The identity provider could not be reached or answered something Luna must refuse.

    ``reason`` says which: ``unreachable``, ``bad-response``, ``invalid-discovery``,
    ``token-refused`` or ``id-token-invalid``.
    """

    code = "sso-provider-failed"
    status = 502
    title = "Bad Gateway"


@dataclass(frozen=True)
class ClientRegistration:
    """Luna's registration at a provider: the client and where the browser comes back."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class SsoIdentity:
    """Who a verified ID token says signed in. ``email`` is normalised, when present."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


async def discover_provider(*, http: httpx.AsyncClient, issuer: str) -> ProviderMetadata:
    """The provider's discovery document, checked: it must name ``issuer`` exactly."""
    url = issuer.rstrip("/") + DISCOVERY_PATH
    response = await _call_provider(http, "GET", url, what="discovery document")
    if response.status_code != 200:
        log.warning("sso discovery failed", url=url, status=response.status_code)
        raise SsoProviderFailed(
            f"The provider answered HTTP {response.status_code} for {url}.", reason="bad-response"
        )
    try:
        metadata = ProviderMetadata.model_validate(_json_object(response, "discovery document"))
    except ValidationError as exc:
        log.warning("sso discovery document invalid", url=url, error=str(exc))
        raise SsoProviderFailed(
            f"The discovery document at {url} lacks a valid endpoint.", reason="invalid-discovery"
        ) from exc
    problem = _unusable(metadata, issuer)
    if problem:
        log.warning("sso discovery document unusable", url=url, problem=problem)
        raise SsoProviderFailed(problem, reason="invalid-discovery")
    return metadata


def _unusable(metadata: ProviderMetadata, issuer: str) -> str | None:
    if metadata.issuer != issuer:
        return f"The discovery document names the issuer {metadata.issuer!r}, not {issuer!r}."
    if metadata.client_auth_method is None:
        return "The provider supports neither client_secret_basic nor client_secret_post."
    if not metadata.id_token_algorithms:
        return "The provider signs ID tokens with no algorithm Luna accepts."
    return None


def authorization_url(
    metadata: ProviderMetadata,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_verifier: str,
) -> str:
    """The provider's sign-in page for an authorization code with PKCE (S256) and a nonce."""
    client = OAuth2Client(
        None,
        client_id=client_id,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    url, _ = client.create_authorization_url(
        metadata.authorization_endpoint, state=state, code_verifier=code_verifier, nonce=nonce
    )
    return str(url)


async def exchange_code(
    *,
    http: httpx.AsyncClient,
    metadata: ProviderMetadata,
    client: ClientRegistration,
    code: str,
    code_verifier: str,
) -> str:
    """Trade an authorization code (and its PKCE verifier) for the ID token."""
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=client.redirect_uri,
        code_verifier=code_verifier,
    )
    client_auth = ClientAuth(client.client_id, client.client_secret, metadata.client_auth_method)
    url, headers, content = client_auth.prepare(
        "POST", metadata.token_endpoint, dict(_TOKEN_HEADERS), body
    )
    response = await _call_provider(
        http, "POST", url, what="token endpoint", headers=headers, content=content
    )
    document = _json_object(response, "token response")
    if response.status_code != 200 or "error" in document:
        raise _token_refused(document, response.status_code)
    try:
        return TokenResponse.model_validate(document).id_token
    except ValidationError as exc:
        log.warning("sso token response without id token", url=url)
        raise SsoProviderFailed(
            "The identity provider's token response has no ID token.", reason="bad-response"
        ) from exc


def _token_refused(document: Mapping[str, Any], status: int) -> SsoProviderFailed:
    error = str(document.get("error") or f"HTTP {status}")[:100]
    description = str(document.get("error_description") or "")[:300]
    log.warning("sso code exchange refused", error=error, description=description, status=status)
    return SsoProviderFailed(
        f"The identity provider refused to exchange the sign-in code ({error}).",
        reason="token-refused",
        provider_error=error,
    )


async def verify_id_token(
    *,
    http: httpx.AsyncClient,
    metadata: ProviderMetadata,
    client: ClientRegistration,
    id_token: str,
    nonce: str,
) -> SsoIdentity:
    """Check an ID token: signature, algorithm, issuer, audience, lifetime, nonce, azp."""
    config = JwtProviderConfig(
        jwks_url=metadata.jwks_uri,
        issuers=(client.issuer,),
        audiences=(client.client_id,),
        algorithms=metadata.id_token_algorithms,
    )
    try:
        token = await JwtVerifier(config, http).verify(id_token)
    except InvalidBearerToken as exc:
        raise _id_token_refused(exc.detail) from exc
    claims = token.claims
    if not _same(claims.get("nonce"), nonce):
        raise _id_token_refused("nonce does not match")
    if not _authorized_party_is(claims, client.client_id):
        raise _id_token_refused("issued to another client")
    return _identity(token.issuer, token.subject, claims)


def _id_token_refused(reason: str) -> SsoProviderFailed:
    log.warning("sso id token refused", reason=reason)
    return SsoProviderFailed(
        f"The identity provider's ID token was refused: {reason}.", reason="id-token-invalid"
    )


def _same(claimed: object, expected: str) -> bool:
    return isinstance(claimed, str) and hmac.compare_digest(claimed.encode(), expected.encode())


def _authorized_party_is(claims: Mapping[str, Any], client_id: str) -> bool:
    """OpenID Connect Core 3.1.3.7: an ``azp`` must be this client, and a token for
    several audiences must carry one."""
    audience = claims.get("aud")
    if "azp" in claims:
        return bool(claims["azp"] == client_id)
    return not isinstance(audience, list) or len(audience) == 1


def _identity(issuer: str, subject: str, claims: Mapping[str, Any]) -> SsoIdentity:
    email, name = claims.get("email"), claims.get("name")
    verified = claims.get("email_verified")
    return SsoIdentity(
        issuer=issuer,
        subject=subject,
        email=normalise_email(email) if isinstance(email, str) and "@" in email else None,
        # Some providers send the JSON string "true" rather than the boolean.
        email_verified=verified is True or verified == "true",
        name=(name.strip() or None) if isinstance(name, str) else None,
    )


async def _call_provider(
    http: httpx.AsyncClient, method: str, url: str, *, what: str, **options: Any
) -> httpx.Response:
    try:
        return await http.request(method, url, **options)
    except httpx.HTTPError as exc:
        log.warning("sso provider unreachable", url=url, error=repr(exc))
        raise SsoProviderFailed(
            f"The identity provider could not be reached for its {what}.", reason="unreachable"
        ) from exc


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        log.warning("sso provider answer not json", url=str(response.request.url))
        raise SsoProviderFailed(
            f"The identity provider's {what} is not a JSON object (HTTP {response.status_code}).",
            reason="bad-response",
        )
    return document
