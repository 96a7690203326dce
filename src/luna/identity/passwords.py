"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from luna.errors import ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 128  # bounds the hashing work an attacker can ask for

# OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
_HASHER = PasswordHash((Argon2Hasher(memory_cost=19_456, time_cost=2, parallelism=1),))
# Verified against when the account does not exist, so that the time taken does not
# tell whether an email is registered.
_DECOY_HASH = _HASHER.hash("decoy password for absent accounts")

_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; returns (valid, a new hash when the parameters have changed)."""
    if password_hash is None:
        _HASHER.verify(password, _DECOY_HASH)
        return False, None
    return _HASHER.verify_and_update(password, password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line)


def _weakness(password: str, email: str) -> str | None:
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    stem = re.sub(r"[\d!@#$%^&*.]+$", "", lowered)  # "password123!" -> "password"
    if lowered in _common_passwords() or stem in _common_passwords():
        return "is one of the most commonly used passwords"
    if len(set(lowered)) < 4:
        return "repeats too few different characters"
    if any(lowered in sequence or lowered in sequence[::-1] for sequence in _SEQUENCES):
        return "is a simple keyboard or alphabet sequence"
    if len(local_part) >= 4 and local_part in lowered:
        return "contains your email address"
    return None


def check_password_strength(password: str, *, email: str, field: str = "password") -> None:
    """Refuse short, long, common or guessable passwords with a field error."""
    reason = _weakness(password, email)
    if reason:
        raise ValidationFailed(
            f"The password {reason}.",
            errors=[{"in": "body", "pointer": f"#/{field}", "message": f"Password {reason}."}],
        )
