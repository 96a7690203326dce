"""Luna's error hierarchy.

Every error a caller may see is a :class:`LunaError` with a stable ``code``, an HTTP
status and optional data fields. The API renders them as RFC 9457 problem details
(see :mod:`luna.problems`); the CLI maps them to exit codes and readable messages.
A database's unique-constraint error is translated into :class:`Conflict` here
(:func:`conflict_for_duplicate`), whichever database and driver raised it.
"""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar, Final, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from luna.db.base import Base


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


# SQLite's extended result codes for a broken UNIQUE or PRIMARY KEY constraint, and
# PostgreSQL's SQLSTATE for unique_violation.
_SQLITE_UNIQUE_CODES: Final = frozenset({1555, 2067})
_POSTGRES_UNIQUE_VIOLATION: Final = "23505"
_SQLITE_UNIQUE_MESSAGE: Final = "UNIQUE constraint failed: "


def conflict_for_duplicate(error: IntegrityError) -> Conflict | None:
    """The :class:`Conflict` a broken unique constraint means (two requests creating the
    same thing at once, or one creating what exists), or ``None`` for any other
    integrity error, which stays a server error."""
    columns = _duplicate_columns(error.orig)
    if columns is None:
        return None
    # The scoping columns (workspace_id, team_id...) say where, not what is taken.
    fields = [column for column in columns if not column.endswith("_id")] or columns
    what = " and ".join(fields) if fields else "value"
    return Conflict(
        f"This {what} is already taken, perhaps by a request sent at the same time.",
        reason="duplicate",
        fields=fields,
    )


def _duplicate_columns(orig: BaseException | None) -> list[str] | None:
    """The columns of the unique constraint ``orig`` (the driver's error) broke."""
    if isinstance(orig, sqlite3.IntegrityError):
        message = str(orig)
        code = getattr(orig, "sqlite_errorcode", None)
        if code not in _SQLITE_UNIQUE_CODES and not message.startswith(_SQLITE_UNIQUE_MESSAGE):
            return None
        return _sqlite_columns(message.removeprefix(_SQLITE_UNIQUE_MESSAGE))
    if getattr(orig, "sqlstate", None) != _POSTGRES_UNIQUE_VIOLATION:
        return None
    return _constraint_columns(_postgres_constraint_name(orig))


def _sqlite_columns(failed: str) -> list[str]:
    """``agents.workspace_id, agents.name`` or ``index 'uq_...'``: the column names."""
    if failed.startswith("index "):
        return _constraint_columns(failed.removeprefix("index ").strip("'\""))
    return [part.strip().rpartition(".")[2] for part in failed.split(",") if part.strip()]


def _postgres_constraint_name(orig: BaseException | None) -> str | None:
    """The constraint's name: asyncpg keeps it on the error the adapter wraps, psycopg
    in the error's diagnostics."""
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        diagnostics = getattr(candidate, "diag", None)
        name = name or getattr(diagnostics, "constraint_name", None)
        if isinstance(name, str):
            return name
    return None


def _constraint_columns(name: str | None) -> list[str]:
    """The columns of a constraint or unique index of Luna's schema, by name."""
    if name is None:
        return []
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            if index.name == name:
                return [column.name for column in index.columns]
        for constraint in table.constraints:
            if constraint.name == name and isinstance(constraint, ColumnCollectionConstraint):
                return [column.name for column in constraint.columns]
    return []


Cause = TypeVar("Cause", bound=BaseException)


def cause_of_type(error: BaseException, kind: type[Cause]) -> Cause | None:
    """The first exception of ``kind`` in ``error``'s chain of causes and contexts (a
    library wrapping one of ours), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
