"""Taking secrets and personal data out of what leaves the server: what a public share
link shows, and every log line.

Everything a run recorded (its input, output and error, each step's content) passes
through :func:`redact` before it leaves through a public route; every log event passes
through the same rules (:mod:`luna.observability.log_scrubbing`). Redaction errs towards
hiding: a value under a key that names a secret (``api_key``, ``Authorization``,
``password``...) is replaced whatever it holds, strings are scanned for credentials
(bearer tokens, provider and cloud keys, JWTs, PEM private keys, ``token=...`` in URLs
and ``"password": "..."`` inside serialised JSON), and email addresses are masked.

A new structure is returned; what was given is never changed, so stored runs are not.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any, Final

REDACTED: Final = "[redacted]"

# Words of a key that name a secret on their own, and pairs of adjacent words that do.
_SECRET_WORDS: Final = frozenset(
    {
        "apikey",
        "authorization",
        "cookie",
        "cookies",
        "credential",
        "credentials",
        "passphrase",
        "passwd",
        "password",
        "privatekey",
        "accesskey",
        "secret",
        "secrets",
        "session",  # a session cookie (``luna_session=...``) or a session token
        "sessionid",
        "token",
    }
)
_SECRET_PAIRS: Final = frozenset({("api", "key"), ("private", "key"), ("access", "key")})
# In ``name=value`` text, these names hide a value only when it looks like a key
# (long, without spaces): ``?key=AIza...``, ``X-Amz-Signature=...``.
_KEY_LIKE_WORDS: Final = frozenset({"key", "sig", "signature"})
_LONG_SECRET_VALUE = re.compile(r"^[A-Za-z0-9+/_\-=.~%]{16,}$")

# "apiKey" -> "api Key", "XApiKey" -> "X Api Key", "APIKey" -> "API Key"; "APIKEY" is one word.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
_WORD_SEPARATOR = re.compile(r"[^A-Za-z0-9]+")


def _words(name: str) -> list[str]:
    return [word for word in _WORD_SEPARATOR.split(_CAMEL_BOUNDARY.sub(" ", name).lower()) if word]


# Log events repeat the same few keys on every line: each is judged once.
@functools.lru_cache(maxsize=1024)
def is_secret_key(name: str) -> bool:
    """Whether a key or parameter name says its value is a secret: ``api_key``,
    ``apiKey``, ``X-API-Key``, ``Authorization``, ``refresh_token``, ``db_password``,
    ``AWS_SECRET_ACCESS_KEY``... but not ``tokens_in`` or ``max_tokens`` (counts)."""
    words = _words(name)
    if any(word in _SECRET_WORDS for word in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _is_key_like_name(name: str) -> bool:
    return any(word in _KEY_LIKE_WORDS for word in _words(name))


def _whole(_: re.Match[str]) -> str:
    return REDACTED


def _keep_group(group: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return match.group(group) + REDACTED

    return replace


_PEM_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*)PRIVATE KEY-----"
    r"(?:[\s\S]*?-----END (?P=label)PRIVATE KEY-----|[\s\S]*\Z)"
)
# Patterns start where a run of the characters they match starts (a lookbehind, not \b):
# tried inside a long run too, they would make redaction quadratic in the text's length.
_JSON_WEB_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"
)
_URL_PASSWORD = re.compile(
    r"(?P<user>(?<![A-Za-z0-9+.\-])[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s/@]+(?=@)", re.I
)
_BEARER = re.compile(r"(?P<scheme>\bBearer\s+)(?!\[redacted\])[A-Za-z0-9\-._~+/]{8,}=*", re.I)
# "Basic" and "Token" are words of prose too: their credential must look encoded.
_BASIC_OR_TOKEN = re.compile(
    r"(?P<scheme>\b(?:Basic|Token)\s+)(?=[A-Za-z0-9\-._~+/]*[0-9+/=])[A-Za-z0-9\-._~+/]{12,}=*",
    re.I,
)
_PROVIDER_KEYS = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:"
    r"sk-(?=[A-Za-z0-9_\-]*[0-9])[A-Za-z0-9_\-]{16,}"  # OpenAI (sk-, sk-proj-), Anthropic (sk-ant-)
    r"|luna_sk_[A-Za-z0-9_\-]{16,}"  # Luna's own API keys
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe secret and restricted keys
    r"|whsec_[A-Za-z0-9]{16,}"  # webhook signing secrets
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|AIza[A-Za-z0-9_\-]{35}"  # Google
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}"  # AWS access key ids
    r")"
)
_URL_PARAMETER = re.compile(
    r"(?P<lead>[?&;#])(?P<name>[A-Za-z0-9_.\-\[\]]+)(?P<between>=)(?P<bare>[^&#;\s\"'<>]+)"
)
# ``name=value``, ``name: value`` and ``"name": "value"`` inside text: URLs, headers,
# serialised JSON, environment files. A quoted value runs to its closing quote; a bare
# one stops at white space, a quote or a separator.
_ASSIGNMENT = re.compile(
    r"(?P<name>(?<![A-Za-z0-9_.\-])[A-Za-z][A-Za-z0-9_.\-]*)(?P<between>[\"']?[ \t]*[:=][ \t]*)"
    r"(?:(?P<open>[\"'])(?P<quoted>[^\"'\n]*)(?P=open)|(?P<bare>[^\s\"'&,;{}\[\]<>()]+))"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])(?P<first>[A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@"
    r"(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})\b"
)
_SCHEME_WORDS: Final = frozenset({"bearer", "basic", "token", "digest"})


def _assignment(match: re.Match[str]) -> str:
    name = match.group("name")
    lead = match.groupdict().get("lead") or ""
    quote = match.groupdict().get("open") or ""
    value = match.group("quoted") if quote else match.group("bare")
    if REDACTED in value or value.lower() in _SCHEME_WORDS:
        return match.group(0)
    secret = is_secret_key(name) or (
        _is_key_like_name(name) and _LONG_SECRET_VALUE.match(value) is not None
    )
    if not secret or not value:
        return match.group(0)
    return f"{lead}{name}{match.group('between')}{quote}{REDACTED}{quote}"


def _mask_email(match: re.Match[str]) -> str:
    return f"{match.group('first')}***@{match.group('domain')}"


# In order: whole blocks first, so that later rules do not see their insides.
_TEXT_RULES: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = (
    (_PEM_PRIVATE_KEY, _whole),
    (_JSON_WEB_TOKEN, _whole),
    (_URL_PASSWORD, _keep_group("user")),
    (_BEARER, _keep_group("scheme")),
    (_BASIC_OR_TOKEN, _keep_group("scheme")),
    (_PROVIDER_KEYS, _whole),
    (_URL_PARAMETER, _assignment),
    (_ASSIGNMENT, _assignment),
    (_EMAIL, _mask_email),
)


# Every rule above needs one of these to match: white space (schemes, PEM blocks), ``:``
# or ``=`` (assignments, URLs), ``@`` (emails), ``eyJ`` (JWTs) or a provider key's prefix.
# Most strings (ids, paths, names) have none, and one search spares them the rules; each
# alternative starts with a single character so that the search skips by character class.
_MAY_HOLD_SECRET = re.compile(
    r"[\s:=@]|e(?=yJ)|[sr](?=k[-_])|w(?=hsec_)|g(?=h[pousr]_|ithub_pat_)|x(?=ox[abposr]-)"
    r"|A(?=Iza|KIA|SIA)|h(?=f_)"
)


def redact_text(text: str) -> str:
    """``text`` with the credentials it contains replaced by ``[redacted]`` and its email
    addresses masked (``a***@example.com``)."""
    if _MAY_HOLD_SECRET.search(text) is None:
        return text
    for pattern, replace in _TEXT_RULES:
        text = pattern.sub(replace, text)
    return text


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with secrets taken out: values under secret-looking
    keys replaced whole, strings scanned by :func:`redact_text`, at any depth."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return _redact_mapping(value)
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _redact_mapping(mapping: dict[Any, Any]) -> dict[Any, Any]:
    # ``{"name": "Authorization", "value": "..."}``: a header or variable spelt as a pair.
    named_secret = any(
        isinstance(mapping.get(field), str) and is_secret_key(mapping[field])
        for field in ("name", "key", "header")
    )
    redacted: dict[Any, Any] = {}
    for key, item in mapping.items():
        hidden = (isinstance(key, str) and is_secret_key(key)) or (named_secret and key == "value")
        redacted[key] = REDACTED if hidden and _has_content(item) else redact(item)
    return redacted


def _has_content(value: Any) -> bool:
    """Whether a secret-named value holds anything to hide (not null, a flag or empty)."""
    return value is not None and not isinstance(value, bool) and value != ""
