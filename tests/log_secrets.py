"""A check on every test: no log line it writes holds an API key, a session token or a
test password.

During each test a handler on the root logger formats every record as Luna writes it in
production (JSON lines, :func:`luna.observability.logging.log_formatter`) and keeps the
lines. After the test they are searched for Luna API keys (``luna_sk_...``), session
tokens (the cookie's value: 43 URL-safe characters) and the passwords the tests use; a
match fails the test at teardown, saying what leaked and which logger wrote it.

Registered in ``tests/conftest.py``'s ``pytest_plugins``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import pytest

from luna.observability.logging import (
    log_formatter,
    route_structlog_to_standard_logging,
    set_library_log_levels,
)
from tests.accounts import STRONG_PASSWORD

# The passwords tests sign up, sign in or fail to sign in with.
TEST_PASSWORDS: Final = (
    STRONG_PASSWORD,
    "a brand new long passphrase",
    "a brand new passphrase",
    "a different passphrase",
    "another long passphrase",
    "nope nope nope",
    "not mine at all",
    "not my password at all",
    "not the password",
    "wrong password here",
    "wrong password!",
)
_URL_SAFE = "A-Za-z0-9_\\-"
SECRET_PATTERNS: Final = {
    # ``luna_sk_`` and 43 characters; the 12 shown as a key's prefix are not a secret.
    "an API key": re.compile(rf"luna_sk_[{_URL_SAFE}]{{16,}}"),
    # A session cookie's value, ``secrets.token_urlsafe(32)``: exactly 43 URL-safe
    # characters. Share-link, invitation and reset tokens have its shape: secrets too.
    "a session token": re.compile(rf"(?<![{_URL_SAFE}])[{_URL_SAFE}]{{43}}(?![{_URL_SAFE}])"),
    "a test password": re.compile("|".join(re.escape(password) for password in TEST_PASSWORDS)),
}
HANDLER_NAME: Final = "luna-test-log-secrets"


@dataclass(frozen=True)
class Leak:
    """One secret found in one log line."""

    kind: str
    logger: str
    line: str


class LogLineCollector(logging.Handler):
    """Keeps each record as the production formatter writes it, with its logger's name."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.set_name(HANDLER_NAME)
        self.setFormatter(log_formatter("json"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Formatted now, not at teardown: an exception is rendered from the live one.
        self.lines.append((record.name, self.format(record)))


def find_leaks(lines: Iterable[tuple[str, str]]) -> list[Leak]:
    """Every (logger, line) pair whose line holds something :data:`SECRET_PATTERNS` names."""
    return [
        Leak(kind=kind, logger=logger, line=line)
        for logger, line in lines
        for kind, pattern in SECRET_PATTERNS.items()
        if pattern.search(line)
    ]


def describe(leaks: list[Leak]) -> str:
    """A failure message naming each leak, with its line cut short."""
    found = "\n".join(
        f"- {leak.kind} in a line of {leak.logger!r}: {leak.line[:300]}" for leak in leaks
    )
    return f"Log lines written during this test hold secrets:\n{found}"


def pytest_configure(config: pytest.Config) -> None:
    """Log as a server does: structlog through the standard library's handlers, and the
    library loggers at their production levels (no SQL statements, no HTTP client lines)."""
    route_structlog_to_standard_logging()
    set_library_log_levels(database_echo=False)


@pytest.fixture(autouse=True)
def no_secrets_in_log_lines() -> Iterator[None]:
    """Collect the test's log lines at INFO (the production default) and fail the test
    if any holds a secret."""
    root = logging.getLogger()
    previous_level = root.level
    collector = LogLineCollector()
    root.addHandler(collector)
    if not logging.NOTSET < previous_level <= logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(collector)
        root.setLevel(previous_level)
    leaks = find_leaks(collector.lines)
    if leaks:
        pytest.fail(describe(leaks), pytrace=False)
