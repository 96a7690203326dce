"""What both provider stand-ins share: a uvicorn thread, the script queue and the request log.

`BackgroundServer` serves an ASGI app on 127.0.0.1 and a free port from a daemon thread.
`Standin` is the base of the Anthropic and OpenAI stand-ins: it consumes the script one turn per
model request, records every request, checks turn expectations, paces streams and notices
clients that go away mid-stream. Subclasses render turns and errors in their wire format.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from tests.standins.script import ScriptedError, Turn

Outcome = Literal["pending", "completed", "disconnected"]

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


class _PromptServer(uvicorn.Server):
    """A uvicorn server that stops as soon as it is asked, not at its next 0.1 s tick."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit = asyncio.Event()

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.on_tick(0)
        if not self.should_exit:
            await self._exit.wait()

    def request_exit(self) -> None:
        self.should_exit = True
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._exit.set)


class BackgroundServer:
    """Serves an ASGI app with uvicorn on 127.0.0.1 and a free port, from a daemon thread."""

    def __init__(self, app: ASGIApp, *, name: str = "standin") -> None:
        self._app = app
        self._name = name
        self._socket: socket.socket | None = None
        self._server: _PromptServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        if self._socket is None:
            raise RuntimeError(f"the {self._name} server is not running")
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the {self._name} server is already running")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self._app,
            loop="asyncio",
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        server = _PromptServer(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name=self._name, daemon=True
        )
        self._socket, self._server, self._thread = listener, server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self._name} server did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        server, thread, listener = self._server, self._thread, self._socket
        if server is None or thread is None or listener is None:
            return
        server.request_exit()
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(_STOP_TIMEOUT)
        listener.close()
        self._server = self._thread = self._socket = None
        if thread.is_alive():
            raise RuntimeError(f"the {self._name} server did not stop")


