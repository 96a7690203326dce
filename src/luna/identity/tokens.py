"""Random secrets handed to clients, and the hashes Luna keeps of them."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret of ``nbytes`` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a high-entropy secret."""
    return hashlib.sha256(secret.encode()).hexdigest()
