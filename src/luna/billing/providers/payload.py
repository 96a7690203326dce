"""Reading a signed event's fields for what they must be.

A provider's signature proves who sent an event, not that it has the shape Luna expects.
Every field is read with its type and the bounds of the column it goes to (ids, amounts
in 32 bits, times up to the year 9999); anything else is :class:`MalformedEvent`.
"""

from __future__ import annotations

from typing import Any, Final

from luna.billing.subscriptions import MalformedEvent
from luna.errors import BadRequest

MAX_ID_LENGTH: Final = 255
MAX_AMOUNT: Final = 2**31 - 1
MAX_TIMESTAMP: Final = 253_402_300_799


class InvalidSignature(BadRequest):
    """The webhook's signature does not match its body, or it is too old."""

    code = "invalid-signature"


def mapping(value: Any, field: str) -> dict[str, Any]:
    """An object of the event (absent: empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(f"{field} is not an object.")
    return value


def number(value: Any, field: str, bound: int) -> int:
    """A whole number within ``±bound`` (a boolean is not one)."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > bound:
        raise MalformedEvent(f"{field} is not a whole number within ±{bound}.")
    return value


def amount(value: Any, field: str) -> int:
    """An amount in the currency's smallest unit (absent: zero)."""
    return 0 if value is None else number(value, field, MAX_AMOUNT)
