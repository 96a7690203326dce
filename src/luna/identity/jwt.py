"""Bearer JWTs issued by an external identity provider (Entra ID, Okta, Google, any OIDC).

:class:`JwtVerifier` checks a token's signature against the keys the provider publishes
as a JWKS and its claims against a :class:`JwtProviderConfig`. :class:`JwksCache` fetches
those keys with an async HTTP client and limits how often an unknown ``kid`` may cause a
refetch, so forged tokens cannot make Luna fetch the key set on every request.

Users are identified by issuer and subject (:attr:`VerifiedToken.principal_key`). The
``email`` of a verified token is informational: never link accounts by it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpx
import jwt
from jwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSubjectError,
    MissingRequiredClaimError,
    PyJWTError,
)
from jwt.types import Options

from luna.errors import ServiceUnavailable, Unauthenticated
from luna.observability.logging import get_logger

log = get_logger(__name__)

_RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
ASYMMETRIC_ALGORITHMS = _RSA_ALGORITHMS | {"ES256", "ES256K", "ES384", "ES512", "EdDSA"}
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

ENTRA_JWKS_URL = "https://login.microsoftonline.com/{tenant_id}/discovery/v2.0/keys"
ENTRA_V1_ISSUER = "https://sts.windows.net/{tenant_id}/"
ENTRA_V2_ISSUER = "https://login.microsoftonline.com/{tenant_id}/v2.0"
ENTRA_EMAIL_CLAIMS = ("email", "preferred_username", "upn")

BEARER_CHALLENGE = 'Bearer error="invalid_token"'


class InvalidBearerToken(Unauthenticated):
    """The bearer token is malformed, forged, expired or meant for another audience.

    ``detail`` is a short reason that is safe to show the caller; the response carries
    the RFC 6750 ``WWW-Authenticate`` challenge.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": BEARER_CHALLENGE})


class IdentityProviderUnavailable(ServiceUnavailable):
    """The identity provider's signing keys cannot be fetched right now."""


@dataclass(frozen=True)
class JwtProviderConfig:
    """What Luna accepts from one identity provider: its keys, issuers and audiences.

    ``issuers`` are the exact ``iss`` values accepted. ``email_claims`` are read in
    order for :attr:`VerifiedToken.email`. ``jwks_cache_seconds`` bounds how long
    fetched keys are trusted; an unknown ``kid`` causes at most one refetch per
    ``min_refetch_interval_seconds``.
    """

    jwks_url: str
    issuers: tuple[str, ...]
    audiences: tuple[str, ...]
    algorithms: tuple[str, ...] = ("RS256",)
    leeway_seconds: int = 60
    required_claims: tuple[str, ...] = ("exp", "iat", "iss", "aud", "sub")
    jwks_cache_seconds: int = 3600
    min_refetch_interval_seconds: float = 30.0
    email_claims: tuple[str, ...] = ("email",)

    def __post_init__(self) -> None:
        for name in ("issuers", "audiences", "algorithms", "required_claims", "email_claims"):
            object.__setattr__(self, name, _strings(name, getattr(self, name)))
        _check_jwks_url(self.jwks_url)
        if not self.issuers or not self.audiences or not self.algorithms:
            raise ValueError("issuers, audiences and algorithms must each name at least one")
        refused = [name for name in self.algorithms if name not in ASYMMETRIC_ALGORITHMS]
        if refused:
            raise ValueError(
                f"algorithms {refused} are not allowed: only asymmetric signatures "
                "(RS*, PS*, ES*, EdDSA) are accepted, never 'none' or HS*"
            )
        if "exp" not in self.required_claims:
            raise ValueError("required_claims must include 'exp': tokens must expire")
        self._check_durations()

    def _check_durations(self) -> None:
        if self.leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        if self.min_refetch_interval_seconds < 0:
            raise ValueError("min_refetch_interval_seconds must not be negative")
        if self.jwks_cache_seconds < max(self.min_refetch_interval_seconds, 1):
            raise ValueError(
                "jwks_cache_seconds must be at least 1 and at least min_refetch_interval_seconds"
            )

    @classmethod
    def entra(
        cls,
        tenant_id: str,
        audiences: str | Sequence[str],
        *,
        accept_v1: bool = True,
        accept_v2: bool = True,
        jwks_url: str | None = None,
    ) -> JwtProviderConfig:
        """The configuration for one Microsoft Entra ID tenant.

        ``tenant_id`` is the directory id (a GUID); the multi-tenant endpoints
        (``common``, ``organizations``, ``consumers``) are refused because their tokens
        carry each user's own tenant as issuer. v1 tokens (issuer
        ``https://sts.windows.net/{tenant}/``) and v2 tokens (issuer
        ``https://login.microsoftonline.com/{tenant}/v2.0``) are both checked against the
        tenant's keys, read from ``jwks_url`` (default: the tenant's v2.0 key set).
        """
        try:
            tenant = str(uuid.UUID(tenant_id))
        except ValueError:
            raise ValueError(
                "tenant_id must be the tenant's directory id (a GUID); "
                "'common', 'organizations' and 'consumers' are not supported"
            ) from None
        issuers = [
            template.format(tenant_id=tenant)
            for template, accepted in ((ENTRA_V1_ISSUER, accept_v1), (ENTRA_V2_ISSUER, accept_v2))
            if accepted
        ]
        if not issuers:
            raise ValueError("accept v1 tokens, v2 tokens or both")
        return cls(
            jwks_url=jwks_url or ENTRA_JWKS_URL.format(tenant_id=tenant),
            issuers=tuple(issuers),
            audiences=(audiences,) if isinstance(audiences, str) else tuple(audiences),
            email_claims=ENTRA_EMAIL_CLAIMS,
        )


