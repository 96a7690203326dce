"""Luna's error hierarchy.

Every error a caller may see is a :class:`LunaError` with a stable ``code``, an HTTP
status and optional data fields. The API renders them as RFC 9457 problem details
(see :mod:`luna.problems`); the CLI maps them to exit codes and readable messages.
"""

from __future__ import annotations

from typing import Any, ClassVar


class LunaError(Exception):
    """Base of every error Luna reports to a caller."""

    code: ClassVar[str] = "internal-error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **data: Any,
    ) -> None:
        self.detail = detail or self.title
        self.headers = headers or {}
        self.data = data
        super().__init__(self.detail)

    @property
    def problem_code(self) -> str:
        """The code in the problem's ``type``; a subclass may make it more precise."""
        return self.code


class BadRequest(LunaError):
    """The request cannot be understood (for example a body that is not JSON)."""

    code = "bad-request"
    status = 400
    title = "Bad Request"


class Unauthenticated(LunaError):
    """No valid credentials came with the request."""

    code = "unauthenticated"
    status = 401
    title = "Unauthorized"


class Forbidden(LunaError):
    """The caller is known but may not do this."""

    code = "forbidden"
    status = 403
    title = "Forbidden"


class NotFound(LunaError):
    """Nothing there, or nothing the caller may see: both answer the same."""

    code = "not-found"
    status = 404
    title = "Not Found"


class Conflict(LunaError):
    """The request conflicts with the current state (a duplicate, a stale version)."""

    code = "conflict"
    status = 409
    title = "Conflict"


class ValidationFailed(LunaError):
    """The input is well-formed but breaks a rule; ``errors`` lists each field."""

    code = "validation-failed"
    status = 422
    title = "Unprocessable Content"


class EntitlementExceeded(LunaError):
    """The team's plan does not allow this, or its limit is used up. The problem's type
    names the entitlement (``urn:luna:problem:entitlement-exceeded:runs-per-day``)."""

    code = "entitlement-exceeded"
    status = 402
    title = "Payment Required"

    @property
    def problem_code(self) -> str:
        entitlement = self.data.get("entitlement")
        return f"{self.code}:{entitlement}" if entitlement else self.code


class RateLimited(LunaError):
    """Too many requests; ``Retry-After`` says when to come back."""

    code = "rate-limited"
    status = 429
    title = "Too Many Requests"


class ServiceUnavailable(LunaError):
    """A dependency is down or the service is in maintenance."""

    code = "service-unavailable"
    status = 503
    title = "Service Unavailable"
