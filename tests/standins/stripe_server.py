"""A local server speaking the Stripe API wire format for Checkout and the customer portal.

`POST /v1/checkout/sessions` answers a `checkout.session` and `POST /v1/billing_portal/sessions`
a `billing_portal.session`. Bodies arrive form-encoded as Stripe receives them
(`line_items[0][price]`, `metadata[team_id]`, `subscription_data[metadata][plan]`) and are
recorded parsed into nested objects, with the headers the SDK sends (`Idempotency-Key`,
`Stripe-Version`). Requests must carry `Authorization: Bearer <secret key>`. `fail_next`
answers the next requests with a Stripe error and `drop_next` closes the connection before the
body, so that the SDK's retries can be watched. Any other path answers Stripe's 404.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tests.standins.server import BackgroundServer

DEFAULT_API_KEY = "sk_test_standin_51LunaStandinKey0123456789"

Form = dict[str, Any]
Answer = dict[str, Any] | Response

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("invalid_request_error", "Invalid API Key provided."),
    402: ("card_error", "Your card was declined."),
    404: ("invalid_request_error", "No such object."),
    409: ("invalid_request_error", "This object cannot be accessed right now."),
    429: ("invalid_request_error", "Too many requests hit the API too quickly."),
    500: ("api_error", "Something went wrong on Stripe's end."),
}


def stripe_error(
    message: str,
    *,
    error_type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """An error body as Stripe answers it."""
    error: dict[str, Any] = {"type": error_type, "message": message}
    if param is not None:
        error["param"] = param
    if code is not None:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    return {"error": error}


def parse_form(pairs: Iterable[tuple[str, str]]) -> Form:
    """Stripe's bracketed form keys as nested objects: ``a[b][0][c]=v`` is
    ``{"a": {"b": [{"c": "v"}]}}``; an object whose keys are all indexes is a list."""
    root: Form = {}
    for key, value in pairs:
        match = _KEY.match(key)
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))] if match else [key]
        node = root
        for segment in path[:-1]:
            child = node.setdefault(segment or str(len(node)), {})
            if not isinstance(child, dict):
                raise ValueError(f"{key} nests under a value")
            node = child
        node[path[-1] or str(len(node))] = value
    return _with_lists(root)


def _with_lists(node: Form) -> Any:
    values = {
        key: _with_lists(value) if isinstance(value, dict) else value for key, value in node.items()
    }
    if values and all(key.isdigit() for key in values):
        return [values[key] for key in sorted(values, key=int)]
    return values


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + (uuid.uuid4().hex + uuid.uuid4().hex)[:length]


@dataclass
class StripeRequest:
    """One request the stand-in received: the form fields as sent, parsed, and the answer."""

    method: str
    path: str
    headers: dict[str, str]
    fields: list[tuple[str, str]]
    form: Form
    status: int | None = None
    response: dict[str, Any] | None = None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    @property
    def stripe_version(self) -> str | None:
        return self.headers.get("stripe-version")


@dataclass(frozen=True)
class _Failure:
    """A scripted answer: a Stripe error, or (without a body) a dropped connection."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


class _DroppedConnection(Exception):
    """Raised after the status line so that the server closes the connection mid-response."""


