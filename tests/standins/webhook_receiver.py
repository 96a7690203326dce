"""A local HTTP endpoint that receives webhook messages: it records each one as it
arrived (headers and raw body) and answers with the status codes it is given, in turn."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.standins.server import BackgroundServer


@dataclass(frozen=True)
class Received:
    """One message as it arrived."""

    headers: dict[str, str]
    body: bytes
    status: int


class WebhookReceiver:
    """Answers ``POST /hook`` with the next scripted status (200 once they run out)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses: deque[int] = deque(statuses)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = BackgroundServer(
            Starlette(routes=[Route("/hook", self._receive, methods=["POST"])]),
            name="webhook-receiver",
        )

    @property
    def url(self) -> str:
        return f"{self._server.origin}/hook"

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            status = self.statuses.popleft() if self.statuses else 200
            self.received.append(Received(dict(request.headers), body, status))
        return PlainTextResponse(f"answered {status}", status_code=status)

    async def wait_for(self, count: int) -> list[Received]:
        """The messages received, once there are at least ``count`` of them (a wait of
        at most 90 seconds, for a busy machine)."""
        for _ in range(4500):
            if len(self.received) >= count:
                return list(self.received)
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.received)} of {count} messages arrived")

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.stop()