def _strings(name: str, values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{name} must be a sequence of non-empty strings")
    return tuple(values)


def _check_jwks_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = httpx.URL()
    if parsed.scheme == "https" and parsed.host:
        return
    if parsed.scheme == "http" and parsed.host in _LOOPBACK_HOSTS:
        return
    raise ValueError("jwks_url must be an https:// URL (plain http:// only on localhost)")


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature, issuer, audience and lifetime have been checked."""

    issuer: str
    subject: str
    audience: str
    claims: Mapping[str, Any] = field(repr=False)
    tenant_id: str | None
    email: str | None

    @property
    def principal_key(self) -> str:
        """The user's identity at the provider: issuer and subject together."""
        return f"{self.issuer}|{self.subject}"


class JwksCache:
    """One provider's signing keys by ``kid``, fetched on demand and cached.

    Only keys meant for signatures (``use`` absent or ``sig``) whose algorithm the
    configuration allows are kept. Fetches happen when the cache is empty or older than
    ``jwks_cache_seconds``, or when a token names an unknown ``kid``; a fetch is never
    attempted sooner than ``min_refetch_interval_seconds`` after the previous attempt,
    and concurrent requests wait for one fetch rather than starting their own.
    """

    def __init__(
        self,
        config: JwtProviderConfig,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._http = http
        self._clock = clock
        self._keys: dict[str, dict[str, jwt.PyJWK]] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def signing_key(self, kid: str, algorithm: str) -> jwt.PyJWK:
        """The published key ``kid`` for verifying with ``algorithm``.

        Raises :class:`InvalidBearerToken` when the provider publishes no such key and
        :class:`IdentityProviderUnavailable` when the key set cannot be fetched.
        """
        if self._needs_fetch(kid):
            async with self._lock:
                if self._needs_fetch(kid):  # another request may have fetched meanwhile
                    await self._fetch_unless_too_soon()
        key = self._keys.get(kid, {}).get(algorithm)
        if key is None:
            reason = "unknown signing key" if kid not in self._keys else "algorithm not allowed"
            raise InvalidBearerToken(reason)
        return key

    def _is_fresh(self) -> bool:
        return (
            self._fetched_at is not None
            and self._clock() - self._fetched_at < self.config.jwks_cache_seconds
        )

    def _needs_fetch(self, kid: str) -> bool:
        return kid not in self._keys or not self._is_fresh()

    async def _fetch_unless_too_soon(self) -> None:
        now = self._clock()
        interval = self.config.min_refetch_interval_seconds
        if self._attempted_at is not None and now - self._attempted_at < interval:
            if not self._is_fresh():  # the last attempt failed moments ago
                raise IdentityProviderUnavailable("the identity provider's keys are unavailable")
            return
        self._attempted_at = now
        self._keys = await self._fetch()
        self._fetched_at = now

    async def _fetch(self) -> dict[str, dict[str, jwt.PyJWK]]:
        url = self.config.jwks_url
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks fetch failed", jwks_url=url, error=repr(exc))
            raise IdentityProviderUnavailable(
                "the identity provider's keys could not be fetched"
            ) from exc
        keys = _signing_keys(document, self.config.algorithms)
        if not keys:
            log.warning("jwks has no usable signing key", jwks_url=url)
            raise IdentityProviderUnavailable("the identity provider publishes no usable key")
        log.info("jwks fetched", jwks_url=url, kids=sorted(keys))
        return keys


def _signing_keys(document: object, allowed: tuple[str, ...]) -> dict[str, dict[str, jwt.PyJWK]]:
    """The usable keys of a JWKS document, by ``kid`` then by algorithm."""
    published = document.get("keys") if isinstance(document, dict) else None
    keys: dict[str, dict[str, jwt.PyJWK]] = {}
    for jwk in published if isinstance(published, list) else []:
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
            continue
        kid = jwk.get("kid")
        usable = _keys_by_algorithm(jwk, allowed)
        if isinstance(kid, str) and kid and usable:
            keys.setdefault(kid, usable)
    return keys


def _keys_by_algorithm(jwk: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, jwt.PyJWK]:
    """The key built for each allowed algorithm it may verify.

    A key that declares ``alg`` serves that algorithm only. Without one (Entra publishes
    none), an RSA key serves every allowed RS*/PS* algorithm, and EC and OKP keys the one
    their curve implies.
    """
    declared = jwk.get("alg")
    candidates: list[str | None]
    if declared is not None:
        candidates = [declared] if declared in allowed else []
    elif jwk.get("kty") == "RSA":
        candidates = [name for name in allowed if name in _RSA_ALGORITHMS]
    else:
        candidates = [None]
    usable: dict[str, jwt.PyJWK] = {}
    for candidate in candidates:
        try:
            key = jwt.PyJWK(jwk, candidate)
        except PyJWTError:
            continue
        if key.algorithm_name in allowed:
            usable[key.algorithm_name] = key
    return usable


_REASONS: tuple[tuple[type[PyJWTError], str], ...] = (
    (ExpiredSignatureError, "token expired"),
    (ImmatureSignatureError, "token not yet valid"),
    (InvalidAudienceError, "audience not accepted"),
    (InvalidIssuerError, "issuer not accepted"),
    (InvalidSignatureError, "invalid signature"),
    (InvalidAlgorithmError, "algorithm not allowed"),
    (InvalidIssuedAtError, "invalid iat claim"),
    (InvalidSubjectError, "invalid sub claim"),
    (DecodeError, "malformed token"),
)


def _reason(error: PyJWTError) -> str:
    if isinstance(error, MissingRequiredClaimError):
        return f"missing {error.claim} claim"
    return next((reason for kind, reason in _REASONS if isinstance(error, kind)), "invalid token")


class JwtVerifier:
    """Verifies the bearer tokens of one identity provider."""

    def __init__(
        self,
        config: JwtProviderConfig,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.keys = JwksCache(config, http, clock=clock)
        self._options: Options = {
            "verify_signature": True,
            "verify_exp": True,
            "verify_nbf": True,
            "verify_iat": True,
            "verify_iss": True,
            "verify_aud": True,
            "verify_sub": True,
            "verify_jti": True,
            "strict_aud": False,
            "enforce_minimum_key_length": True,
            "require": list(config.required_claims),
        }

    async def verify(self, token: str) -> VerifiedToken:
        """Check ``token`` and return who it identifies.

        Raises :class:`InvalidBearerToken` (401) for any token Luna must not accept and
        :class:`IdentityProviderUnavailable` (503) when the provider's keys cannot be
        fetched.
        """
        kid, algorithm = self._read_header(token)
        key = await self.keys.signing_key(kid, algorithm)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self.config.algorithms,
                audience=self.config.audiences,
                issuer=self.config.issuers,
                leeway=self.config.leeway_seconds,
                options=self._options,
            )
        except PyJWTError as exc:
            raise InvalidBearerToken(_reason(exc)) from exc
        return self._verified(claims)

    def _read_header(self, token: str) -> tuple[str, str]:
        """The ``kid`` and ``alg`` of an unverified token, refused before any key lookup."""
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError as exc:
            raise InvalidBearerToken("malformed token") from exc
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.config.algorithms:
            raise InvalidBearerToken("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidBearerToken("missing key id")
        return kid, algorithm

    def _verified(self, claims: dict[str, Any]) -> VerifiedToken:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidBearerToken("missing sub claim")
        token_audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        return VerifiedToken(
            issuer=claims["iss"],
            subject=subject,
            audience=next(aud for aud in token_audiences if aud in self.config.audiences),
            claims=MappingProxyType(claims),
            tenant_id=_string_claim(claims, "tid"),
            email=_email(claims, self.config.email_claims),
        )


def _email(claims: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    """The first of the ``names`` claims that holds an address (Entra's may hold a phone)."""
    addresses = (_string_claim(claims, name) for name in names)
    return next((value for value in addresses if value and "@" in value), None)


def _string_claim(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None
