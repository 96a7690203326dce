"""A real OpenID Provider for tests, served over HTTP on 127.0.0.1 by uvicorn.

It publishes a discovery document and a JWKS (an RSA key made at start), signs every
user in at once at its authorization endpoint (redirecting back with a code and the
state), and at its token endpoint checks the client's credentials (Basic or in the
body), the code, the redirect URI and the PKCE verifier before returning an RS256 ID
token. Tests change what it asserts (``user``) or how it misbehaves (``nonce_override``)
between requests.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "luna-test-client"
CLIENT_SECRET = "provider-client-secret-0123456789"
KEY_ID = "provider-key-1"


@dataclass
class ProviderUser:
    """The person the provider signs in, and what it asserts about them."""

    sub: str = "idp-user-1"
    email: str = "grace@example.com"
    email_verified: bool | str = True
    name: str = "Grace Hopper"


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    user: ProviderUser


@dataclass
class OidcProvider:
    """The provider's state; its HTTP endpoints read and change it."""

    issuer: str = ""
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    user: ProviderUser = field(default_factory=ProviderUser)
    auth_methods: list[str] = field(
        default_factory=lambda: ["client_secret_basic", "client_secret_post"]
    )
    nonce_override: str | None = None
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    server: ProviderServer | None = None

    def stop(self) -> None:
        """Stop serving (as if the provider went down); the fixture also calls this."""
        if self.server is not None:
            self.server.stop()

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/jwks"

    def sign(self, claims: dict[str, Any], *, lifetime: int = 300) -> str:
        """A token signed with the provider's published key, issued now."""
        now = int(time.time())
        payload = {"iss": self.issuer, "iat": now, "exp": now + lifetime, **claims}
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": self.jwks_uri,
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": self.auth_methods,
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]})

    async def authorize(self, request: Request) -> Response:
        query = request.query_params
        problem = _authorize_problem(query, self.client_id)
        if problem:
            return JSONResponse({"error": "invalid_request", "error_description": problem}, 400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = IssuedCode(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            code_challenge=query["code_challenge"],
            nonce=query.get("nonce"),
            user=self.user,
        )
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return RedirectResponse(location, status_code=302)

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        client_id, client_secret, method = _client_credentials(request, form)
        self.token_requests.append({**form, "auth_method": method})
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return _token_error("invalid_client", 401)
        issued = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or issued is None:
            return _token_error("invalid_grant")
        if issued.client_id != client_id or issued.redirect_uri != form.get("redirect_uri"):
            return _token_error("invalid_grant")
        if _s256(form.get("code_verifier", "")) != issued.code_challenge:
            return _token_error("invalid_grant", description="PKCE verification failed")
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(issued),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _id_token(self, issued: IssuedCode) -> str:
        user = issued.user
        claims: dict[str, Any] = {
            "aud": issued.client_id,
            "sub": user.sub,
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
            "nonce": self.nonce_override or issued.nonce,
        }
        return self.sign(claims)


def _authorize_problem(query: Any, client_id: str) -> str | None:
    if query.get("client_id") != client_id:
        return "unknown client"
    if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
        return "only the OpenID authorization code flow is supported"
    if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
        return "PKCE with S256 is required"
    if not query.get("redirect_uri") or not query.get("state"):
        return "redirect_uri and state are required"
    return None


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return unquote(user), unquote(password), "client_secret_basic"
    return form.get("client_id", ""), form.get("client_secret", ""), "client_secret_post"


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _token_error(error: str, status: int = 400, description: str | None = None) -> Response:
    body = {"error": error} | ({"error_description": description} if description else {})
    return JSONResponse(body, status_code=status)


class ProviderServer:
    """Serves a provider with uvicorn in a background thread, on a free port."""

    def __init__(self, provider: OidcProvider) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        provider.issuer = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(
            provider.app(),
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test OpenID provider did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving; the port then refuses connections."""
        if self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    """A running provider with a fresh key, client and user; stopped after the test."""
    provider = OidcProvider()
    provider.server = ProviderServer(provider)
    provider.server.start()
    try:
        yield provider
    finally:
        provider.stop()
