"""Bearer JWTs from an external identity provider, with its JWKS served in-process."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from luna.errors import ServiceUnavailable, Unauthenticated
from luna.identity.jwt import (
    IdentityProviderUnavailable,
    InvalidBearerToken,
    JwtProviderConfig,
    JwtVerifier,
)

pytestmark = pytest.mark.anyio

JWKS_URL = "https://idp.example.test/.well-known/jwks.json"
ISSUER = "https://idp.example.test/"
AUDIENCE = "api://luna"
TENANT_ID = "5f1c2a3e-8b7d-4c6a-9e0f-1a2b3c4d5e6f"
CLIENT_ID = "0d9a1f3c-2b4e-4f6a-8c7d-9e0f1a2b3c4d"
REFETCH_INTERVAL = 30.0

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class IdentityProvider:
    """A JWKS endpoint served through ``httpx.MockTransport``; it counts every fetch."""

    def __init__(self, url: str = JWKS_URL) -> None:
        self.url = url
        self.published: list[dict[str, Any]] = []
        self.fetches = 0
        self.failure: Callable[[httpx.Request], httpx.Response] | None = None

    def publish(self, kid: str, private_key: PrivateKey, **fields: Any) -> None:
        public_key = private_key.public_key()
        if isinstance(public_key, rsa.RSAPublicKey):
            jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
        self.published.append({**jwk, "kid": kid, "use": "sig", **fields})

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        await anyio.sleep(0.01)  # lets concurrent verifications pile up behind this fetch
        if str(request.url) != self.url:
            return httpx.Response(404)
        if self.failure is not None:
            return self.failure(request)
        return httpx.Response(200, json={"keys": self.published})


def sign(
    private_key: PrivateKey,
    *,
    kid: str = "rsa-1",
    algorithm: str = "RS256",
    drop: tuple[str, ...] = (),
    **claims: Any,
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-123",
        "iat": now,
        "exp": now + 600,
        "email": "ada@example.com",
        **claims,
    }
    for name in drop:
        del payload[name]
    return jwt.encode(payload, private_key, algorithm=algorithm, headers={"kid": kid})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value).encode())


def unsigned_claims() -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-123", "iat": now, "exp": now + 600}


async def assert_refused(verifier: JwtVerifier, token: str, reason: str) -> None:
    with pytest.raises(InvalidBearerToken) as caught:
        await verifier.verify(token)
    error = caught.value
    assert isinstance(error, Unauthenticated)
    assert (error.status, error.code, error.detail) == (401, "unauthenticated", reason)
    assert error.headers == {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provider(rsa_key: rsa.RSAPrivateKey) -> IdentityProvider:
    identity_provider = IdentityProvider()
    identity_provider.publish("rsa-1", rsa_key, alg="RS256")
    return identity_provider


@pytest.fixture
async def http(provider: IdentityProvider) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as client:
        yield client


@pytest.fixture
def config() -> JwtProviderConfig:
    return JwtProviderConfig(
        jwks_url=JWKS_URL,
        issuers=(ISSUER,),
        audiences=(AUDIENCE,),
        algorithms=("RS256", "ES256"),
        min_refetch_interval_seconds=REFETCH_INTERVAL,
    )


@pytest.fixture
def verifier(config: JwtProviderConfig, http: httpx.AsyncClient, clock: Clock) -> JwtVerifier:
    return JwtVerifier(config, http, clock=clock)


async def test_a_valid_token_is_accepted_and_its_keys_are_cached(
    verifier: JwtVerifier, provider: IdentityProvider, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = await verifier.verify(sign(rsa_key, groups=["admins"]))

    assert (token.issuer, token.subject, token.audience) == (ISSUER, "user-123", AUDIENCE)
    assert token.principal_key == f"{ISSUER}|user-123"
    assert token.email == "ada@example.com"
    assert token.tenant_id is None
    assert token.claims["groups"] == ["admins"]
    await verifier.verify(sign(rsa_key, sub="user-456"))
    assert provider.fetches == 1


async def test_an_ec_key_published_without_alg_verifies_es256(
    verifier: JwtVerifier, provider: IdentityProvider, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    provider.publish("ec-1", ec_key)

    token = await verifier.verify(sign(ec_key, kid="ec-1", algorithm="ES256"))

    assert token.subject == "user-123"


async def test_the_audience_reported_is_the_accepted_one_of_several(
    verifier: JwtVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = await verifier.verify(sign(rsa_key, aud=["https://other.example", AUDIENCE]))

    assert token.audience == AUDIENCE


async def test_a_token_expired_within_the_leeway_is_still_accepted(
    verifier: JwtVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = await verifier.verify(sign(rsa_key, exp=int(time.time()) - 30))

    assert token.subject == "user-123"


@pytest.mark.parametrize(
    ("issuer", "identity_claims", "email"),
    [
        (f"https://sts.windows.net/{TENANT_ID}/", {"upn": "ada@contoso.com", "ver": "1.0"}, None),
        (
            f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
            {"preferred_username": "ada@contoso.com", "ver": "2.0"},
            None,
        ),
        (
            f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
            {"email": "ada@mail.example", "preferred_username": "ada@contoso.com"},
            "ada@mail.example",
        ),
    ],
    ids=["v1", "v2", "v2-with-email"],
)
async def test_entra_v1_and_v2_tokens_are_both_accepted(
    rsa_key: rsa.RSAPrivateKey,
    clock: Clock,
    issuer: str,
    identity_claims: dict[str, Any],
    email: str | None,
) -> None:
    entra = IdentityProvider(f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys")
    entra.publish("entra-key", rsa_key)  # Entra publishes its keys without "alg"
    config = JwtProviderConfig.entra(TENANT_ID, [f"api://{CLIENT_ID}", CLIENT_ID])
    claims = {
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": "pairwise-subject",
        "tid": TENANT_ID,
        "oid": str(uuid.uuid4()),
        "email": None,
        **identity_claims,
    }
    async with httpx.AsyncClient(transport=httpx.MockTransport(entra.handle)) as http:
        verifier = JwtVerifier(config, http, clock=clock)
        token = await verifier.verify(sign(rsa_key, kid="entra-key", **claims))

    assert token.issuer == issuer
    assert token.tenant_id == TENANT_ID
    assert token.email == (email or "ada@contoso.com")
    assert token.principal_key == f"{issuer}|pairwise-subject"
    assert entra.fetches == 1


async def test_entra_refuses_the_token_version_it_was_told_not_to_accept(
    rsa_key: rsa.RSAPrivateKey, clock: Clock
) -> None:
    entra = IdentityProvider("http://127.0.0.1:8123/keys")
    entra.publish("entra-key", rsa_key)
    config = JwtProviderConfig.entra(
        TENANT_ID, CLIENT_ID, accept_v1=False, jwks_url="http://127.0.0.1:8123/keys"
    )
    v1_token = sign(
        rsa_key, kid="entra-key", iss=f"https://sts.windows.net/{TENANT_ID}/", aud=CLIENT_ID
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(entra.handle)) as http:
        await assert_refused(
            JwtVerifier(config, http, clock=clock), v1_token, "issuer not accepted"
        )


def test_entra_config_points_at_the_tenant() -> None:
    config = JwtProviderConfig.entra(TENANT_ID.upper(), CLIENT_ID)

    assert config.jwks_url == (f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys")
    assert config.issuers == (
        f"https://sts.windows.net/{TENANT_ID}/",
        f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
    )
    assert config.audiences == (CLIENT_ID,)
    assert config.algorithms == ("RS256",)


async def test_alg_none_is_refused_without_a_fetch(
    verifier: JwtVerifier, provider: IdentityProvider
) -> None:
    header = b64url_json({"alg": "none", "typ": "JWT", "kid": "rsa-1"})
    token = f"{header}.{b64url_json(unsigned_claims())}."

    await assert_refused(verifier, token, "algorithm not allowed")
    assert provider.fetches == 0


async def test_hs256_signed_with_the_public_key_pem_is_refused(
    verifier: JwtVerifier, provider: IdentityProvider, rsa_key: rsa.RSAPrivateKey
) -> None:
    await verifier.verify(sign(rsa_key))  # the RSA key is now in the cache
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': 'rsa-1'})}."
        f"{b64url_json(unsigned_claims())}"
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    await assert_refused(verifier, f"{signing_input}.{b64url(mac)}", "algorithm not allowed")
    assert provider.fetches == 1


async def test_an_algorithm_the_key_does_not_declare_is_refused(
    verifier: JwtVerifier, provider: IdentityProvider, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    provider.publish("ec-1", ec_key)

    await assert_refused(
        verifier, sign(ec_key, kid="rsa-1", algorithm="ES256"), "algorithm not allowed"
    )


@pytest.mark.parametrize(
    ("claims", "seconds_from_now", "drop", "reason"),
    [
        ({"aud": "api://someone-else"}, {}, (), "audience not accepted"),
        ({"iss": "https://evil.example.test/"}, {}, (), "issuer not accepted"),
        ({}, {"exp": -61 - 60}, (), "token expired"),
        ({}, {"nbf": 600}, (), "token not yet valid"),
        ({}, {}, ("exp",), "missing exp claim"),
        ({}, {}, ("sub",), "missing sub claim"),
        ({}, {}, ("aud",), "missing aud claim"),
        ({"sub": 42}, {}, (), "invalid sub claim"),
    ],
    ids=["wrong-aud", "wrong-iss", "expired", "nbf-future", "no-exp", "no-sub", "no-aud", "sub"],
)
async def test_claims_outside_the_configuration_are_refused(
    verifier: JwtVerifier,
    rsa_key: rsa.RSAPrivateKey,
    claims: dict[str, Any],
    seconds_from_now: dict[str, int],
    drop: tuple[str, ...],
    reason: str,
) -> None:
    # Time claims are taken from the clock when the test runs, not when the suite is
    # collected: a long suite would otherwise turn "not yet valid" into "valid".
    now = int(time.time())
    timed = {name: now + offset for name, offset in seconds_from_now.items()}
    await assert_refused(verifier, sign(rsa_key, drop=drop, **claims, **timed), reason)


async def test_an_unknown_kid_is_refused_after_one_refetch(
    verifier: JwtVerifier, provider: IdentityProvider, rsa_key: rsa.RSAPrivateKey, clock: Clock
) -> None:
    await verifier.verify(sign(rsa_key))
    clock.advance(REFETCH_INTERVAL + 1)

    await assert_refused(verifier, sign(rsa_key, kid="not-published"), "unknown signing key")
    assert provider.fetches == 2


async def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(
    verifier: JwtVerifier, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    await assert_refused(verifier, sign(other_rsa_key, kid="rsa-1"), "invalid signature")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"use": "enc"}, "unknown signing key"), ({"alg": "RS512"}, "unknown signing key")],
    ids=["encryption-key", "algorithm-not-allowed"],
)
async def test_keys_not_meant_for_allowed_signatures_are_ignored(
    verifier: JwtVerifier,
    provider: IdentityProvider,
    other_rsa_key: rsa.RSAPrivateKey,
    fields: dict[str, str],
    reason: str,
) -> None:
    provider.publish("ignored", other_rsa_key, **fields)

    await assert_refused(verifier, sign(other_rsa_key, kid="ignored"), reason)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "malformed token"),
        ("garbage", "malformed token"),
        ("a.b.c", "malformed token"),
        ("....", "malformed token"),
        ("e30.e30.", "algorithm not allowed"),
        (f"{b64url_json({'alg': 'RS256'})}.e30.", "missing key id"),
        (f"{b64url_json({'alg': 'RS256', 'kid': 7})}.e30.", "malformed token"),
        (f"{b64url_json({'alg': 'RS256', 'kid': 'rsa-1'})}.bm90IGpzb24.c2ln", "invalid signature"),
        (f"{b64url_json({'alg': 'RS256', 'kid': 'rsa-1'})}.e30.c2ln", "invalid signature"),
        (f"{b64url_json(['RS256'])}.e30.", "malformed token"),
    ],
)
async def test_garbage_is_refused(verifier: JwtVerifier, token: str, reason: str) -> None:
    await assert_refused(verifier, token, reason)


segments = st.one_of(
    st.binary(max_size=64).map(b64url),
    st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "crit", "b64", "exp", "aud"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    ).map(b64url_json),
    st.text(max_size=16),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(segments, max_size=4))
async def test_arbitrary_input_only_ever_fails_as_an_invalid_token(parts: list[str]) -> None:
    provider = IdentityProvider()
    provider.publish("rsa-1", ec.generate_private_key(ec.SECP256R1()), alg="ES256")
    config = JwtProviderConfig(
        jwks_url=JWKS_URL, issuers=(ISSUER,), audiences=(AUDIENCE,), algorithms=("ES256",)
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as http:
        with pytest.raises(InvalidBearerToken):
            await JwtVerifier(config, http).verify(".".join(parts))


async def test_a_rotated_key_is_picked_up_with_exactly_one_refetch(
    verifier: JwtVerifier,
    provider: IdentityProvider,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    clock: Clock,
) -> None:
    await verifier.verify(sign(rsa_key))
    provider.published = []
    provider.publish("rsa-2", other_rsa_key, alg="RS256")
    clock.advance(REFETCH_INTERVAL + 1)

    token = await verifier.verify(sign(other_rsa_key, kid="rsa-2"))
    await verifier.verify(sign(other_rsa_key, kid="rsa-2", sub="user-456"))

    assert token.subject == "user-123"
    assert provider.fetches == 2
    await assert_refused(verifier, sign(rsa_key), "unknown signing key")
    assert provider.fetches == 2


async def test_forged_kids_cause_at_most_one_fetch_per_interval(
    verifier: JwtVerifier, provider: IdentityProvider, rsa_key: rsa.RSAPrivateKey, clock: Clock
) -> None:
    await verifier.verify(sign(rsa_key))
    clock.advance(REFETCH_INTERVAL + 1)

    for _ in range(20):
        await assert_refused(
            verifier, sign(rsa_key, kid=secrets.token_hex(8)), "unknown signing key"
        )
        clock.advance(REFETCH_INTERVAL / 40)
    assert provider.fetches == 2
    await verifier.verify(sign(rsa_key))
    assert provider.fetches == 2

    clock.advance(REFETCH_INTERVAL)
    await assert_refused(verifier, sign(rsa_key, kid=secrets.token_hex(8)), "unknown signing key")
    assert provider.fetches == 3


@pytest.mark.parametrize("warm", [True, False], ids=["rotated-kid", "cold-cache"])
async def test_concurrent_verifications_of_a_new_kid_share_one_fetch(
    verifier: JwtVerifier,
    provider: IdentityProvider,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    clock: Clock,
    warm: bool,
) -> None:
    if warm:
        await verifier.verify(sign(rsa_key))
        clock.advance(REFETCH_INTERVAL + 1)
    fetches_before = provider.fetches
    provider.publish("rsa-2", other_rsa_key, alg="RS256")
    token = sign(other_rsa_key, kid="rsa-2")
    subjects: list[str] = []

    async def verify_one() -> None:
        subjects.append((await verifier.verify(token)).subject)

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(verify_one)

    assert subjects == ["user-123"] * 10
    assert provider.fetches == fetches_before + 1


async def test_keys_are_refetched_once_the_cache_expires(
    verifier: JwtVerifier,
    provider: IdentityProvider,
    config: JwtProviderConfig,
    rsa_key: rsa.RSAPrivateKey,
    clock: Clock,
) -> None:
    await verifier.verify(sign(rsa_key))
    clock.advance(config.jwks_cache_seconds - 1)
    await verifier.verify(sign(rsa_key))
    assert provider.fetches == 1

    clock.advance(2)
    await verifier.verify(sign(rsa_key))
    assert provider.fetches == 2


def _server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, text="upstream exploded")


def _not_json(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="<html>login</html>")


def _no_usable_key(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]})


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(
    ("failure", "cause"),
    [
        (_server_error, httpx.HTTPStatusError),
        (_not_json, ValueError),
        (_unreachable, httpx.ConnectError),
        (_no_usable_key, None),
    ],
    ids=["500", "not-json", "unreachable", "no-usable-key"],
)
async def test_an_unreachable_key_set_makes_the_provider_unavailable(
    verifier: JwtVerifier,
    provider: IdentityProvider,
    rsa_key: rsa.RSAPrivateKey,
    failure: Callable[[httpx.Request], httpx.Response],
    cause: type[Exception] | None,
) -> None:
    provider.failure = failure

    with pytest.raises(IdentityProviderUnavailable) as caught:
        await verifier.verify(sign(rsa_key))

    assert isinstance(caught.value, ServiceUnavailable)
    assert caught.value.status == 503
    assert caught.value.code == "service-unavailable"
    if cause is None:
        assert caught.value.__cause__ is None
    else:
        assert isinstance(caught.value.__cause__, cause)


async def test_a_failed_fetch_is_retried_after_the_interval_not_on_every_request(
    verifier: JwtVerifier, provider: IdentityProvider, rsa_key: rsa.RSAPrivateKey, clock: Clock
) -> None:
    provider.failure = _server_error
    with pytest.raises(IdentityProviderUnavailable):
        await verifier.verify(sign(rsa_key))
    provider.failure = None

    with pytest.raises(IdentityProviderUnavailable):
        await verifier.verify(sign(rsa_key))
    assert provider.fetches == 1

    clock.advance(REFETCH_INTERVAL)
    assert (await verifier.verify(sign(rsa_key))).subject == "user-123"
    assert provider.fetches == 2


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"algorithms": ("HS256",)}, "only asymmetric"),
        ({"algorithms": ("none",)}, "only asymmetric"),
        ({"algorithms": ("RS256", "HS512")}, "only asymmetric"),
        ({"algorithms": ()}, "at least one"),
        ({"issuers": ()}, "at least one"),
        ({"audiences": ()}, "at least one"),
        ({"audiences": ("",)}, "non-empty strings"),
        ({"issuers": "https://idp.example.test/"}, "non-empty strings"),
        ({"required_claims": ("iat", "sub")}, "must include 'exp'"),
        ({"jwks_url": "http://idp.example.test/keys"}, "https://"),
        ({"jwks_url": "not a url"}, "https://"),
        ({"leeway_seconds": -1}, "leeway_seconds"),
        ({"jwks_cache_seconds": 10, "min_refetch_interval_seconds": 30}, "jwks_cache_seconds"),
    ],
)
def test_config_refuses_unsafe_or_empty_settings(changes: dict[str, Any], reason: str) -> None:
    values: dict[str, Any] = {"jwks_url": JWKS_URL, "issuers": (ISSUER,), "audiences": (AUDIENCE,)}
    with pytest.raises(ValueError, match=reason):
        JwtProviderConfig(**{**values, **changes})


@pytest.mark.parametrize(
    ("tenant_id", "options", "reason"),
    [
        ("common", {}, "GUID"),
        ("organizations", {}, "GUID"),
        (TENANT_ID, {"accept_v1": False, "accept_v2": False}, "v1 tokens, v2 tokens or both"),
    ],
)
def test_entra_config_refuses_multi_tenant_endpoints_and_no_versions(
    tenant_id: str, options: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        JwtProviderConfig.entra(tenant_id, CLIENT_ID, **options)
