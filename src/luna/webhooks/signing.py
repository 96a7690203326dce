"""Signing secrets and signatures, per the Standard Webhooks specification.

A secret is ``whsec_`` and the base64 of 32 random bytes. A message is signed over
``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256 (the maintained
``standardwebhooks`` library); while a rotated-out secret is still valid the
``webhook-signature`` header carries a signature under each, space-separated, so a
receiver holding either secret verifies it.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from standardwebhooks import Webhook

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES: Final = 32


def new_secret() -> str:
    """A fresh signing secret."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signed_headers(
    *, message_id: str, timestamp: datetime, body: bytes, secrets: Iterable[str]
) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt, signed under every valid secret."""
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
