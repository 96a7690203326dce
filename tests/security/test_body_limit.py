"""Request bodies over the limit are refused with 413, declared or not."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.problems import install_problem_handlers
from luna.security.body_limit import BodyLimitMiddleware

pytestmark = pytest.mark.anyio

LIMIT = 1_000


class RecordingApp:
    """Reads the whole body as a framework would, then answers 200 whatever it got."""

    def __init__(self) -> None:
        self.calls = 0
        self.body = b""
        self.headers: dict[bytes, bytes] = {}
        self.saw_disconnect = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        self.headers = dict(scope["headers"])
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.saw_disconnect = True
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        self.body = b"".join(chunks)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"stored"})


class Chunks:
    """A chunked request body (no Content-Length) that counts how much was pulled."""

    def __init__(self, count: int, size: int) -> None:
        self.count = count
        self.size = size
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield b"x" * self.size


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
def inner() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
async def client(inner: RecordingApp) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(BodyLimitMiddleware(inner, max_bytes=LIMIT)) as http:
        yield http


def assert_content_too_large(response: httpx.Response, limit: int, path: str) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:luna:problem:content-too-large",
        "title": "Content Too Large",
        "status": 413,
        "detail": f"The request body is larger than the limit of {limit} bytes.",
        "instance": path,
        "max_bytes": limit,
    }


async def test_declared_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, inner: RecordingApp
) -> None:
    response = await client.post("/upload", content=b"x" * (LIMIT + 1))
    assert_content_too_large(response, LIMIT, "/upload")
    assert inner.calls == 0


async def test_chunked_body_over_the_limit_is_cut_off(
    client: httpx.AsyncClient, inner: RecordingApp
) -> None:
    body = Chunks(count=20, size=100)
    response = await client.post("/upload", content=body)
    assert_content_too_large(response, LIMIT, "/upload")
    assert b"content-length" not in inner.headers
    assert inner.headers[b"transfer-encoding"] == b"chunked"
    assert inner.saw_disconnect
    assert len(inner.body) == LIMIT  # what arrived before the chunk that crossed the limit
    assert body.pulled == 11  # reading stopped at the chunk that crossed the limit


async def test_body_exactly_at_the_limit_reaches_the_app(
    client: httpx.AsyncClient, inner: RecordingApp
) -> None:
    response = await client.post("/upload", content=b"y" * LIMIT)
    assert response.status_code == 200
    assert response.text == "stored"
    assert inner.body == b"y" * LIMIT


async def test_chunked_body_exactly_at_the_limit_reaches_the_app(
    client: httpx.AsyncClient, inner: RecordingApp
) -> None:
    response = await client.post("/upload", content=Chunks(count=10, size=100))
    assert response.status_code == 200
    assert inner.body == b"x" * LIMIT
    assert not inner.saw_disconnect


async def test_get_without_body_is_untouched(
    client: httpx.AsyncClient, inner: RecordingApp
) -> None:
    response = await client.get("/things", params={"q": "1"})
    assert response.status_code == 200
    assert response.text == "stored"
    assert inner.calls == 1
    assert inner.body == b""
    assert not inner.saw_disconnect


async def test_longest_matching_prefix_sets_the_limit(inner: RecordingApp) -> None:
    middleware = BodyLimitMiddleware(
        inner, max_bytes=LIMIT, overrides={"/uploads/": 5_000, "/uploads/avatars/": 100}
    )
    async with client_for(middleware) as http:
        avatar = await http.post("/uploads/avatars/me", content=b"a" * 101)
        document = await http.post("/uploads/documents", content=b"d" * 4_000)
        elsewhere = await http.post("/notes", content=b"n" * 4_000)
        chunked_avatar = await http.post("/uploads/avatars/me", content=Chunks(3, 50))
    assert_content_too_large(avatar, 100, "/uploads/avatars/me")
    assert document.status_code == 200
    assert_content_too_large(elsewhere, LIMIT, "/notes")
    assert_content_too_large(chunked_avatar, 100, "/uploads/avatars/me")
    assert middleware.limit_for("/uploads/avatars/x") == 100
    assert middleware.limit_for("/uploads/x") == 5_000
    assert middleware.limit_for("/uploadsx") == LIMIT


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "+5", "0x10", " ", "1e3"])
async def test_invalid_content_length_is_a_400_problem(
    client: httpx.AsyncClient, inner: RecordingApp, value: str
) -> None:
    response = await client.post("/upload", content=b"12345", headers={"content-length": value})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:luna:problem:bad-request"
    assert body["detail"] == "The Content-Length header is not a non-negative integer."
    assert inner.calls == 0


async def call(app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> list[Message]:
    """Call an ASGI app directly, for headers an HTTP client will not send."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/upload", "headers": headers}
    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ([(b"content-length", "\N{SUPERSCRIPT TWO}".encode("latin-1"))], 400),
        ([(b"content-length", b"5"), (b"content-length", b"6")], 400),
        ([(b"content-length", b"5"), (b"content-length", b"5")], 200),
        ([(b"content-length", b"0")], 200),
    ],
)
async def test_content_length_edge_cases(
    inner: RecordingApp, headers: list[tuple[bytes, bytes]], status: int
) -> None:
    sent = await call(BodyLimitMiddleware(inner, max_bytes=LIMIT), headers)
    assert sent[0]["status"] == status
    assert inner.calls == (1 if status == 200 else 0)


