"""A local server speaking the OpenAI Chat Completions wire format, answering from a script.

`POST /v1/chat/completions` answers a `chat.completion` or, with `stream: true`,
`chat.completion.chunk` events ending in `data: [DONE]`: a role chunk, reasoning chunks (the
`reasoning_content` field of DeepSeek- and GLM-style servers, or another field name), content
chunks (with `logprobs` when the request asks), tool call fragments (`index`, `id`, function
`name`, then `arguments` pieces), a chunk with the `finish_reason` and, with
`stream_options.include_usage`, a final chunk with no choices and the usage. A scripted
mid-stream error is a `data: {"error": ...}` event. `GET /v1/models` lists the model ids.
Requests must carry `Authorization: Bearer <key>`.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.standins.script import ScriptedError, ToolCall, Turn, Usage, count_tokens
from tests.standins.server import RecordedRequest, Standin, retry_after_headers, sse

DEFAULT_API_KEY = "sk-standin-key"

_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", None, "You are not allowed to sample from this model."),
    404: (
        "invalid_request_error",
        "model_not_found",
        "The model does not exist or you do not have access to it.",
    ),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    500: (
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def error_body(error: ScriptedError) -> dict[str, Any]:
    fallback = "server_error" if error.status >= 500 else "invalid_request_error"
    default_type, default_code, default_message = _ERRORS.get(error.status, (fallback, None, ""))
    return {
        "error": {
            "message": error.message or default_message or f"Error {error.status}",
            "type": error.type or default_type,
            "param": None,
            "code": error.code or default_code,
        }
    }


def _error(error: ScriptedError, headers: dict[str, str] | None = None) -> Response:
    headers = {**(headers or {}), **retry_after_headers(error.retry_after)}
    headers["x-request-id"] = _new_id("req_")
    return JSONResponse(error_body(error), status_code=error.status, headers=headers)


class OpenAIStandin(Standin):
    """An OpenAI-compatible Chat Completions server; `base_url` ends in `/v1`, as the SDK expects.

    `reasoning_field` names the delta/message field that carries thinking: `reasoning_content`
    (DeepSeek, GLM, Moonshot) by default, or `reasoning` (vLLM, OpenRouter).
    """

    default_models = ("gpt-4.1-mini", "glm-4.5", "deepseek-reasoner")
    model_call_path = "/v1/chat/completions"

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        models: Sequence[str] | None = None,
        reasoning_field: str = "reasoning_content",
    ) -> None:
        super().__init__(api_key=api_key, models=models)
        self.reasoning_field = reasoning_field

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/chat/completions", self.answer_model_call, methods=["POST"]),
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/v1/models/{model_id:path}", self._get_model, methods=["GET"]),
        ]

    # --- checks and errors -------------------------------------------------------------

    def unauthorized(self, record: RecordedRequest) -> Response | None:
        if record.headers.get("authorization") == f"Bearer {self.api_key}":
            return None
        return _error(ScriptedError(401))

    def invalid(self, body: dict[str, Any] | None) -> Response | None:
        if body is None:
            message = "We could not parse the JSON body of your request."
            return _error(ScriptedError(400, message=message))
        if not isinstance(body.get("model"), str):
            return _error(ScriptedError(400, message="you must provide a model parameter"))
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return _error(ScriptedError(400, message="'messages' is a required property"))
        return None

    def error_response(self, error: ScriptedError) -> Response:
        return _error(error)

    def standin_failure(self, message: str) -> Response:
        return _error(ScriptedError(500, message=message), {"x-should-retry": "false"})

    # --- answers -----------------------------------------------------------------------

    def completion(self, turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": turn.text or None,
            "refusal": None,
        }
        if turn.thinking:
            message[self.reasoning_field] = turn.thinking
        if turn.tool_calls:
            message["tool_calls"] = [
                _function_call(call, call_id, call.arguments_json)
                for call, call_id in zip(turn.tool_calls, _tool_call_ids(turn), strict=True)
            ]
        choice = {
            "index": 0,
            "message": message,
            "logprobs": _logprobs(turn, body, turn.text_tokens, turn.token_logprobs()),
            "finish_reason": _finish_reason(turn),
        }
        return {
            **_head(body, "chat.completion"),
            "choices": [choice],
            "usage": _usage(turn, turn.usage_for(body)),
        }

    def stream_events(self, turn: Turn, body: dict[str, Any]) -> Iterator[bytes]:
        head = _head(body, "chat.completion.chunk")
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if include_usage:
            head["usage"] = None

        def chunk(delta: dict[str, Any], **choice: Any) -> bytes:
            fields = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}
            return sse({**head, "choices": [{**fields, **choice}]})

        yield chunk({"role": "assistant", "content": ""})
        for part in turn.thinking_deltas():
            yield chunk({self.reasoning_field: part})
        yield from self._content_chunks(turn, body, chunk)
        for index, (call, call_id) in enumerate(
            zip(turn.tool_calls, _tool_call_ids(turn), strict=True)
        ):
            yield chunk({"tool_calls": [{"index": index, **_function_call(call, call_id, "")}]})
            for fragment in turn.argument_deltas(call):
                fragment_delta = {"index": index, "function": {"arguments": fragment}}
                yield chunk({"tool_calls": [fragment_delta]})
        if turn.error is not None:
            yield sse(error_body(turn.error))
            return
        yield chunk({}, finish_reason=_finish_reason(turn))
        if include_usage:
            yield sse({**head, "choices": [], "usage": _usage(turn, turn.usage_for(body))})
        yield sse("[DONE]")

    def _content_chunks(
        self, turn: Turn, body: dict[str, Any], chunk: Callable[..., bytes]
    ) -> Iterator[bytes]:
        tokens, logprobs = turn.text_tokens, turn.token_logprobs()
        size = turn.tokens_per_chunk
        for start in range(0, len(tokens), size):
            piece = tokens[start : start + size]
            piece_logprobs = _logprobs(turn, body, piece, logprobs[start : start + size])
            yield chunk({"content": "".join(piece)}, logprobs=piece_logprobs)

    async def _list_models(self, request: Request) -> Response:
        record = await self.record(request)
        record.finish("completed")
        if (refusal := self.unauthorized(record)) is not None:
            return refusal
        return JSONResponse({"object": "list", "data": [_model(model) for model in self.models]})

    async def _get_model(self, request: Request) -> Response:
        record = await self.record(request)
        record.finish("completed")
        if (refusal := self.unauthorized(record)) is not None:
            return refusal
        model_id = request.path_params["model_id"]
        if model_id not in self.models:
            message = f"The model `{model_id}` does not exist or you do not have access to it."
            return _error(ScriptedError(404, message=message))
        return JSONResponse(_model(model_id))


def _tool_call_ids(turn: Turn) -> list[str]:
    return [call.id or _new_id("call_") for call in turn.tool_calls]


def _function_call(call: ToolCall, call_id: str, arguments: str) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": call.name, "arguments": arguments},
    }


def _head(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": _new_id("chatcmpl-"),
        "object": kind,
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_standin",
    }


def _finish_reason(turn: Turn) -> str:
    if turn.truncated:
        return "length"
    return "tool_calls" if turn.tool_calls else "stop"


def _usage(turn: Turn, usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": count_tokens(turn.thinking)},
    }


def _logprobs(
    turn: Turn, body: dict[str, Any], tokens: list[str], logprobs: list[float]
) -> dict[str, Any] | None:
    """`choices[].logprobs` for these tokens, when the request asked for logprobs."""
    if not body.get("logprobs") or not turn.text:
        return None
    top = int(body.get("top_logprobs") or 0)
    content = [
        {**_token_logprob(token, logprob), "top_logprobs": _top_logprobs(token, logprob, top)}
        for token, logprob in zip(tokens, logprobs, strict=True)
    ]
    return {"content": content, "refusal": None}


def _token_logprob(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode())}


def _top_logprobs(token: str, logprob: float, count: int) -> list[dict[str, Any]]:
    """The chosen token first, then made-up alternatives sharing the remaining probability."""
    if count == 0:
        return []
    remaining = max(1.0 - math.exp(logprob), 1e-9)
    alternatives = [
        _token_logprob(f"{token.strip() or token}~{rank}", math.log(remaining / 2**rank))
        for rank in range(1, count)
    ]
    return [_token_logprob(token, logprob), *alternatives]


def _model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1_735_689_600, "owned_by": "standin"}
