"""Request and response shapes of a workspace's model providers.

An API key goes in (``api_key``) and never comes out: responses say only whether one
is stored (``api_key_set``) and its last four characters (``api_key_hint``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from luna.db.pagination import Page
from luna.providers.models import Provider
from luna.schemas import RequestModel

ProviderKind = Literal["anthropic", "openai", "openai_compatible"]
ProviderSort = Literal["name", "-name", "created_at", "-created_at"]

# No control characters: names show in lists, logs and the CLI.
ProviderName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
ModelName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]


_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _plain_http_url(text: str) -> str:
    """An http(s) URL without credentials, query or fragment, kept without a final ``/``."""
    try:
        url = str(_HTTP_URL.validate_python(text))
    except ValidationError:
        raise ValueError("must be an http:// or https:// URL") from None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError("put the API key in api_key, not in the URL")
    if parts.query or parts.fragment:
        raise ValueError("a base URL has no query or fragment")
    return url.rstrip("/")


BaseUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_plain_http_url),
    Field(json_schema_extra={"format": "uri"}),
]


def _usable_key(key: SecretStr | None) -> SecretStr | None:
    """A key goes into an HTTP header: printable ASCII without spaces."""
    if key is None:
        return None
    value = key.get_secret_value()
    if not 1 <= len(value) <= 1000 or not all("!" <= char <= "~" for char in value):
        raise ValueError("an API key is 1 to 1000 printable characters without spaces")
    return key


ApiKey = Annotated[SecretStr, AfterValidator(_usable_key)]


class ProviderOptions(RequestModel):
    """How Luna calls the provider."""

    model_config = ConfigDict(extra="forbid")

    logprobs: bool | None = Field(
        None,
        description="Ask for token log-probabilities, from which each run gets a confidence "
        "figure. Absent: on for OpenAI and OpenAI-compatible servers (turn it off for a "
        "server that refuses them), off for Anthropic, which has none.",
    )


class ProviderCreate(RequestModel):
    """A new provider: Anthropic, OpenAI, or any OpenAI-compatible server by base URL.

    Anthropic and OpenAI need an ``api_key``; an OpenAI-compatible server needs a
    ``base_url`` (for example ``http://127.0.0.1:11434/v1`` for Ollama) and a key only if
    it asks for one. A new provider becomes the workspace's default when the workspace
    has none, or when ``is_default`` is true.
    """

    model_config = ConfigDict(extra="forbid")

    name: ProviderName
    kind: ProviderKind
    base_url: BaseUrl | None = Field(
        None,
        description="The API's base URL. Required for `openai_compatible`; for the others it "
        "replaces the public API (a gateway or proxy).",
    )
    api_key: ApiKey | None = Field(None, description="Stored encrypted; never shown again.")
    default_model: ModelName | None = Field(
        None, description="The model agents that name none use, e.g. `claude-sonnet-4-6`."
    )
    is_default: bool = Field(False, description="Make it the workspace's default provider.")
    options: ProviderOptions = Field(default_factory=ProviderOptions)


class ProviderUpdate(RequestModel):
    """Changes to a provider; absent fields stay as they are, ``null`` clears one.

    ``api_key`` replaces the stored key (``null`` removes it). A new ``base_url`` on a
    provider with a stored key needs the key again in the same request, so a stored key
    is never sent to a new address. ``is_default: true`` makes it the workspace's
    default in place of the former one; ``false`` leaves the workspace without one.
    """

    model_config = ConfigDict(extra="forbid")

    name: ProviderName | None = None
    base_url: BaseUrl | None = None
    api_key: ApiKey | None = None
    default_model: ModelName | None = None
    is_default: bool | None = None
    options: ProviderOptions | None = None

    @field_validator("name", "is_default", "options")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave it out to keep it")
        return value


class ProviderOut(BaseModel):
    """A provider as the API shows it: never its key, only whether one is stored."""

    id: str
    name: str
    kind: ProviderKind
    base_url: str | None
    default_model: str | None
    is_default: bool
    options: ProviderOptions
    api_key_set: bool = Field(description="Whether a key is stored.")
    api_key_hint: str | None = Field(
        description="The last 4 characters of the stored key, to tell keys apart "
        "(none for short keys)."
    )
    last_checked_at: datetime | None
    last_check_ok: bool | None
    last_check_latency_ms: float | None
    last_check_error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, provider: Provider, *, api_key_hint: str | None) -> ProviderOut:
        """The view of a stored provider, given the hint of its decrypted key."""
        return cls(
            id=provider.id,
            name=provider.name,
            kind=cast(ProviderKind, provider.kind),  # a check constraint holds it to these
            base_url=provider.base_url,
            default_model=provider.default_model,
            is_default=provider.is_default,
            options=ProviderOptions.model_validate(provider.options or {}),
            api_key_set=provider.api_key_encrypted is not None,
            api_key_hint=api_key_hint,
            last_checked_at=provider.last_checked_at,
            last_check_ok=provider.last_check_ok,
            last_check_latency_ms=provider.last_check_latency_ms,
            last_check_error=provider.last_check_error,
            created_at=provider.created_at,
            updated_at=provider.updated_at,
        )


class ProviderPage(Page[ProviderOut]):
    """A page of a workspace's providers."""


class CheckError(BaseModel):
    """Why a provider check failed: a stable ``code`` and a message to show."""

    code: str = Field(description="e.g. `provider-auth`, `provider-unavailable`.")
    message: str
    status: int | None = Field(description="The HTTP status the provider answered, if any.")


class ProviderCheckOut(BaseModel):
    """The outcome of probing a provider: whether it answered with the key stored, how
    fast, and which models it serves. A provider that is down is ``ok: false`` with the
    reason in ``error``, never an error response."""

    ok: bool
    latency_ms: float = Field(description="How long the provider took to answer (or fail).")
    models: list[str] = Field(description="The ids of the models it serves (empty on failure).")
    error: CheckError | None
    checked_at: datetime