async def test_app_that_streams_before_reading_keeps_its_response(inner: RecordingApp) -> None:
    seen: list[str] = []

    async def answers_first(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while (message := await receive())["type"] == "http.request":
            if not message.get("more_body", False):
                break
        seen.append(message["type"])
        seen.append((await receive())["type"])
        await send({"type": "http.response.body", "body": b"partial"})

    body = Chunks(20, 100)
    async with client_for(BodyLimitMiddleware(answers_first, max_bytes=LIMIT)) as http:
        response = await http.post("/upload", content=body)
    assert response.status_code == 200
    assert response.text == "partial"
    assert seen == ["http.disconnect", "http.disconnect"]
    assert body.pulled == 11


class Note(BaseModel):
    text: str


def fastapi_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/notes")
    async def create_note(note: Note) -> Note:
        return note

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    return app


async def test_fastapi_routes_answer_413_and_raise_nothing() -> None:
    big = b'{"text": "' + b"z" * 2_000 + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 100):
            yield big[start : start + 100]

    async with client_for(BodyLimitMiddleware(fastapi_app(), max_bytes=LIMIT)) as http:
        model_route = await http.post(
            "/notes", content=chunks(), headers={"content-type": "application/json"}
        )
        raw_route = await http.post("/raw", content=chunks())
        small = await http.post("/notes", json={"text": "hello"})
        small_raw = await http.post("/raw", content=b"12345")
    assert_content_too_large(model_route, LIMIT, "/notes")
    assert_content_too_large(raw_route, LIMIT, "/raw")
    assert small.json() == {"text": "hello"}
    assert small_raw.json() == {"size": 5}


async def test_other_errors_from_the_app_still_propagate() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a real bug")

    async with client_for(BodyLimitMiddleware(broken)) as http:
        with pytest.raises(RuntimeError, match="a real bug"):
            await http.post("/upload", content=b"ok")


async def test_non_http_scopes_pass_through(inner: RecordingApp) -> None:
    scopes: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    scope = {"type": "websocket", "path": "/ws", "headers": [(b"content-length", b"x")]}
    await BodyLimitMiddleware(app, max_bytes=0)(scope, receive, send)
    assert scopes == [scope]


@pytest.mark.parametrize(
    ("max_bytes", "overrides"), [(-1, None), (LIMIT, {"/x": -5}), (LIMIT, {"/x": True})]
)
def test_negative_or_odd_limits_are_refused(
    inner: RecordingApp, max_bytes: int, overrides: dict[str, int] | None
) -> None:
    with pytest.raises(ValueError, match="non-negative number of bytes"):
        BodyLimitMiddleware(inner, max_bytes=max_bytes, overrides=overrides)