class _Drop(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1024")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise _DroppedConnection("the Stripe stand-in was told to drop this connection")


class StripeStandin:
    """Stripe's Checkout and customer portal endpoints; `base_url` is the SDK's `api` base.

    With ``prices``, a line item naming another price is refused as Stripe refuses an
    unknown one; without, any price goes."""

    def __init__(self, *, api_key: str = DEFAULT_API_KEY, prices: Iterable[str] | None = None):
        self.api_key = api_key
        self.prices = frozenset(prices) if prices is not None else None
        self.requests: list[StripeRequest] = []
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Lock()
        routes = [
            Route("/v1/checkout/sessions", self._checkout_session, methods=["POST"]),
            Route("/v1/billing_portal/sessions", self._portal_session, methods=["POST"]),
            Route("/{path:path}", self._unknown, methods=["GET", "POST", "DELETE"]),
        ]
        self._server = BackgroundServer(Starlette(routes=routes), name="StripeStandin")

    # --- the test's side ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._server.origin

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        error: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` and a Stripe error body
        (``error``, or Stripe's usual one for the status)."""
        if error is None:
            error_type, message = _DEFAULT_ERRORS.get(status, ("api_error", f"Error {status}"))
            error = stripe_error(message, error_type=error_type)
        with self._lock:
            self._failures.extend([_Failure(status, error, dict(headers or {}))] * count)

    def drop_next(self, count: int = 1) -> None:
        """Close the connection of the next ``count`` requests before any body is sent."""
        with self._lock:
            self._failures.extend([_Failure(0, None)] * count)

    def requests_to(self, path: str) -> list[StripeRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

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

    # --- Stripe's side -----------------------------------------------------------------

    async def _checkout_session(self, request: Request) -> Response:
        return await self._answer(request, self._new_checkout_session)

    async def _portal_session(self, request: Request) -> Response:
        return await self._answer(request, _new_portal_session)

    async def _unknown(self, request: Request) -> Response:
        await self._record(request)
        message = f"Unrecognized request URL ({request.method}: {request.url.path})."
        return _error_response(404, stripe_error(message))

    async def _answer(self, request: Request, build: Callable[[Form], Answer]) -> Response:
        record = await self._record(request)
        refusal = self._scripted_failure() or self._unauthorized(record)
        if refusal is not None:
            return refusal
        answer = build(record.form)
        if isinstance(answer, Response):
            record.status = answer.status_code
            return answer
        record.status, record.response = 200, answer
        return JSONResponse(answer, headers={"request-id": _new_id("req_", 14)})

    async def _record(self, request: Request) -> StripeRequest:
        fields = parse_qsl((await request.body()).decode(), keep_blank_values=True)
        try:
            form = parse_form(fields)
        except ValueError:
            form = {}
        record = StripeRequest(
            request.method, request.url.path, dict(request.headers), fields, form
        )
        with self._lock:
            self.requests.append(record)
        return record

    def _scripted_failure(self) -> Response | None:
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is None:
            return None
        if failure.body is None:
            return _Drop()
        return _error_response(failure.status, failure.body, failure.headers)

    def _unauthorized(self, record: StripeRequest) -> Response | None:
        authorization = record.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            message = "You did not provide an API key. Use `Authorization: Bearer <key>`."
            return _error_response(401, stripe_error(message))
        key = authorization.removeprefix("Bearer ")
        if key != self.api_key:
            message = f"Invalid API Key provided: {key[:8]}{'*' * 12}{key[-4:]}"
            return _error_response(401, stripe_error(message))
        return None

    def _new_checkout_session(self, form: Form) -> Answer:
        if refusal := self._invalid_checkout(form):
            return refusal
        session_id = _new_id("cs_test_a1", 56)
        now = int(time.time())
        return {
            "id": session_id,
            "object": "checkout.session",
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": now,
            "customer": form.get("customer"),
            "customer_email": form.get("customer_email"),
            "expires_at": now + 24 * 3600,
            "livemode": False,
            "metadata": form.get("metadata", {}),
            "mode": form["mode"],
            "payment_status": "unpaid",
            "status": "open",
            "subscription": None,
            "success_url": form.get("success_url"),
            "ui_mode": "hosted",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }

    def _invalid_checkout(self, form: Form) -> Response | None:
        mode = form.get("mode")
        if mode not in ("payment", "setup", "subscription"):
            message = "Missing required param: mode." if mode is None else f"Invalid mode: {mode}"
            return _error_response(400, stripe_error(message, param="mode"))
        if "customer" in form and "customer_email" in form:
            message = "You may only specify one of these parameters: customer, customer_email."
            return _error_response(400, stripe_error(message, param="customer"))
        items = form.get("line_items", [])
        if mode != "setup" and not (isinstance(items, list) and items):
            message = f"`line_items` is required in `{mode}` mode."
            return _error_response(400, stripe_error(message, param="line_items"))
        for index, item in enumerate(items):
            price = item.get("price") if isinstance(item, dict) else None
            if self.prices is not None and price not in self.prices:
                param = f"line_items[{index}][price]"
                body = stripe_error(
                    f"No such price: '{price}'", param=param, code="resource_missing"
                )
                return _error_response(400, body)
        return None


def _new_portal_session(form: Form) -> Answer:
    customer = form.get("customer")
    if not customer:
        body = stripe_error("Missing required param: customer.", param="customer")
        return _error_response(400, body)
    return {
        "id": _new_id("bps_"),
        "object": "billing_portal.session",
        "configuration": "bpc_1LunaStandinPortalConfig",
        "created": int(time.time()),
        "customer": customer,
        "flow": None,
        "livemode": False,
        "locale": None,
        "on_behalf_of": None,
        "return_url": form.get("return_url"),
        "url": f"https://billing.stripe.com/p/session/test_{_new_id('', 40)}",
    }


def _error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    headers = {"request-id": _new_id("req_", 14), **(headers or {})}
    return JSONResponse(body, status_code=status, headers=headers)
