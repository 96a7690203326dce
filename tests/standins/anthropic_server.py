"""A local server speaking Anthropic's Messages API wire format, answering from a script.

`POST /v1/messages` (the beta client's `?beta=true` too) answers JSON or, with `stream: true`,
server-sent events: `message_start`, `ping`, then per content block `content_block_start`,
`content_block_delta` (`thinking_delta` + `signature_delta`, `text_delta`, `input_json_delta`)
and `content_block_stop`, then `message_delta` (stop reason, cumulative usage) and
`message_stop`. A scripted mid-stream error is the `error` event. `GET /v1/models` lists models
and `POST /v1/messages/count_tokens` counts the prompt as a turn's default usage does.
Requests must carry the key (`x-api-key`, or the bearer token anthropic 2.x SDKs send) and
`anthropic-version`.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.standins.script import ScriptedError, ToolCall, Turn, Usage, request_input_tokens
from tests.standins.server import RecordedRequest, Standin, retry_after_headers, sse

DEFAULT_API_KEY = "sk-ant-standin-key"

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_ERROR_MESSAGES = {
    "authentication_error": "invalid x-api-key",
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}


def thinking_signature(thinking: str) -> str:
    """The opaque signature the stand-in gives a thinking block (stable, so tests can match it)."""
    return base64.b64encode(hashlib.sha256(thinking.encode()).digest()).decode()


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": _new_id("req"),
    }


def _error(status: int, error_type: str, message: str, headers: dict[str, str]) -> Response:
    body = error_body(error_type, message)
    headers = {"request-id": body["request_id"], **headers}
    return JSONResponse(body, status_code=status, headers=headers)


def _scripted_error_parts(error: ScriptedError) -> tuple[str, str]:
    fallback = "api_error" if error.status >= 500 else "invalid_request_error"
    error_type = error.type or _ERROR_TYPES.get(error.status, fallback)
    message = error.message or _ERROR_MESSAGES.get(error_type, error_type.replace("_", " "))
    return error_type, message


class AnthropicStandin(Standin):
    """Anthropic's Messages API from a script; `base_url` has no `/v1`, as the SDK expects."""

    default_models = ("claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-7")
    model_call_path = "/v1/messages"

    def __init__(
        self, *, api_key: str = DEFAULT_API_KEY, models: Sequence[str] | None = None
    ) -> None:
        super().__init__(api_key=api_key, models=models)

    @property
    def base_url(self) -> str:
        return self.origin

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/messages", self.answer_model_call, methods=["POST"]),
            Route("/v1/messages/count_tokens", self._count_tokens, methods=["POST"]),
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/v1/models/{model_id:path}", self._get_model, methods=["GET"]),
        ]

    # --- checks and errors -------------------------------------------------------------

    def unauthorized(self, record: RecordedRequest) -> Response | None:
        # The API takes the key as `x-api-key`; anthropic 2.x SDKs send it as a bearer token.
        api_key = record.headers.get("x-api-key")
        bearer = record.headers.get("authorization")
        if api_key is not None and api_key != self.api_key:
            return _error(401, "authentication_error", "invalid x-api-key", {})
        if api_key is None and bearer != f"Bearer {self.api_key}":
            return _error(401, "authentication_error", "invalid bearer token", {})
        if not record.headers.get("anthropic-version"):
            message = "anthropic-version: header is required"
            return _error(400, "invalid_request_error", message, {})
        return None

    def invalid(self, body: dict[str, Any] | None) -> Response | None:
        if body is None:
            return _error(400, "invalid_request_error", "The request body is not valid JSON.", {})
        for name, kind in (("model", str), ("max_tokens", int), ("messages", list)):
            if not isinstance(body.get(name), kind):
                return _error(400, "invalid_request_error", f"{name}: Field required", {})
        return None

    def error_response(self, error: ScriptedError) -> Response:
        error_type, message = _scripted_error_parts(error)
        return _error(error.status, error_type, message, retry_after_headers(error.retry_after))

    def standin_failure(self, message: str) -> Response:
        return _error(500, "api_error", message, {"x-should-retry": "false"})

    # --- answers -----------------------------------------------------------------------

    def completion(self, turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if turn.thinking:
            signature = thinking_signature(turn.thinking)
            content.append({"type": "thinking", "thinking": turn.thinking, "signature": signature})
        if turn.text:
            content.append({"type": "text", "text": turn.text})
        for call, call_id in zip(turn.tool_calls, _tool_call_ids(turn), strict=True):
            tool_use = {"type": "tool_use", "id": call_id, "name": call.name}
            content.append({**tool_use, "input": dict(call.arguments)})
        usage = turn.usage_for(body)
        return {
            **_message_head(body["model"]),
            "content": content,
            "stop_reason": _stop_reason(turn),
            "stop_sequence": None,
            "usage": _usage(usage.input_tokens, usage.output_tokens),
        }

    def stream_events(self, turn: Turn, body: dict[str, Any]) -> Iterator[bytes]:
        usage = turn.usage_for(body)
        head = _message_head(body["model"])
        start = {**head, "content": [], "stop_reason": None, "stop_sequence": None}
        start["usage"] = _usage(usage.input_tokens, 1)
        yield sse({"type": "message_start", "message": start}, "message_start")
        yield sse({"type": "ping"}, "ping")
        yield from _content_block_events(turn)
        if turn.error is not None:
            error_type, message = _scripted_error_parts(turn.error)
            yield sse(error_body(error_type, message), "error")
            return
        yield sse(_message_delta(turn, usage), "message_delta")
        yield sse({"type": "message_stop"}, "message_stop")

    async def _count_tokens(self, request: Request) -> Response:
        record = await self.record(request)
        record.finish("completed")
        if (refusal := self.unauthorized(record)) is not None:
            return refusal
        body = record.body or {}
        if not isinstance(body.get("messages"), list):
            return _error(400, "invalid_request_error", "messages: Field required", {})
        return JSONResponse({"input_tokens": request_input_tokens(body)})

    async def _list_models(self, request: Request) -> Response:
        record = await self.record(request)
        record.finish("completed")
        if (refusal := self.unauthorized(record)) is not None:
            return refusal
        data = [_model_info(model) for model in self.models]
        first_id = data[0]["id"] if data else None
        last_id = data[-1]["id"] if data else None
        return JSONResponse(
            {"data": data, "has_more": False, "first_id": first_id, "last_id": last_id}
        )

    async def _get_model(self, request: Request) -> Response:
        record = await self.record(request)
        record.finish("completed")
        if (refusal := self.unauthorized(record)) is not None:
            return refusal
        model_id = request.path_params["model_id"]
        if model_id not in self.models:
            return _error(404, "not_found_error", f"model: {model_id}", {})
        return JSONResponse(_model_info(model_id))


def _tool_call_ids(turn: Turn) -> list[str]:
    return [call.id or _new_id("toolu") for call in turn.tool_calls]


def _message_head(model: str) -> dict[str, Any]:
    return {"id": _new_id("msg"), "type": "message", "role": "assistant", "model": model}


def _usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def _stop_reason(turn: Turn) -> str:
    if turn.truncated:
        return "max_tokens"
    return "tool_use" if turn.tool_calls else "end_turn"


def _message_delta(turn: Turn, usage: Usage) -> dict[str, Any]:
    delta_usage = _usage(usage.input_tokens, usage.output_tokens)
    del delta_usage["service_tier"]
    return {
        "type": "message_delta",
        "delta": {"stop_reason": _stop_reason(turn), "stop_sequence": None},
        "usage": delta_usage,
    }


def _content_block_events(turn: Turn) -> Iterator[bytes]:
    index = 0
    if turn.thinking:
        deltas = [{"type": "thinking_delta", "thinking": part} for part in turn.thinking_deltas()]
        deltas.append({"type": "signature_delta", "signature": thinking_signature(turn.thinking)})
        yield from _block({"type": "thinking", "thinking": "", "signature": ""}, deltas, index)
        index += 1
    if turn.text:
        deltas = [{"type": "text_delta", "text": part} for part in turn.text_deltas()]
        yield from _block({"type": "text", "text": ""}, deltas, index)
        index += 1
    for call, call_id in zip(turn.tool_calls, _tool_call_ids(turn), strict=True):
        yield from _block(_tool_use_start(call, call_id), _json_deltas(turn, call), index)
        index += 1


def _tool_use_start(call: ToolCall, call_id: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": call.name, "input": {}}


def _json_deltas(turn: Turn, call: ToolCall) -> list[dict[str, Any]]:
    fragments = ["", *turn.argument_deltas(call)]
    return [{"type": "input_json_delta", "partial_json": fragment} for fragment in fragments]


def _block(start: dict[str, Any], deltas: list[dict[str, Any]], index: int) -> Iterator[bytes]:
    yield sse(
        {"type": "content_block_start", "index": index, "content_block": start},
        "content_block_start",
    )
    for delta in deltas:
        event = {"type": "content_block_delta", "index": index, "delta": delta}
        yield sse(event, "content_block_delta")
    yield sse({"type": "content_block_stop", "index": index}, "content_block_stop")


def _display_name(model_id: str) -> str:
    """`claude-haiku-4-5` reads `Claude Haiku 4.5`, as the API names it."""
    words = [word.title() for word in model_id.split("-") if not word.isdigit()]
    version = ".".join(word for word in model_id.split("-") if word.isdigit())
    return " ".join([*words, version] if version else words)


def _model_info(model_id: str) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model_id,
        "display_name": _display_name(model_id),
        "created_at": "2025-09-29T00:00:00Z",
        "lifecycle": "active",
        "max_input_tokens": 200_000,
        "max_tokens": 64_000,
    }