async def test_a_real_client_disconnect_is_passed_on_and_not_masked() -> None:
    seen: list[Message] = []

    async def reader(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(await receive())
        raise ClientDisconnect

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    scope = {"type": "http", "method": "POST", "path": "/upload", "headers": []}
    with pytest.raises(ClientDisconnect):
        await BodyLimitMiddleware(reader)(scope, receive, send)
    assert seen == [{"type": "http.disconnect"}]


class FakeClock:
    """Monotonic seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class TrickledBody:
    """A body sent one byte at a time, the clock moving ``seconds_per_byte`` per byte;
    after ``stall_after`` bytes (if given) the client sends nothing more, ever."""

    def __init__(
        self, clock: FakeClock, *, seconds_per_byte: float, stall_after: int | None = None
    ) -> None:
        self.clock = clock
        self.seconds_per_byte = seconds_per_byte
        self.stall_after = stall_after
        self.sent = 0

    async def receive(self) -> Message:
        if self.stall_after is not None and self.sent >= self.stall_after:
            await anyio.sleep_forever()
        self.clock.now += self.seconds_per_byte
        self.sent += 1
        return {"type": "http.request", "body": b"x", "more_body": True}


async def call_with(app: ASGIApp, receive: Receive) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/upload", "headers": []}
    await app(scope, receive, send)
    return sent


def assert_request_timeout(sent: list[Message], seconds: float) -> None:
    start, body = sent[0], sent[1]
    assert start["status"] == 408
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/problem+json"
    assert headers[b"connection"] == b"close"  # the rest of the body is never read
    assert json.loads(body["body"]) == {
        "type": "urn:luna:problem:request-timeout",
        "title": "Request Timeout",
        "status": 408,
        "detail": f"The request body did not arrive within {seconds:g} seconds.",
        "instance": "/upload",
        "timeout_seconds": seconds,
    }


async def test_a_body_trickled_in_past_the_time_limit_is_answered_408(
    inner: RecordingApp,
) -> None:
    clock = FakeClock()
    trickle = TrickledBody(clock, seconds_per_byte=2.0)
    middleware = BodyLimitMiddleware(inner, max_bytes=LIMIT, body_timeout_seconds=30, clock=clock)

    sent = await call_with(middleware, trickle.receive)

    assert_request_timeout(sent, 30)
    assert len(sent) == 2  # the app's own answer is not sent after the 408
    assert inner.saw_disconnect
    assert trickle.sent == 15  # the byte that arrived at 30 s is the last one taken


async def test_a_client_that_stops_sending_is_answered_408_at_the_deadline(
    inner: RecordingApp,
) -> None:
    # Waits for real, but only the 50 ms limit: the wait for a byte is itself bounded.
    trickle = TrickledBody(FakeClock(), seconds_per_byte=0.0, stall_after=3)
    middleware = BodyLimitMiddleware(inner, max_bytes=LIMIT, body_timeout_seconds=0.05)

    with anyio.fail_after(5):
        sent = await call_with(middleware, trickle.receive)

    assert_request_timeout(sent, 0.05)
    assert inner.body == b"xxx"


async def test_a_body_in_time_reaches_the_app_and_later_waits_are_not_bounded() -> None:
    clock = FakeClock()
    messages = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"cd", "more_body": False},
    ]
    disconnect_seen = anyio.Event()

    async def receive() -> Message:
        if messages:
            clock.now += 9.0
            return messages.pop(0)
        clock.now += 3_600.0  # a streaming response listens for a disconnect this long
        disconnect_seen.set()
        return {"type": "http.disconnect"}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while not body.endswith(b"cd"):
            body += (await receive())["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        assert (await receive())["type"] == "http.disconnect"
        await send({"type": "http.response.body", "body": body})

    middleware = BodyLimitMiddleware(app, body_timeout_seconds=20, clock=clock)
    sent = await call_with(middleware, receive)

    assert [message.get("status") for message in sent] == [200, None]
    assert sent[1]["body"] == b"abcd"
    assert disconnect_seen.is_set()


def test_the_body_time_limit_must_be_positive() -> None:
    for seconds in (0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="body_timeout_seconds"):
            BodyLimitMiddleware(RecordingApp(), body_timeout_seconds=seconds)
