"""Redaction of secrets and personal data: secret keys, credential-looking text, emails."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from luna.security.redaction import REDACTED, is_secret_key, redact, redact_text

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXZhbHVl"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("db_password", True),
        ("Password", True),
        ("secret", True),
        ("client_secret", True),
        ("token", True),
        ("access_token", True),
        ("refreshToken", True),
        ("api_key", True),
        ("apiKey", True),
        ("APIKEY", True),
        ("X-API-Key", True),
        ("XApiKey", True),
        ("apikey", True),
        ("Authorization", True),
        ("proxy-authorization", True),
        ("Cookie", True),
        ("Set-Cookie", True),
        ("credentials", True),
        ("private_key", True),
        ("privateKey", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("access_key_id", True),
        ("luna_session", True),
        ("__Host-luna_session", True),
        ("sessionid", True),
        ("tokens_in", False),
        ("max_tokens", False),
        ("input_tokens", False),
        ("key", False),
        ("monkey", False),
        ("author", False),
        ("query", False),
        ("secretary_name", False),
        ("sessions_active", False),
    ],
)
def test_secret_looking_names(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abcdefghij0123456789", "Authorization: Bearer [redacted]"),
        ("bearer abcdefghij0123456789", "bearer [redacted]"),
        ("Basic dXNlcjpodW50ZXIy", "Basic [redacted]"),
        (f"token {JWT} expires", "token [redacted] expires"),
        (f"Bearer {JWT}", "Bearer [redacted]"),
        ("key: sk-ant-api03-abcdefghijklmnopqrstu0123456789", "key: [redacted]"),
        ("OPENAI=sk-proj-AbCdEfGhIjKlMnOp0123", "OPENAI=[redacted]"),
        ("use sk-abcdefghijklmnop0123456789 here", "use [redacted] here"),
        ("luna_sk_AbCdEfGhIjKlMnOpQr0123", "[redacted]"),
        ("id AKIAIOSFODNN7EXAMPLE in use", "id [redacted] in use"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted]"),
        (PEM + "\nafter", "[redacted]\nafter"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQ... (cut)", "[redacted]"),
        (
            "https://api.example.com/v1?key=0123456789abcdef0123&q=cats",
            "https://api.example.com/v1?key=[redacted]&q=cats",
        ),
        (
            "https://example.com/cb?code=42&access_token=abc.def&state=x",
            "https://example.com/cb?code=42&access_token=[redacted]&state=x",
        ),
        (
            "https://b.s3.amazonaws.com/o?X-Amz-Signature=0123456789abcdef0123456789abcdef&a=1",
            "https://b.s3.amazonaws.com/o?X-Amz-Signature=[redacted]&a=1",
        ),
        (
            "postgres://luna:hunter2@db.internal:5432/luna",
            "postgres://luna:[redacted]@db.internal:5432/luna",
        ),
        (
            '{"password": "correct horse battery", "user": "ada"}',
            '{"password": "[redacted]", "user": "ada"}',
        ),
        ("{'api_key': 'abc123'}", "{'api_key': '[redacted]'}"),
        ("DB_PASSWORD=hunter2\nDEBUG=1", "DB_PASSWORD=[redacted]\nDEBUG=1"),
        ("Cookie: session=abc123; theme=dark", "Cookie: [redacted]; theme=dark"),
        ("theme=dark; luna_session=abc123", "theme=dark; luna_session=[redacted]"),
        ("mail ada.lovelace@example.com now", "mail a***@example.com now"),
        ("Ada <ada@example.co.uk>", "Ada <a***@example.co.uk>"),
        # Prose and counts are left alone.
        ("A basic understanding of the token limit.", "A basic understanding of the token limit."),
        ("max_tokens=100 tokens_in: 12", "max_tokens=100 tokens_in: 12"),
        (
            "https://example.com/search?q=token&key=short",
            "https://example.com/search?q=token&key=short",
        ),
        ("a task-management-framework-overview", "a task-management-framework-overview"),
        ("no secrets here", "no secrets here"),
    ],
)
def test_credentials_in_text_are_redacted(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "key",
    [
        JWT,
        "sk-abcdefghijklmnop0123456789",
        "luna_sk_AbCdEfGhIjKlMnOpQr0123",
        "sk_live_abcdefghijklmnop0123",
        "rk_test_abcdefghijklmnop0123",
        "whsec_abcdefghijklmnop0123",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "github_pat_abcdefghijklmnopqrstuvwxyz0123456789",
        "xoxb-0123456789-abcdef",
        "AIza" + "a" * 35,
        "hf_abcdefghijklmnopqrstuvwxyz0123456789",
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAIOSFODNN7EXAMPLE",
    ],
)
def test_a_key_alone_is_redacted(key: str) -> None:
    """A bare key has no white space, ``=`` or ``:`` around it: found all the same."""
    assert redact_text(key) == REDACTED
    assert redact_text(f"/{key}/") == f"/{REDACTED}/"


def test_redacting_twice_changes_nothing_more() -> None:
    text = f"Bearer {JWT} for ada@example.com with password=hunter2"
    once = redact_text(text)
    assert redact_text(once) == once
    assert "hunter2" not in once and JWT not in once and "ada@" not in once


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"api_key": "abc"}, {"api_key": REDACTED}),
        ({"API_KEY": 12345}, {"API_KEY": REDACTED}),
        (
            {"password": None, "token": "", "has_token": True},
            {"password": None, "token": "", "has_token": True},
        ),
        ({"headers": {"Authorization": "Bearer x"}}, {"headers": {"Authorization": REDACTED}}),
        ({"credentials": {"user": "ada", "pass": "x"}}, {"credentials": REDACTED}),
        ([{"secret": "a"}, {"name": "b"}], [{"secret": REDACTED}, {"name": "b"}]),
        (
            {"env": [{"name": "OPENAI_API_KEY", "value": "plain"}, {"name": "MODE", "value": "x"}]},
            {
                "env": [
                    {"name": "OPENAI_API_KEY", "value": REDACTED},
                    {"name": "MODE", "value": "x"},
                ]
            },
        ),
        (
            {"deep": [[{"inner": {"refresh_token": "r", "note": "mail bo@example.org"}}]]},
            {"deep": [[{"inner": {"refresh_token": REDACTED, "note": "mail b***@example.org"}}]]},
        ),
        ({"tokens_in": 5, "max_tokens": 100}, {"tokens_in": 5, "max_tokens": 100}),
        (("Bearer abcdefghij0123", 3), ["Bearer [redacted]", 3]),
        ("sk-ant-api03-abcdefghijklmnopqrstu0123", REDACTED),
        (42, 42),
        (None, None),
    ],
)
def test_structures_are_redacted_at_any_depth(value: Any, expected: Any) -> None:
    assert redact(value) == expected


def test_redaction_leaves_what_it_was_given_unchanged() -> None:
    original = {
        "arguments": {"api_key": "sk-ant-api03-abcdefghijklmnopqrstu0123", "city": "Paris"},
        "result": ["Bearer abcdefghij0123456789", {"password": "hunter2"}],
    }
    before = copy.deepcopy(original)
    redacted = redact(original)
    assert original == before
    assert redacted["arguments"] == {"api_key": REDACTED, "city": "Paris"}
    assert redacted["result"] == ["Bearer [redacted]", {"password": REDACTED}]


@pytest.mark.parametrize(
    "text",
    [
        "a." * 50_000,
        "sk-" * 33_000,
        "eyJ-" * 25_000,
        "a+" * 50_000,
        "a.b" * 33_000 + "@",
        "a@" * 50_000,
        "token=a&" * 12_000,
        'password: "' * 9_000,
    ],
    ids=["dots", "sk", "jwt", "scheme", "local-part", "at-signs", "parameters", "quotes"],
)
def test_hostile_text_is_redacted_to_a_fixed_point(text: str) -> None:
    """A step may hold 100,000 characters of anything; patterns tried inside every run
    of characters took over a minute on these (their time, linear now, is measured by
    ``bench/redaction_speed.py``). What comes out is redacted for good: redacting it
    again changes nothing."""
    once = redact_text(text)
    assert redact_text(once) == once
