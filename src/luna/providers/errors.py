"""What went wrong with a model provider, in words a user can act on.

:func:`classify_model_error` reads the errors Pydantic AI raises for a model request
(``ModelAPIError`` and its categories), and those the Anthropic and OpenAI SDKs and their
HTTP layer raise directly (a provider check lists models through the SDK). It answers
a :class:`ModelFailure` with a stable ``code``, a readable ``message``, and whether the
durable run engine may retry, and after how long. Anything else (a bug, a database
error) is not a provider failure: it answers None and the caller lets it propagate.

Messages never quote the API key, nor the raw error body: a provider's own wording is
kept only for refused requests, as a short excerpt (at most 300 characters, control and
invisible formatting characters removed, anything that looks like a secret replaced).
A base URL leading to an address the network policy refuses is
``provider-address-refused``, worded without the address it resolved to.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx
import httpx2
from pydantic_ai import exceptions as ai

from luna.errors import LunaError, cause_of_type
from luna.providers.network import SETTING
from luna.security.network_policy import AddressRefused

PROVIDERS_DOC: Final = "docs/providers.md"


@functools.cache
def provider_errors() -> tuple[type[BaseException], ...]:
    """The errors a call through a provider SDK may raise that classify_model_error reads.

    The SDKs are imported on first use, not with this module: together they take well
    over a second to import, which every process (and every command) would pay at start.
    """
    import anthropic
    import openai

    return (
        ai.ModelAPIError,
        anthropic.APIError,
        openai.APIError,
        httpx.TransportError,
        httpx2.TransportError,
        AddressRefused,
    )


_MAX_PROVIDER_WORDING = 300
# Control characters, invisible formatting (bidirectional overrides, zero-width), and
# unassigned, private-use and surrogate code points.
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cn", "Co", "Cs"})
_MODEL_WORD = re.compile(r"(?i)\bmodel\b")
_SECRET_LIKE = re.compile(
    r"(?i)\b(?:sk|pk|rk|key|api|token|bearer)[-_][A-Za-z0-9_\-*.]{5,}[A-Za-z0-9_\-*]"
    r"|[A-Za-z0-9_\-]{32,}"
)


@dataclass(frozen=True)
class ModelFailure:
    """A provider failure: ``code`` to branch on, ``message`` to show, and whether (and
    after how many seconds, when the provider said) the request may be tried again."""

    code: str
    message: str
    retryable: bool
    retry_after_seconds: float | None
    status: int | None


class NoProviderConfigured(LunaError):
    """The workspace has no provider an agent could use; the detail says how to add one."""

    code = "no-provider-configured"
    status = 409
    title = "No Model Provider Configured"

    @classmethod
    def empty_workspace(cls, workspace_id: str) -> NoProviderConfigured:
        """The workspace has no provider at all."""
        return cls(
            f"This workspace has no model provider yet. Add one with POST "
            f"{_providers_path(workspace_id)} and a body such as "
            '{"name": "Claude", "kind": "anthropic", "api_key": "sk-ant-...", '
            '"default_model": "claude-sonnet-4-6"}; for OpenAI or a local server (Ollama, '
            f"vLLM, llama.cpp, LM Studio) see {PROVIDERS_DOC}.",
            documentation=PROVIDERS_DOC,
        )

    @classmethod
    def no_default(cls, workspace_id: str) -> NoProviderConfigured:
        """The workspace has providers, none of them the default, and the agent names none."""
        return cls(
            "None of this workspace's providers is the default, and the agent names no "
            f"model. Make one the default with PATCH {_providers_path(workspace_id)}/"
            '{provider_id} and {"is_default": true}, or choose a provider and model in the '
            f"agent's definition. See {PROVIDERS_DOC}.",
            documentation=PROVIDERS_DOC,
        )

    @classmethod
    def no_default_model(
        cls, workspace_id: str, provider_id: str, name: str
    ) -> NoProviderConfigured:
        """The default provider names no model, and neither does the agent."""
        return cls(
            f"The default provider '{name}' ({provider_id}) has no default model, and the "
            f"agent names none. Set one with PATCH {_providers_path(workspace_id)}/"
            f'{provider_id} and a body such as {{"default_model": "claude-sonnet-4-6"}}, or '
            f"choose a model in the agent's definition. See {PROVIDERS_DOC}.",
            provider_id=provider_id,
            documentation=PROVIDERS_DOC,
        )


def _providers_path(workspace_id: str) -> str:
    return f"/api/v1/workspaces/{workspace_id}/providers"


def classify_model_error(exc: BaseException) -> ModelFailure | None:
    """The provider failure ``exc`` stands for, or None when it is not one."""
    # The network policy's refusal, however an SDK wrapped it.
    refusal = cause_of_type(exc, AddressRefused)
    if refusal is not None:
        return _refused_address(refusal)
    if isinstance(exc, ai.ModelAPIError):
        return _from_pydantic_ai(exc)
    if not isinstance(exc, provider_errors()):
        return None
    import anthropic
    import openai

    if isinstance(exc, anthropic.APIStatusError | openai.APIStatusError):
        return _from_status(
            exc.status_code,
            retry_after=_retry_after(exc.response.headers),
            body=exc.body,
        )
    if isinstance(exc, anthropic.APITimeoutError | openai.APITimeoutError):
        return _timeout()
    if isinstance(exc, httpx.TimeoutException | httpx2.TimeoutException):
        return _timeout()
    return _unreachable()


def _refused_address(refusal: AddressRefused) -> ModelFailure:
    """A refusal worded for the provider's base URL, never naming the address a name
    resolved to (that would map the operator's network for the tenant)."""
    if refusal.reason == "unresolvable":
        return _unreachable()
    if refusal.reason == "cloud-metadata":
        why = f"{refusal.host} is a cloud metadata endpoint, which model providers never reach."
    else:
        why = (
            f"{refusal.host} is, or resolves to, a private, loopback or link-local address; "
            f"model providers may only reach public addresses on this installation ({SETTING})."
        )
    return ModelFailure(
        code="provider-address-refused",
        message=f"The provider's base URL leads to an address that is not allowed: {why}",
        retryable=False,
        retry_after_seconds=None,
        status=None,
    )


def _from_pydantic_ai(exc: ai.ModelAPIError) -> ModelFailure:
    if isinstance(exc, ai.ModelRequestTimeout | ai.ModelTimeoutError):
        return _timeout()
    if isinstance(exc, ai.ModelConnectionError):
        return _unreachable()
    status = exc.status_code if isinstance(exc, ai.ModelHTTPError) else None
    if isinstance(exc, ai.ModelAuthenticationError):
        return _auth(status or 401)
    if isinstance(exc, ai.ModelRateLimitError):
        return _rate_limited(status or 429, exc.retry_after)
    if isinstance(exc, ai.ModelQuotaExceededError):
        return _quota(status)
    if isinstance(exc, ai.ModelUnavailableError):
        return _overloaded(status or 503, exc.retry_after)
    if isinstance(exc, ai.ModelNotFoundError):
        return _not_found(status or 404, exc.body, model_name=exc.model_name)
    if isinstance(exc, ai.ModelRequestRejectedError):
        return _bad_request(status or 400, exc.body)
    if status is not None:
        return _from_status(status, retry_after=exc.retry_after, body=exc.body)
    return _unavailable(None)


def _from_status(status: int, *, retry_after: float | None, body: object) -> ModelFailure:
    """The failure an HTTP status stands for (and the provider's body, for refusals)."""
    if status in (401, 403):
        return _auth(status)
    if status == 429:
        return _rate_limited(status, retry_after)
    if status == 402:
        return _quota(status)
    if status in (503, 529):
        return _overloaded(status, retry_after)
    if status == 408:
        return _timeout(status)
    if status == 404:
        return _not_found(status, body, model_name=None)
    if status >= 500:
        return _unavailable(status, retry_after)
    return _bad_request(status, body)


def _auth(status: int) -> ModelFailure:
    return ModelFailure(
        code="provider-auth",
        message=f"The provider refused the API key ({status}). Check the key stored for this "
        "provider, and that it may use this model.",
        retryable=False,
        retry_after_seconds=None,
        status=status,
    )


def _rate_limited(status: int, retry_after: float | None) -> ModelFailure:
    wait = f" It asked to wait {retry_after:g} seconds." if retry_after is not None else ""
    return ModelFailure(
        code="provider-rate-limited",
        message=f"The provider's rate limit was reached ({status}).{wait}",
        retryable=True,
        retry_after_seconds=retry_after,
        status=status,
    )


def _quota(status: int | None) -> ModelFailure:
    return ModelFailure(
        code="provider-quota-exceeded",
        message="The provider account has no credit or quota left; top it up at the provider.",
        retryable=False,
        retry_after_seconds=None,
        status=status,
    )


def _overloaded(status: int, retry_after: float | None) -> ModelFailure:
    return ModelFailure(
        code="provider-overloaded",
        message=f"The provider is overloaded ({status}); try again shortly.",
        retryable=True,
        retry_after_seconds=retry_after,
        status=status,
    )


def _unavailable(status: int | None, retry_after: float | None = None) -> ModelFailure:
    answered = f" ({status})" if status is not None else ""
    return ModelFailure(
        code="provider-unavailable",
        message=f"The provider failed to answer{answered}; try again shortly.",
        retryable=True,
        retry_after_seconds=retry_after,
        status=status,
    )


def _unreachable() -> ModelFailure:
    return ModelFailure(
        code="provider-unavailable",
        message="The provider could not be reached. Check its base URL and that the "
        "server is running and reachable from Luna.",
        retryable=True,
        retry_after_seconds=None,
        status=None,
    )


def _timeout(status: int | None = None) -> ModelFailure:
    return ModelFailure(
        code="provider-timeout",
        message="The provider did not answer in time.",
        retryable=True,
        retry_after_seconds=None,
        status=status,
    )


def _not_found(status: int, body: object, *, model_name: str | None) -> ModelFailure:
    wording = provider_wording(body)
    if not _names_a_model(body, wording):
        return _bad_request(status, body, hint=" Check the provider's base URL.")
    named = f" '{model_name}'" if model_name else ""
    return ModelFailure(
        code="provider-model-not-found",
        message=f"The provider has no model{named}. List its models with a provider check "
        "and choose one of them.",
        retryable=False,
        retry_after_seconds=None,
        status=status,
    )


def _bad_request(status: int, body: object, *, hint: str = "") -> ModelFailure:
    wording = provider_wording(body)
    said = f": {wording}" if wording else "."
    return ModelFailure(
        code="provider-bad-request",
        message=f"The provider refused the request ({status}){said}{hint}",
        retryable=False,
        retry_after_seconds=None,
        status=status,
    )


def provider_wording(body: object) -> str:
    """The provider's own error message from an error body, cut short and with anything
    that looks like a secret replaced; empty when there is none."""
    error = body.get("error", body) if isinstance(body, Mapping) else body
    message = error.get("message") if isinstance(error, Mapping) else error
    if not isinstance(message, str):
        return ""
    # What a terminal or a log viewer would act on (escapes, bidirectional overrides) goes.
    visible = "".join(
        " " if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char for char in message
    )
    cleaned = _SECRET_LIKE.sub("[redacted]", " ".join(visible.split()))
    if len(cleaned) > _MAX_PROVIDER_WORDING:
        cleaned = cleaned[: _MAX_PROVIDER_WORDING - 3] + "..."
    return cleaned


def _names_a_model(body: object, wording: str) -> bool:
    """Whether a 404 says the model is unknown (rather than the URL being wrong)."""
    error: Any = body.get("error", body) if isinstance(body, Mapping) else {}
    code = error.get("code") if isinstance(error, Mapping) else None
    return code == "model_not_found" or _MODEL_WORD.search(wording) is not None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms`` or an integer ``retry-after``, as the SDKs read them."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) / scale
        except ValueError:
            continue
        if 0 <= seconds < float("inf"):
            return seconds
    return None
