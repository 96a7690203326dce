"""Rate limits as text (``"10/minute"``): parsed here, where nothing else is imported, so
that the settings can validate them without importing the rate limiter and its logging."""

from __future__ import annotations

from limits import RateLimitItem, parse_many


def parse_limit(limit: str) -> RateLimitItem:
    """One limit in the :mod:`limits` notation (``"10/minute"``, ``"100 per hour"``)."""
    items = parse_many(limit)
    if len(items) != 1:
        raise ValueError(f"expected one rate limit, not {len(items)}: {limit!r}")
    return items[0]