@dataclass
class RecordedRequest:
    """One request a stand-in received, as it arrived, and how its answer went."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    turn: Turn | None = None
    outcome: Outcome = "pending"
    _finished: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def stream(self) -> bool:
        return bool(self.body and self.body.get("stream"))

    def finish(self, outcome: Outcome) -> None:
        if self.outcome == "pending":
            self.outcome = outcome
            self._finished.set()

    def wait_finished(self, timeout: float = 5.0) -> Outcome:
        """Block until the answer was fully sent or the client went away; returns the outcome."""
        self._finished.wait(timeout)
        return self.outcome


class Standin(ABC):
    """A local model server that answers from a script; the base of both provider stand-ins."""

    default_models: tuple[str, ...] = ()
    model_call_path: str = ""

    def __init__(self, *, api_key: str, models: Sequence[str] | None = None) -> None:
        self.api_key = api_key
        self.models = list(models) if models is not None else list(self.default_models)
        self.requests: list[RecordedRequest] = []
        self.failures: list[str] = []
        self._turns: deque[Turn] = deque()
        self._responder: Callable[[dict[str, Any]], Turn] | None = None
        self._lock = threading.Lock()
        self._server = BackgroundServer(Starlette(routes=self.routes()), name=type(self).__name__)

    # --- the test's side ---------------------------------------------------------------

    def script(self, *turns: Turn) -> None:
        """Append turns to the script; each model request consumes the next one."""
        with self._lock:
            self._turns.extend(turns)

    def respond_with(self, responder: Callable[[dict[str, Any]], Turn] | None) -> None:
        """Answer the requests the script does not cover with the turn ``responder``
        chooses from each request's body: for many concurrent conversations, whose
        requests arrive in no fixed order. None stops it."""
        with self._lock:
            self._responder = responder

    @property
    def remaining_turns(self) -> int:
        with self._lock:
            return len(self._turns)

    @property
    def model_calls(self) -> list[RecordedRequest]:
        """The recorded requests to the model endpoint, in order."""
        return [request for request in self.requests if request.path == self.model_call_path]

    @property
    def origin(self) -> str:
        return self._server.origin

    @property
    @abstractmethod
    def base_url(self) -> str:
        """The base URL the provider's official SDK takes as-is."""

    def raise_failures(self) -> None:
        """Fail with every expectation that failed and every request the script did not cover."""
        if self.failures:
            raise AssertionError("\n".join(self.failures))

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- the provider's side -----------------------------------------------------------

    @abstractmethod
    def routes(self) -> list[BaseRoute]:
        """The provider's endpoints."""

    @abstractmethod
    def unauthorized(self, record: RecordedRequest) -> Response | None:
        """The provider's authentication error, or None when the request carries the key."""

    @abstractmethod
    def invalid(self, body: dict[str, Any] | None) -> Response | None:
        """The provider's invalid-request error, or None when the body is a valid model call."""

    @abstractmethod
    def error_response(self, error: ScriptedError) -> Response:
        """A scripted error as the provider answers it."""

    @abstractmethod
    def standin_failure(self, message: str) -> Response:
        """A 500 in the provider's shape that tells the client not to retry."""

    @abstractmethod
    def completion(self, turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
        """The non-streaming response body for a turn."""

    @abstractmethod
    def stream_events(self, turn: Turn, body: dict[str, Any]) -> Iterable[bytes]:
        """The encoded server-sent events of a streamed turn, a mid-stream error included."""

    async def record(self, request: Request) -> RecordedRequest:
        raw = await request.body()
        body: dict[str, Any] | None = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            body = parsed if isinstance(parsed, dict) else None
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=dict(request.headers),
            body=body,
        )
        with self._lock:
            self.requests.append(recorded)
        return recorded

    async def answer_model_call(self, request: Request) -> Response:
        record = await self.record(request)
        refusal = self.unauthorized(record)
        if refusal is None:
            refusal = self.invalid(record.body)
        body = record.body
        if refusal is not None or body is None:
            record.finish("completed")
            if refusal is not None:
                return refusal
            return self.standin_failure("the request has no JSON body")
        turn = self._take_turn(record, body)
        if isinstance(turn, str):
            record.finish("completed")
            return self.standin_failure(turn)
        if turn.first_byte_delay:
            await asyncio.sleep(turn.first_byte_delay)
        if turn.error is not None and not (turn.error.mid_stream and record.stream):
            record.finish("completed")
            return self.error_response(turn.error)
        if record.stream:
            events = self._paced(self.stream_events(turn, body), turn.chunk_delay, record)
            return StreamingResponse(events, media_type="text/event-stream", headers=_SSE_HEADERS)
        record.finish("completed")
        return JSONResponse(self.completion(turn, body))

    def _take_turn(self, record: RecordedRequest, body: dict[str, Any]) -> Turn | str:
        with self._lock:
            number = len([request for request in self.requests if request.turn is not None]) + 1
            if self._turns:
                turn = record.turn = self._turns.popleft()
            elif self._responder is not None:
                turn = record.turn = self._responder(body)
            else:
                failure = f"the script ran out: model request {number} to {record.path} has no turn"
                self.failures.append(failure)
                return failure
        if turn.expect is not None:
            try:
                turn.expect(body)
            # A check is test code: whatever it raises (a KeyError on a missing field too) fails it.
            except Exception as error:  # noqa: BLE001
                failure = f"turn {number}: the request did not meet the expectation: {error!r}"
                with self._lock:
                    self.failures.append(failure)
                return failure
        return turn

    async def _paced(
        self, events: Iterable[bytes], delay: float, record: RecordedRequest
    ) -> AsyncIterator[bytes]:
        try:
            for index, event in enumerate(events):
                if index and delay:
                    await asyncio.sleep(delay)
                yield event
            record.finish("completed")
        finally:
            record.finish("disconnected")


_SSE_HEADERS = {"cache-control": "no-cache"}


def retry_after_headers(seconds: float | None) -> dict[str, str]:
    """`retry-after` in whole seconds (as HTTP defines it) and the precise `retry-after-ms`."""
    if seconds is None:
        return {}
    return {"retry-after": str(math.ceil(seconds)), "retry-after-ms": f"{seconds * 1000:g}"}


def sse(data: object, event: str | None = None) -> bytes:
    """One server-sent event whose data is JSON (or a bare string such as `[DONE]`)."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {payload}\n\n".encode()
