"""Prefixed, time-ordered identifiers (``usr_01j...``, ``ws_01j...``).

Each id is a prefix and 26 Crockford base32 characters: 48 bits of milliseconds since
the epoch then 80 random bits, like a ULID, so ids sort by creation time and index well.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def _encode(value: int, length: int) -> str:
    characters = []
    for _ in range(length):
        value, remainder = divmod(value, 32)
        characters.append(_ALPHABET[remainder])
    return "".join(reversed(characters))


def new_id(prefix: str) -> str:
    """A new identifier such as ``usr_01jd3k...``; unique and sortable by time."""
    milliseconds = time.time_ns() // 1_000_000
    return f"{prefix}_{_encode(milliseconds, 10)}{_encode(secrets.randbits(80), 16)}"
