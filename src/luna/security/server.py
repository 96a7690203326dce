"""HTTP/1.1 connection guards for ``luna serve`` (slowloris and oversized headers).

uvicorn closes idle keep-alive connections, but it waits forever for the headers of a
request that trickles in, and it keeps accepting header lines without a size limit.
This protocol, used instead of uvicorn's own httptools protocol, gives every request
``HEADER_TIMEOUT_SECONDS`` from its first byte (or from connection for the first
request) to finish its headers, answering 408 and closing otherwise, and refuses a
request line plus headers over ``MAX_HEADER_BYTES`` with 400.

The 408 is followed by a lingering close, as nginx does: the server ends its side of
the connection and reads (and drops) what the client still sends for up to
``LINGER_SECONDS`` before closing. Closing at once with unread bytes in the socket makes
the kernel answer with a reset, and a reset can destroy the 408 before the client has
read it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from luna.observability.logging import get_logger

HEADER_TIMEOUT_SECONDS = 10.0
MAX_HEADER_BYTES = 64 * 1024
LINGER_SECONDS = 2.0

log = get_logger(__name__)

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 23\r\nconnection: close\r\n\r\nRequest header timeout."
)


class HeadersTooLarge(Exception):
    """Raised from a parser callback; the parser reports it as a malformed request (400)."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline and a header size limit."""

    header_timeout_seconds: float = HEADER_TIMEOUT_SECONDS
    max_header_bytes: int = MAX_HEADER_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._linger is not None:
            return  # answered and closing: what the client still sends is dropped
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        if self._header_deadline is None:
            self._arm_header_deadline()

    def on_url(self, url: bytes) -> None:
        self._count_header_bytes(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header_bytes(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.max_header_bytes:
            raise HeadersTooLarge

    def _arm_header_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(
            self.header_timeout_seconds, self._headers_timed_out
        )

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_timed_out(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        log.warning("request headers timed out", client=str(self.client))
        self.transport.write(_TIMEOUT_RESPONSE)
        self._close_lingering()

    def _close_lingering(self) -> None:
        """End the server's side, drain the client's for a while, then close.

        The client's end of file closes the transport sooner (``eof_received``)."""
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)
