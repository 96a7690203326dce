"""Refusing text the database cannot store, before any route sees it.

PostgreSQL's ``text`` cannot hold NUL (U+0000), and UTF-8 cannot encode an unpaired
surrogate (U+D800 to U+DFFF, which JSON can spell as ``\\ud800`` and Python's JSON
decoder accepts). Either in a request reached the database as a 500. This one check
covers every route: a path holding such a character or any other control character
names nothing (404); a query string or a JSON body holding one is refused with a 422
problem that points at the field.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because it wraps every request. A
JSON body is read whole here, as the route would read it anyway; one search of its raw
bytes clears nearly every body, and only a body that may spell such a character is
decoded to find out.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luna.problems import problem_body, problem_response

UNSTORABLE_CODE: Final = "validation-failed"
UNSTORABLE_TYPE: Final = "string_unstorable"
UNSTORABLE_MESSAGE: Final = (
    "Holds a character that cannot be stored: NUL (U+0000) or an unpaired surrogate."
)

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A path is a name: no control character belongs in one either.
_UNSERVABLE_PATH = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# ``%00`` or a raw NUL. Other percent-encoded bytes that are not UTF-8 decode to U+FFFD.
_NUL_IN_QUERY = re.compile(rb"%00|\x00")
# What in a JSON body's bytes may spell one: a ``\u0000`` or ``\ud800``-``\udfff``
# escape, surrogates encoded as UTF-8 bytes (the decoder lets them through), or NUL
# bytes (UTF-16 and UTF-32 bodies, which the decoder also reads).
_MAY_SPELL_UNSTORABLE = re.compile(
    rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|\xed[\xa0-\xbf]|\x00"
)


class StorableTextMiddleware:
    """Answer 404 for a path, and 422 for a query string or JSON body, holding a
    character the database cannot store."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _UNSERVABLE_PATH.search(scope["path"]):
            not_found = problem_body(status=404, detail="There is nothing at this path.")
            await problem_response(not_found)(scope, receive, send)
            return
        if _NUL_IN_QUERY.search(scope.get("query_string", b"")):
            await _refuse(scope, receive, send, {"in": "query"})
            return
        if not _may_carry_json(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        if body is None:
            return  # the client left (or the body limit answered): nothing to serve
        pointer = unstorable_pointer(body)
        if pointer is not None:
            await _refuse(scope, receive, send, {"in": "body", "pointer": pointer})
            return
        await self.app(scope, _replay(messages, receive), send)


def _may_carry_json(headers: Headers) -> bool:
    """Whether the routes would read the body as JSON: FastAPI does so for a JSON media
    type, and for a body sent with no ``Content-Type`` at all."""
    content_type = headers.get("content-type")
    if content_type is None:
        return "content-length" in headers or "transfer-encoding" in headers
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def unstorable_pointer(body: bytes) -> str | None:
    """The JSON pointer (``#/a/0/b``) of the first key or string in ``body`` holding a
    character the database cannot store, or None when there is none (or the body is not
    JSON: the route answers that)."""
    if not _MAY_SPELL_UNSTORABLE.search(body):
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return _find_unstorable(document)


def _find_unstorable(document: Any) -> str | None:
    # Iterative: a deeply nested body must not exhaust the stack here.
    pending: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str) and _UNSTORABLE.search(value):
            return _pointer(path)
        if isinstance(value, dict):
            for key, item in value.items():
                if _UNSTORABLE.search(key):
                    return _pointer((*path, key))
                pending.append((item, (*path, key)))
        elif isinstance(value, list):
            pending.extend((item, (*path, str(index))) for index, item in enumerate(value))
    return None


def _pointer(path: tuple[str, ...]) -> str:
    """An RFC 6901 pointer; the offending characters themselves are not echoed back."""
    parts = (_UNSTORABLE.sub("\ufffd", part).replace("~", "~0").replace("/", "~1") for part in path)
    return "#/" + "/".join(parts)


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """Every message of the request body, and the body; None if the client left."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that hands out the messages already read, then reads on."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _refuse(scope: Scope, receive: Receive, send: Send, where: dict[str, str]) -> None:
    """Answer 422, in the shape of every other invalid field (:mod:`luna.problems`)."""
    error = {**where, "message": UNSTORABLE_MESSAGE, "type": UNSTORABLE_TYPE}
    body = problem_body(
        status=422,
        code=UNSTORABLE_CODE,
        detail="The request has invalid fields; see errors.",
        instance=scope["path"],
        extra={"errors": [error]},
    )
    await problem_response(body)(scope, receive, send)
