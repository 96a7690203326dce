"""Request and response shapes of a workspace's webhook endpoints and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from luna.db.pagination import Page
from luna.schemas import RequestModel
from luna.webhooks.catalog import EventType
from luna.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _endpoint_url(text: str) -> str:
    """An http(s) URL without credentials or fragment."""
    try:
        url = str(_HTTP_URL.validate_python(text))
    except ValidationError:
        raise ValueError("must be an http:// or https:// URL") from None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError("an endpoint URL carries no user name or password")
    if parts.fragment:
        raise ValueError("an endpoint URL has no fragment")
    return url


EndpointUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_endpoint_url),
    Field(json_schema_extra={"format": "uri"}, examples=["https://example.com/hooks/luna"]),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


def _distinct(types: list[EventType]) -> list[EventType]:
    return list(dict.fromkeys(types))


EventTypes = Annotated[
    list[EventType],
    Field(min_length=1, max_length=20, description="The events the endpoint is told of."),
    AfterValidator(_distinct),
]


class WebhookEndpointCreate(RequestModel):
    """An endpoint to tell of the workspace's events."""

    model_config = ConfigDict(extra="forbid")

    url: EndpointUrl
    description: Description = ""
    event_types: EventTypes


class WebhookEndpointUpdate(RequestModel):
    """Changes to an endpoint; absent fields stay. ``"enabled": true`` turns a disabled
    endpoint back on (its failures are forgotten)."""

    model_config = ConfigDict(extra="forbid")

    url: EndpointUrl | None = None
    description: Description | None = None
    event_types: EventTypes | None = None
    enabled: bool | None = None


class WebhookEndpointOut(BaseModel):
    """An endpoint, without its secret."""

    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="Why it was turned off, when it was.")
    failing_since: datetime | None = Field(
        description="Its first failed attempt since its last success (null: not failing)."
    )
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the secret it had before the last rotation still signs."
    )
    created_by_user_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            event_types=list(endpoint.event_types),
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            failing_since=endpoint.failing_since,
            previous_secret_expires_at=endpoint.previous_secret_expires_at,
            created_by_user_id=endpoint.created_by_user_id,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


class WebhookEndpointCreated(WebhookEndpointOut):
    """A new endpoint with its signing secret, shown this once."""

    secret: str = Field(description="The signing secret (`whsec_...`); it is not shown again.")


class WebhookSecretOut(BaseModel):
    """A new signing secret, shown this once; the previous one signs too until
    ``previous_secret_expires_at``."""

    secret: str
    previous_secret_expires_at: datetime


class WebhookAttemptOut(BaseModel):
    """One HTTP attempt of a delivery."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    attempted_at: datetime
    status_code: int | None = Field(description="The endpoint's HTTP status (null: no answer).")
    latency_ms: float | None
    response_excerpt: str = Field(description="The start of the endpoint's answer.")
    error: str | None = Field(description="Why there was no answer, when there was none.")


class WebhookDeliveryOut(BaseModel):
    """One event for one endpoint, and its attempts (newest first)."""

    id: str = Field(description="The message id, sent as `webhook-id` on every attempt.")
    endpoint_id: str
    event_id: str | None
    event_type: str
    status: str = Field(description="`pending`, `succeeded` or `failed` (retries used up).")
    payload: dict[str, Any]
    attempt_count: int
    round: int = Field(description="1, and one more for each redelivery.")
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    attempts: list[WebhookAttemptOut]

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            payload=delivery.payload,
            attempt_count=delivery.attempt_count,
            round=delivery.round,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            last_attempt_at=delivery.last_attempt_at,
            delivered_at=delivery.delivered_at,
            attempts=[WebhookAttemptOut.model_validate(attempt) for attempt in attempts],
        )


class WebhookEndpointPage(Page[WebhookEndpointOut]):
    """A page of webhook endpoints."""


class WebhookDeliveryPage(Page[WebhookDeliveryOut]):
    """A page of an endpoint's deliveries, newest first."""
