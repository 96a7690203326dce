"""Keeping secrets out of the logs, and every log line to a bounded size.

:func:`scrub_event` is the one processor every event passes after its exception is
rendered and before it is written: values under secret-named keys (``authorization``,
``cookie``, ``x-api-key``, ``password``, ``token``...) are replaced, every string is
searched for credentials with the rules of :mod:`luna.security.redaction`, at any depth,
and long strings, long lists and deep structures are cut short, saying so.
:class:`BoundedRenderer` then caps the rendered line itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from structlog.types import EventDict, Processor, WrappedLogger

from luna.security.redaction import REDACTED, is_secret_key, redact_text

# Docker's log driver splits lines at 16 KiB and most shippers cap a line near there.
MAX_LINE_CHARS: Final = 16_000
MAX_STRING_CHARS: Final = 4_000
MAX_ITEMS: Final = 50
MAX_DEPTH: Final = 6
# A line over the limit keeps these fields (all short) and says what it lost.
KEPT_FIELDS: Final = ("timestamp", "level", "logger", "request_id", "trace_id", "span_id")
MAX_EVENT_CHARS_WHEN_CUT: Final = 500

TOO_DEEP: Final = "[truncated: nested too deep]"
# Written on every line by Luna's own processors, in fixed formats (an ISO time, a level,
# a logger's name, hexadecimal ids): nothing to redact, so not searched.
_PLATFORM_FIELDS: Final = frozenset({"timestamp", "level", "logger", "trace_id", "span_id"})


def truncated(text: str, limit: int = MAX_STRING_CHARS) -> str:
    """``text`` cut to about ``limit`` characters: its start and its end, since both say
    something (a traceback ends with its error), and how much was cut between them."""
    if len(text) <= limit:
        return text
    kept = limit // 2
    return f"{text[:kept]}[truncated {len(text) - 2 * kept} characters]{text[-kept:]}"


def scrub_event(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A copy of ``event`` with its secrets redacted and its values bounded in size.

    The event's own containers are never changed: other handlers format the same
    record. Run on every line (one per request at least), so the common case, a string
    with nothing to redact, costs a dictionary look-up and one search (``redact_text``)."""
    scrubbed: dict[str, Any] = {}
    for key, value in event.items():
        if type(value) is not str:
            scrubbed[key] = _scrub_field(key, value, depth=0)
        elif key in _PLATFORM_FIELDS:
            scrubbed[key] = value
        elif value and is_secret_key(key):
            scrubbed[key] = REDACTED
        else:
            scrubbed[key] = _scrub_text(value)
    return scrubbed


def _scrub_field(key: Any, value: Any, *, depth: int) -> Any:
    if isinstance(key, str) and is_secret_key(key) and _has_content(value):
        return REDACTED
    return _scrub(value, depth=depth)


def _scrub(value: Any, *, depth: int) -> Any:
    if isinstance(value, str):
        return _scrub_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, bytes | bytearray):
        return _scrub_text(bytes(value).decode("utf-8", "replace"))
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, Mapping):
        return _scrub_mapping(value, depth=depth + 1)
    if isinstance(value, list | tuple):
        return _scrub_sequence(value, depth=depth + 1)
    # Whatever else (a header object, a model, a request) would be written as its repr.
    return _scrub_text(repr(value))


def _scrub_text(text: str) -> str:
    # Cut first: the redaction rules then scan a bounded string, however long the value.
    return redact_text(text if len(text) <= MAX_STRING_CHARS else truncated(text))


def _scrub_mapping(mapping: Mapping[Any, Any], *, depth: int) -> dict[Any, Any]:
    scrubbed: dict[Any, Any] = {}
    for index, (key, value) in enumerate(mapping.items()):
        if index == MAX_ITEMS:
            scrubbed["truncated"] = f"{len(mapping) - MAX_ITEMS} more items"
            break
        # JSON has only text keys, and a tuple or bytes key would not serialise at all.
        name = key if isinstance(key, str) else str(key)
        scrubbed[name] = _scrub_field(name, value, depth=depth)
    return scrubbed


def _scrub_sequence(items: list[Any] | tuple[Any, ...], *, depth: int) -> list[Any]:
    if _is_secret_pair(items):
        # A header as ASGI spells it, ``(b"authorization", b"Bearer ...")``.
        return [_scrub(items[0], depth=depth), REDACTED]
    scrubbed = [_scrub(item, depth=depth) for item in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        scrubbed.append(f"[truncated: {len(items) - MAX_ITEMS} more items]")
    return scrubbed


def _is_secret_pair(items: list[Any] | tuple[Any, ...]) -> bool:
    if len(items) != 2 or not _has_content(items[1]):
        return False
    name = items[0]
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return isinstance(name, str) and is_secret_key(name)


def _has_content(value: Any) -> bool:
    """Whether a secret-named value holds anything to hide (not null, a flag or empty)."""
    return value is not None and not isinstance(value, bool) and value not in ("", b"")


class BoundedRenderer:
    """A renderer whose lines never pass ``max_chars``: a longer line is rendered again
    with only its :data:`KEPT_FIELDS` and a shortened event, marked as truncated."""

    def __init__(self, renderer: Processor, max_chars: int = MAX_LINE_CHARS) -> None:
        self.renderer = renderer
        self.max_chars = max_chars

    def __call__(self, logger: WrappedLogger, method_name: str, event: EventDict) -> str:
        """Render ``event``; render its essentials instead if the line is too long."""
        line = str(self.renderer(logger, method_name, dict(event)))
        if len(line) <= self.max_chars:
            return line
        kept = {field: event[field] for field in KEPT_FIELDS if field in event}
        kept["event"] = truncated(str(event.get("event", "")), MAX_EVENT_CHARS_WHEN_CUT)
        kept["truncated"] = f"the line had {len(line)} characters; the limit is {self.max_chars}"
        line = str(self.renderer(logger, method_name, kept))
        # The kept fields are short; this cut is only a guarantee.
        return line if len(line) <= self.max_chars else line[: self.max_chars]
