"""The suite's own check that no test writes a secret to the logs (tests/log_secrets.py)."""

from __future__ import annotations

import logging

import pytest

from tests.accounts import STRONG_PASSWORD
from tests.log_secrets import HANDLER_NAME, find_leaks

pytest_plugins = ["pytester"]

API_KEY = "luna_sk_" + "Ab0_" * 10 + "xyz"
SESSION_TOKEN = "Qm9vdHMtYW5kLWNhdHMtYW5kLWJvb3RzLWFuZC1jYXQ"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (f'{{"event": "request", "authorization": "Bearer {API_KEY}"}}', "an API key"),
        (f'{{"cookie": "luna_session={SESSION_TOKEN}; theme=dark"}}', "a session token"),
        (f'{{"event": "sign in", "body": {{"password": "{STRONG_PASSWORD}"}}}}', "a test password"),
    ],
)
def test_each_kind_of_secret_is_found(line: str, kind: str) -> None:
    assert [leak.kind for leak in find_leaks([("luna.access", line)])] == [kind]


@pytest.mark.parametrize(
    "line",
    [
        '{"event": "api key created", "prefix": "luna_sk_Ab0_"}',
        '{"request_id": "req_0123456789abcdef01234567"}',
        '{"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"}',
        '{"cookie": "luna_session=[redacted]", "password": "[redacted]"}',
        '{"path": "/api/v1/agents/agt_0192abcd0192abcd0192abcd0192abcd"}',
    ],
)
def test_lines_without_secrets_pass(line: str) -> None:
    assert find_leaks([("luna.access", line)]) == []


def test_a_test_that_logs_a_secret_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.log_secrets"]')
    pytester.makepyfile(
        f"""
        import logging

        from luna.observability.logging import get_logger

        def test_key_in_text_is_redacted_before_it_is_written():
            get_logger("luna.demo").info("calling", note="key {API_KEY} in a note")

        def test_standard_library_leak():
            logging.getLogger("uvicorn.error").warning("cookie %s", "{SESSION_TOKEN}")

        def test_password_leak():
            logging.getLogger("luna.demo").info("tried %r", "{STRONG_PASSWORD}")

        def test_secret_named_field_is_redacted_before_it_is_written():
            get_logger("luna.demo").info("calling", authorization="Bearer {API_KEY}")

        def test_debug_lines_are_not_written():
            logging.getLogger("luna.demo").debug("key {API_KEY}")
        """
    )
    result = run_without_this_tests_check(pytester)
    result.assert_outcomes(passed=5, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_standard_library_leak*",
            "*a session token in a line of 'uvicorn.error'*",
            "*ERROR at teardown of test_password_leak*",
            "*a test password in a line of 'luna.demo'*",
        ]
    )


def run_without_this_tests_check(pytester: pytest.Pytester) -> pytest.RunResult:
    """Run the inner tests in this process (a new one takes long to import Luna), with
    this test's own collector detached: it would see the inner tests' secrets."""
    root = logging.getLogger()
    outer = [handler for handler in root.handlers if handler.get_name() == HANDLER_NAME]
    for handler in outer:
        root.removeHandler(handler)
    try:
        return pytester.runpytest("-p", "no:cacheprovider")
    finally:
        for handler in outer:
            root.addHandler(handler)
