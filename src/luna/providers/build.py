"""Pydantic AI models built from a workspace's provider, and the probe of a provider.

Every model talks through an SDK client of its own (``AsyncAnthropic`` or ``AsyncOpenAI``,
Chat Completions for both OpenAI kinds) created with ``max_retries=0``: retries happen in
one place, the durable run engine, never inside the SDK as well. OpenAI-compatible servers
get Pydantic AI's ``OpenAICompatibleProvider``, which leaves out request features only
OpenAI's own API has (a server such as Ollama would refuse them).

**Closing.** That SDK client holds an HTTP connection pool, and the Pydantic AI provider
does not own it (it was passed in), so neither ``async with model`` nor ``async with
agent`` closes it. Use :func:`open_model` (``async with open_model(resolved, ...) as
model``), or call :func:`close_model` when done with a model from :func:`build_model`.

The SDKs fall back to environment variables (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``,
their base URLs) for any argument left out. The key and the base URL are therefore
always passed, a placeholder key included, so that the operator's own credentials are
never sent to a tenant's server.

**Network.** A base URL is a tenant's choice: the SDK then talks through
:func:`luna.providers.network.pinned_http_client`, which connects only to addresses the
provider address policy allows (``allow_private_networks``: the operator's setting),
redirects included. A refusal surfaces as ``AddressRefused``, classified as
``provider-address-refused``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Final

import httpx2
from pydantic_ai.models import Model
from pydantic_ai.profiles.anthropic import anthropic_model_profile
from pydantic_ai.profiles.openai import OpenAIModelProfile
from pydantic_ai.settings import ModelSettings

from luna.agents import definition
from luna.providers.errors import ModelFailure, classify_model_error, provider_errors

# The provider SDKs (and Pydantic AI's models over them) are imported where a model or a
# client is built, not with this module: they take well over a second to import, which
# every process and command would otherwise pay at start, run or no run.
if TYPE_CHECKING:
    from anthropic import AsyncAnthropic
    from openai import AsyncOpenAI
from luna.providers.network import pinned_http_client

ANTHROPIC_BASE_URL: Final = "https://api.anthropic.com"
OPENAI_BASE_URL: Final = "https://api.openai.com/v1"
# Sent when a provider has no key (local servers need none): never let the SDK look one up.
NO_API_KEY: Final = "api-key-not-set"
MAX_LISTED_MODELS: Final = 500
# The name Pydantic AI records on responses of OpenAI-compatible servers (message history).
COMPATIBLE_PROVIDER_NAME: Final = "openai-compatible"
# Local and self-hosted servers (Ollama, llama.cpp, vLLM, LM Studio) all take the classic
# `max_tokens`; not all of them take OpenAI's newer `max_completion_tokens`.
_COMPATIBLE_PROFILE: Final = OpenAIModelProfile(openai_chat_supports_max_completion_tokens=False)
# Anthropic accepts top_p down to this value while extended thinking is on.
_THINKING_MIN_TOP_P: Final = 0.95


@dataclass(frozen=True)
class ResolvedModel:
    """Everything needed to call one model of a workspace's provider, key decrypted.

    ``base_url`` is None for the provider's public API; ``logprobs`` asks an OpenAI or
    OpenAI-compatible server for token log-probabilities; ``allow_private_networks``
    lets the base URL reach private networks (cloud metadata endpoints never).
    """

    provider_id: str
    kind: str  # anthropic | openai | openai_compatible
    base_url: str | None
    api_key: str | None
    model_name: str
    settings: definition.ModelSettings
    logprobs: bool
    allow_private_networks: bool


def build_model(resolved: ResolvedModel, *, timeout_seconds: float) -> Model:
    """The Pydantic AI model for ``resolved``, with its settings as the model's defaults.

    One attempt per request, each at most ``timeout_seconds``. Close it with
    :func:`close_model` (or build it with :func:`open_model`).
    """
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.anthropic import AnthropicProvider
    from pydantic_ai.providers.openai import OpenAIProvider
    from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

    settings = build_model_settings(resolved)
    connection = _Connection(
        resolved.base_url, resolved.api_key, timeout_seconds, resolved.allow_private_networks
    )
    if resolved.kind == "anthropic":
        return AnthropicModel(
            resolved.model_name,
            provider=AnthropicProvider(anthropic_client=_anthropic_client(connection)),
            settings=settings,
        )
    openai_client = _openai_client(resolved.kind, connection)
    if resolved.kind == "openai":
        return OpenAIChatModel(
            resolved.model_name,
            provider=OpenAIProvider(openai_client=openai_client),
            settings=settings,
        )
    return OpenAIChatModel(
        resolved.model_name,
        provider=OpenAICompatibleProvider(
            COMPATIBLE_PROVIDER_NAME, openai_client=openai_client, profile=_COMPATIBLE_PROFILE
        ),
        settings=settings,
    )


async def close_model(model: Model) -> None:
    """Close the HTTP connections of a model made by :func:`build_model`."""
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.models.openai import OpenAIChatModel

    client = model.client if isinstance(model, AnthropicModel | OpenAIChatModel) else None
    if client is not None:
        await client.close()


@asynccontextmanager
async def open_model(resolved: ResolvedModel, *, timeout_seconds: float) -> AsyncIterator[Model]:
    """:func:`build_model`, closed when the block ends."""
    model = build_model(resolved, timeout_seconds=timeout_seconds)
    try:
        yield model
    finally:
        await close_model(model)


def build_model_settings(resolved: ResolvedModel) -> ModelSettings:
    """The Pydantic AI settings of a resolved model: sampling, token limit, Anthropic
    extended thinking, and OpenAI log-probabilities."""
    if resolved.kind == "anthropic":
        return _anthropic_settings(resolved.model_name, resolved.settings)
    from pydantic_ai.models.openai import OpenAIChatModelSettings

    chosen = resolved.settings
    settings = OpenAIChatModelSettings()
    if chosen.temperature is not None:
        settings["temperature"] = chosen.temperature
    if chosen.top_p is not None:
        settings["top_p"] = chosen.top_p
    if chosen.max_tokens is not None:
        settings["max_tokens"] = chosen.max_tokens
    if resolved.logprobs:
        settings["openai_logprobs"] = True
    return settings


def _anthropic_settings(model_name: str, chosen: definition.ModelSettings) -> ModelSettings:
    """Anthropic's rules: with thinking on, ``max_tokens`` counts the thinking budget too
    (so the budget is added to it), temperature cannot be set and ``top_p`` only from
    0.95; the newest models take adaptive thinking and no sampling settings at all."""
    from pydantic_ai.models.anthropic import AnthropicModelSettings

    profile = anthropic_model_profile(model_name) or {}
    thinking = chosen.thinking_budget
    settings = AnthropicModelSettings()
    sampling_allowed = not profile.get("anthropic_disallows_sampling_settings", False)
    if sampling_allowed and chosen.temperature is not None and thinking is None:
        settings["temperature"] = chosen.temperature
    top_p_floor = _THINKING_MIN_TOP_P if thinking is not None else 0.0
    if sampling_allowed and chosen.top_p is not None and chosen.top_p >= top_p_floor:
        settings["top_p"] = chosen.top_p
    if chosen.max_tokens is not None:
        settings["max_tokens"] = chosen.max_tokens + (thinking or 0)
    if thinking is not None:
        if profile.get("anthropic_disallows_budget_thinking", False):
            settings["anthropic_thinking"] = {"type": "adaptive"}
        else:
            settings["anthropic_thinking"] = {"type": "enabled", "budget_tokens": thinking}
    return settings


@dataclass(frozen=True)
class ProviderProbe:
    """The outcome of probing a provider: the models it serves, or why it failed."""

    ok: bool
    latency_ms: float
    models: list[str]
    failure: ModelFailure | None


async def probe_provider(
    *,
    kind: str,
    base_url: str | None,
    api_key: str | None,
    timeout_seconds: float,
    allow_private_networks: bool,
) -> ProviderProbe:
    """List a provider's models, timing the answer; a provider failure (an address the
    policy refuses included) is an outcome."""
    started = perf_counter()
    failure: ModelFailure | None = None
    models: list[str] = []
    try:
        models = await list_models(
            kind=kind,
            base_url=base_url,
            api_key=api_key,
            timeout_seconds=timeout_seconds,
            allow_private_networks=allow_private_networks,
        )
    except provider_errors() as exc:
        failure = classify_model_error(exc)
    return ProviderProbe(
        ok=failure is None,
        latency_ms=round((perf_counter() - started) * 1000, 1),
        models=models,
        failure=failure,
    )


async def list_models(
    *,
    kind: str,
    base_url: str | None,
    api_key: str | None,
    timeout_seconds: float,
    allow_private_networks: bool,
) -> list[str]:
    """The ids of the models a provider serves (``GET /v1/models`` through its SDK, with
    its own authentication). Raises what the SDK raises: see
    :func:`luna.providers.errors.classify_model_error`."""
    names: list[str] = []
    connection = _Connection(base_url, api_key, timeout_seconds, allow_private_networks)
    if kind == "anthropic":
        async with _anthropic_client(connection) as anthropic_client:
            async for anthropic_model in anthropic_client.models.list():
                names.append(anthropic_model.id)
                if len(names) >= MAX_LISTED_MODELS:
                    break
        return names
    async with _openai_client(kind, connection) as openai_client:
        async for openai_model in openai_client.models.list():
            names.append(openai_model.id)
            if len(names) >= MAX_LISTED_MODELS:
                break
    return names


@dataclass(frozen=True)
class _Connection:
    """Where and how an SDK client connects."""

    base_url: str | None
    api_key: str | None
    timeout_seconds: float
    allow_private_networks: bool

    def http_client(self) -> httpx2.AsyncClient | None:
        """A pinned client for a tenant's base URL; None (the SDK's own) for a public API."""
        if self.base_url is None:
            return None
        return pinned_http_client(
            allow_private_networks=self.allow_private_networks,
            timeout_seconds=self.timeout_seconds,
        )


def _anthropic_client(connection: _Connection) -> AsyncAnthropic:
    from anthropic import AsyncAnthropic

    return AsyncAnthropic(
        api_key=connection.api_key or NO_API_KEY,
        base_url=connection.base_url or ANTHROPIC_BASE_URL,
        max_retries=0,
        timeout=connection.timeout_seconds,
        http_client=connection.http_client(),
    )


def _openai_client(kind: str, connection: _Connection) -> AsyncOpenAI:
    if connection.base_url is None and kind != "openai":
        raise ValueError("an OpenAI-compatible provider needs a base URL")
    from openai import AsyncOpenAI

    return AsyncOpenAI(
        api_key=connection.api_key or NO_API_KEY,
        base_url=connection.base_url or OPENAI_BASE_URL,
        max_retries=0,
        timeout=connection.timeout_seconds,
        http_client=connection.http_client(),
    )
