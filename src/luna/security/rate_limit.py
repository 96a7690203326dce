"""Rate limits: a moving window per rule and caller, shared by every replica through Redis.

:class:`RateLimiter` counts hits with the :mod:`limits` library, in process memory (one
process) or in Redis (several replicas share one budget). :class:`RateLimitMiddleware`
picks the rule of each request, keys it by caller (a hash of the bearer token or session
cookie, else the client address; always the address for sign-in rules) and answers
``429`` problem+json with ``Retry-After`` and the ``RateLimit-*`` headers once the budget
is spent.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it wraps every request.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import math
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlsplit

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.errors import ServiceUnavailable
from luna.observability.logging import get_logger
from luna.observability.metrics import RATE_LIMIT_REFUSALS
from luna.problems import PROBLEM_CONTENT_TYPE, problem_body
from luna.security.limits import parse_limit

log = get_logger(__name__)

SESSION_COOKIE_NAMES: Final = ("__Host-luna_session", "luna_session")
DEFAULT_RULE_NAME: Final = "default"

_RULE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_MEMORY_SCHEMES: Final = frozenset({"async+memory"})
_REDIS_SCHEMES: Final = frozenset({"async+redis", "async+rediss", "async+redis+unix"})
# A rate-limit check sits on every request: a Redis that hangs must not hang the API.
_REDIS_TIMEOUT_SECONDS: Final = 1.0
_KEY_HASH_HEX_CHARS: Final = 32
_IPV6_CALLER_PREFIX: Final = 64
# Deliveries a billing provider may make to its webhook route per minute, from all its
# addresses together: far above a busy account's renewals, far below a flood.
WEBHOOK_RATE_LIMIT: Final = "1200/minute"


@dataclass(frozen=True)
class RateLimitRule:
    """A budget for the requests whose path starts with one of ``path_prefixes``.

    ``methods`` restricts the rule to some HTTP methods (``None``: all of them).
    ``per_client_ip`` keys the budget by client address even for authenticated callers,
    as sign-in rules must: a guesser can send any token it likes. ``per_route`` gives
    every caller of the rule's paths one budget together, as webhooks need: a billing
    provider delivers from many addresses, and a flood is a flood whichever they are.
    """

    name: str
    limit: str
    path_prefixes: tuple[str, ...]
    methods: frozenset[str] | None = None
    per_client_ip: bool = False
    per_route: bool = False
    item: RateLimitItem = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _RULE_NAME.match(self.name):
            raise ValueError(f"rule names are lower-case slugs, not {self.name!r}")
        if not self.path_prefixes or not all(p.startswith("/") for p in self.path_prefixes):
            raise ValueError(f"rule {self.name!r} needs path prefixes starting with '/'")
        if self.per_client_ip and self.per_route:
            raise ValueError(f"rule {self.name!r} is keyed by address or by route, not both")
        object.__setattr__(self, "item", parse_limit(self.limit))
        if self.methods is not None:
            object.__setattr__(self, "methods", frozenset(m.upper() for m in self.methods))

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with this method and path falls under the rule."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return path.startswith(self.path_prefixes)

    @property
    def policy(self) -> str:
        """The ``RateLimit-Policy`` value: quota and window in seconds (``100;w=60``)."""
        return _policy(self.item)


def default_rules(
    auth_limit: str = "10/minute", *, webhook_limit: str = WEBHOOK_RATE_LIMIT
) -> tuple[RateLimitRule, ...]:
    """The sign-in rules (login, signup, password reset and MFA verification, per
    address) and the webhook rules (one budget per provider's route)."""
    post = frozenset({"POST"})
    sign_in = tuple(
        RateLimitRule(
            name=name, limit=auth_limit, path_prefixes=(prefix,), methods=post, per_client_ip=True
        )
        for name, prefix in (
            ("auth-login", "/api/v1/auth/login"),
            ("auth-signup", "/api/v1/auth/signup"),
            ("auth-password", "/api/v1/auth/password/"),
            ("auth-mfa", "/api/v1/auth/mfa/"),
        )
    )
    webhooks = tuple(
        RateLimitRule(
            name=f"webhooks-{provider}",
            limit=webhook_limit,
            path_prefixes=(f"/api/v1/webhooks/{provider}",),
            methods=post,
            per_route=True,
        )
        for provider in ("stripe", "lemonsqueezy")
    )
    return sign_in + webhooks


@dataclass(frozen=True)
class CallerBudget:
    """Who a request counts against (``key``) and their budget (``item``), when something
    more specific than the default rule knows it (the caller's plan)."""

    key: str
    item: RateLimitItem


@dataclass(frozen=True)
class RateLimitDecision:
    """The outcome of one hit on a budget.

    ``reset_after`` is the number of whole seconds until the window frees a slot (at
    least 1 when the hit was refused). ``checked`` is false when the storage could not be
    reached and the hit was let through unchecked.
    """

    allowed: bool
    limit: int
    remaining: int
    reset_after: int
    checked: bool = True


def _open_storage(storage_uri: str) -> Storage:
    scheme = urlsplit(storage_uri).scheme
    if scheme in _MEMORY_SCHEMES:
        storage = storage_from_string(storage_uri, wrap_exceptions=True)
    elif scheme in _REDIS_SCHEMES:
        storage = storage_from_string(
            storage_uri,
            wrap_exceptions=True,
            implementation="redispy",
            socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
            socket_timeout=_REDIS_TIMEOUT_SECONDS,
        )
    else:
        known = ", ".join(sorted(_MEMORY_SCHEMES | _REDIS_SCHEMES))
        raise ValueError(f"unsupported rate-limit storage scheme {scheme!r}; use one of {known}")
    if not isinstance(storage, Storage):
        raise TypeError(f"{scheme!r} did not give an asynchronous storage")
    return storage


class RateLimiter:
    """Moving-window budgets kept in a :mod:`limits` storage.

    ``storage_uri`` is ``async+memory://`` (this process only) or ``async+redis://...``
    (shared by every replica using the same Redis and ``key_prefix``). When the storage
    cannot be reached, ``fail_open`` lets the request through with a warning in the log;
    otherwise :class:`~luna.errors.ServiceUnavailable` is raised. ``clock`` must agree
    with the clock the storage stamps hits with (the wall clock).
    """

    def __init__(
        self,
        storage_uri: str = "async+memory://",
        *,
        key_prefix: str = "luna",
        fail_open: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key_prefix = key_prefix
        self.fail_open = fail_open
        self._clock = clock
        self._storage = _open_storage(storage_uri)
        self._strategy = MovingWindowRateLimiter(self._storage)

    async def hit(self, rule_name: str, limit: RateLimitItem, key: str) -> RateLimitDecision:
        """Spend one request of ``key``'s budget under the rule, if any is left."""
        identifiers = (self.key_prefix, rule_name, key)
        try:
            allowed = await self._strategy.hit(limit, *identifiers)
            stats = await self._strategy.get_window_stats(limit, *identifiers)
        except StorageError as exc:
            return self._storage_unreachable(rule_name, limit, exc)
        reset_after = max(0, math.ceil(stats.reset_time - self._clock()))
        return RateLimitDecision(
            allowed=allowed,
            limit=limit.amount,
            remaining=max(0, stats.remaining),
            reset_after=reset_after if allowed else max(1, reset_after),
        )

    def _storage_unreachable(
        self, rule_name: str, limit: RateLimitItem, exc: StorageError
    ) -> RateLimitDecision:
        if not self.fail_open:
            raise ServiceUnavailable(
                "Rate limits cannot be checked right now; try again shortly."
            ) from exc
        log.warning(
            "rate-limit storage unreachable; request allowed unchecked",
            rule=rule_name,
            error=str(exc.storage_error),
        )
        return RateLimitDecision(
            allowed=True, limit=limit.amount, remaining=limit.amount, reset_after=0, checked=False
        )

    async def close(self) -> None:
        """Release the storage: its Redis connections or its in-memory expiry task."""
        storage = self._storage
        if isinstance(storage, RedisStorage) and isinstance(storage.bridge, RedispyBridge):
            await storage.bridge.storage.aclose()
        elif isinstance(storage, MemoryStorage) and storage.timer is not None:
            storage.timer.cancel()
            await asyncio.wait([storage.timer])

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:_KEY_HASH_HEX_CHARS]


def client_ip_key(scope: Scope) -> str:
    """The caller key of the client address; IPv6 clients are grouped by their /64."""
    host = (scope.get("client") or ("unknown", 0))[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"ip:{host}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        network = ipaddress.IPv6Network((address, _IPV6_CALLER_PREFIX), strict=False)
        return f"ip:{network}"
    return f"ip:{address}"


def default_caller_key(scope: Scope) -> str:
    """Who is calling: a hash of the bearer token, else of the session, else the address.

    Credentials are hashed, never stored in the limiter as they came.
    """
    headers = Headers(scope=scope)
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return f"token:{_hash(token.strip())}"
    cookies = cookie_parser(headers.get("cookie", ""))
    for name in SESSION_COOKIE_NAMES:
        if cookies.get(name):
            return f"session:{_hash(cookies[name])}"
    return client_ip_key(scope)


def _policy(item: RateLimitItem) -> str:
    """The ``RateLimit-Policy`` value: quota and window in seconds (``100;w=60``)."""
    return f"{item.amount};w={item.get_expiry()}"


def _rate_limit_headers(item: RateLimitItem, decision: RateLimitDecision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_after),
        "RateLimit-Policy": _policy(item),
    }


async def _send_problem(send: Send, body: dict[str, Any], headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(payload)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": body["status"], "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class RateLimitMiddleware:
    """Refuse requests over their budget with ``429 Too Many Requests``.

    The first rule matching the method and path applies; otherwise ``default_limit``
    applies to paths under ``default_prefixes``; otherwise there is no limit and no
    ``RateLimit-*`` header. ``exempt_paths`` (the probes) are never limited.

    Under the default rule, ``budget_for`` may name the caller and their own budget (a
    team plan's); when it answers ``None``, ``key_function`` keys the request and
    ``default_limit`` bounds it.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        rules: Sequence[RateLimitRule],
        default_limit: str | None = "100/minute",
        default_prefixes: tuple[str, ...] = ("/api/",),
        key_function: Callable[[Scope], str] | None = None,
        budget_for: Callable[[Scope], Awaitable[CallerBudget | None]] | None = None,
        exempt_paths: tuple[str, ...] = ("/healthz", "/readyz"),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.rules = tuple(rules)
        self.default_rule = (
            RateLimitRule(DEFAULT_RULE_NAME, default_limit, default_prefixes)
            if default_limit is not None
            else None
        )
        names = [rule.name for rule in self.rules] + [DEFAULT_RULE_NAME]
        if len(set(names)) != len(names):
            raise ValueError(f"rate-limit rule names must be unique and not {DEFAULT_RULE_NAME!r}")
        self.key_function = key_function or default_caller_key
        self.budget_for = budget_for
        self.exempt_paths = frozenset(exempt_paths)

    def rule_for(self, method: str, path: str) -> RateLimitRule | None:
        """The rule a request falls under, or ``None`` when it is not limited."""
        if path in self.exempt_paths:
            return None
        for rule in self.rules:
            if rule.matches(method, path):
                return rule
        if self.default_rule is not None and self.default_rule.matches(method, path):
            return self.default_rule
        return None

    async def _budget(self, rule: RateLimitRule, scope: Scope) -> tuple[str, RateLimitItem]:
        """Whom the request counts against, and how many requests they may make."""
        if rule.per_route:
            return "route", rule.item
        if rule.per_client_ip:
            return client_ip_key(scope), rule.item
        if rule is self.default_rule and self.budget_for is not None:
            budget = await self.budget_for(scope)
            if budget is not None:
                return budget.key, budget.item
            return client_ip_key(scope), rule.item
        return self.key_function(scope), rule.item

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self.rule_for(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        key, item = await self._budget(rule, scope)
        try:
            decision = await self.limiter.hit(rule.name, item, key)
        except ServiceUnavailable as exc:
            body = problem_body(
                status=exc.status, code=exc.code, detail=exc.detail, instance=scope["path"]
            )
            await _send_problem(send, body, exc.headers)
            return
        if not decision.checked:
            await self.app(scope, receive, send)
            return
        headers = _rate_limit_headers(item, decision)
        if not decision.allowed:
            RATE_LIMIT_REFUSALS.inc()
            body = _rate_limited_body(scope, decision)
            await _send_problem(send, body, _refusal_headers(headers))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _rate_limited_body(scope: Scope, decision: RateLimitDecision) -> dict[str, Any]:
    return problem_body(
        status=429,
        code="rate-limited",
        detail=f"Too many requests; retry in {decision.reset_after} seconds.",
        instance=scope["path"],
        extra={"limit": decision.limit, "retry_after": decision.reset_after},
    )


def _refusal_headers(headers: dict[str, str]) -> dict[str, str]:
    return {"Retry-After": headers["RateLimit-Reset"], **headers, "RateLimit-Remaining": "0"}
