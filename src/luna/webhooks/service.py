"""A workspace's webhook endpoints: create (the secret shown once), list, read, change,
rotate the secret, delete; an endpoint's deliveries, a test event and redelivery.

Every endpoint is loaded through :func:`get_endpoint_for_workspace`, which answers
NotFound alike for an endpoint that does not exist and for one of another workspace; a
delivery is found through its endpoint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.db.ids import new_id
from luna.db.pagination import Keyset, PageRequest, Slice, paginate
from luna.db.scoping import get_in_workspace
from luna.db.writes import conflicts_as, touch
from luna.errors import Conflict, NotFound
from luna.jobs.client import WorkflowClient
from luna.security.crypto import Keyring, column_context
from luna.settings import Settings
from luna.webhooks import signing
from luna.webhooks.catalog import TEST_EVENT
from luna.webhooks.dispatch import enqueue_deliveries, envelope
from luna.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from luna.webhooks.policy import check_endpoint_url
from luna.webhooks.schemas import WebhookEndpointCreate, WebhookEndpointUpdate

ENDPOINT_KEYSET: Final = Keyset(
    {"created_at": WebhookEndpoint.created_at}, id_column=WebhookEndpoint.id
)
DELIVERY_KEYSET: Final = Keyset(
    {"created_at": WebhookDelivery.created_at}, id_column=WebhookDelivery.id
)
MAX_ENDPOINTS: Final = 20
# How long the secret an endpoint had before a rotation still signs its messages.
ROTATION_OVERLAP: Final = timedelta(hours=24)
SHOWN_ATTEMPTS: Final = 50


async def get_endpoint_for_workspace(
    *, session: AsyncSession, workspace_id: str, endpoint_id: str, for_update: bool = False
) -> WebhookEndpoint:
    """The workspace's endpoint with this id; NotFound if missing or another workspace's."""
    return await get_in_workspace(
        session,
        WebhookEndpoint,
        workspace_id=workspace_id,
        object_id=endpoint_id,
        missing=NotFound(f"No webhook endpoint {endpoint_id} in this workspace."),
        for_update=for_update,
    )


async def create_endpoint(
    *,
    session: AsyncSession,
    settings: Settings,
    keyring: Keyring,
    workspace_id: str,
    request: WebhookEndpointCreate,
    user_id: str | None,
    now: datetime,
) -> tuple[WebhookEndpoint, str]:
    """Store an endpoint with a new signing secret; the endpoint and its secret."""
    check_endpoint_url(settings, request.url)
    count = await session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.workspace_id == workspace_id)
    )
    if (count or 0) >= MAX_ENDPOINTS:
        raise Conflict(
            f"A workspace has at most {MAX_ENDPOINTS} webhook endpoints; delete one first.",
            reason="too-many-endpoints",
        )
    endpoint_id = new_id("whe")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        id=endpoint_id,
        workspace_id=workspace_id,
        url=request.url,
        description=request.description,
        event_types=list(request.event_types),
        secret_encrypted=_seal(keyring, endpoint_id, "secret_encrypted", secret),
        created_by_user_id=user_id,
        created_at=now,
        updated_at=now,
    )
    async with conflicts_as(session, _url_taken(request.url)):
        session.add(endpoint)
        await session.commit()
    return endpoint, secret


async def update_endpoint(
    *,
    session: AsyncSession,
    settings: Settings,
    workspace_id: str,
    endpoint_id: str,
    changes: WebhookEndpointUpdate,
    now: datetime,
) -> WebhookEndpoint:
    """Change an endpoint. Turning it back on forgets its failures."""
    endpoint = await get_endpoint_for_workspace(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id, for_update=True
    )
    if changes.url is not None:
        check_endpoint_url(settings, changes.url)
        endpoint.url = changes.url
    if changes.description is not None:
        endpoint.description = changes.description
    if changes.event_types is not None:
        endpoint.event_types = list(changes.event_types)
    if changes.enabled is not None and changes.enabled != endpoint.enabled:
        endpoint.enabled = changes.enabled
        endpoint.failing_since = None
        endpoint.disabled_reason = None if changes.enabled else "Turned off by a member."
    touch(endpoint, now)
    async with conflicts_as(session, _url_taken(endpoint.url)):
        await session.commit()
    return endpoint


async def rotate_secret(
    *,
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    endpoint_id: str,
    now: datetime,
) -> tuple[str, datetime]:
    """Give the endpoint a new secret; the old one signs too for :data:`ROTATION_OVERLAP`
    (a rotation within it drops the secret before the old one)."""
    endpoint = await get_endpoint_for_workspace(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id, for_update=True
    )
    current = open_secret(keyring, endpoint, "secret_encrypted")
    secret = signing.new_secret()
    expires = now + ROTATION_OVERLAP
    endpoint.previous_secret_encrypted = _seal(
        keyring, endpoint.id, "previous_secret_encrypted", current
    )
    endpoint.previous_secret_expires_at = expires
    endpoint.secret_encrypted = _seal(keyring, endpoint.id, "secret_encrypted", secret)
    touch(endpoint, now)
    await session.commit()
    return secret, expires


async def delete_endpoint(*, session: AsyncSession, workspace_id: str, endpoint_id: str) -> None:
    """Delete an endpoint and its deliveries; its pending deliveries stop."""
    endpoint = await get_endpoint_for_workspace(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id
    )
    await session.delete(endpoint)
    await session.commit()


async def list_endpoints(
    *, session: AsyncSession, workspace_id: str, sort: str, page: PageRequest
) -> Slice[WebhookEndpoint]:
    statement = select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
    return await paginate(session, statement, keyset=ENDPOINT_KEYSET, sort=sort, page=page)


def signing_secrets(keyring: Keyring, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign the endpoint's messages now: its secret, and the one before
    the last rotation while that is still valid."""
    secrets = [open_secret(keyring, endpoint, "secret_encrypted")]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted is not None and expires is not None and now < expires:
        secrets.append(open_secret(keyring, endpoint, "previous_secret_encrypted"))
    return secrets


def open_secret(keyring: Keyring, endpoint: WebhookEndpoint, column: str) -> str:
    sealed = getattr(endpoint, column)
    return keyring.decrypt_str(
        sealed, context=column_context("webhook_endpoints", column, endpoint.id)
    )


def _seal(keyring: Keyring, endpoint_id: str, column: str, secret: str) -> str:
    return keyring.encrypt_str(
        secret, context=column_context("webhook_endpoints", column, endpoint_id)
    )


# Deliveries


async def list_deliveries(
    *,
    session: AsyncSession,
    workspace_id: str,
    endpoint_id: str,
    status: str | None,
    page: PageRequest,
) -> Slice[WebhookDelivery]:
    """A page of the endpoint's deliveries, newest first (of one status, if given)."""
    await get_endpoint_for_workspace(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id
    )
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return await paginate(session, statement, keyset=DELIVERY_KEYSET, sort="-created_at", page=page)


async def attempts_of(
    session: AsyncSession, delivery_ids: list[str]
) -> dict[str, list[WebhookAttempt]]:
    """The attempts of each delivery, newest first (at most :data:`SHOWN_ATTEMPTS`)."""
    found: dict[str, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    if not delivery_ids:
        return found
    rows = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
    )
    for attempt in rows:
        shown = found[attempt.delivery_id]
        if len(shown) < SHOWN_ATTEMPTS:
            shown.append(attempt)
    return found


async def get_delivery(
    *, session: AsyncSession, workspace_id: str, endpoint_id: str, delivery_id: str
) -> WebhookDelivery:
    """One delivery of the workspace's endpoint; NotFound otherwise."""
    await get_endpoint_for_workspace(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id
    )
    delivery = await session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
        )
    )
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id} to this endpoint.")
    return delivery


async def send_test_event(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    workspace_id: str,
    endpoint_id: str,
    now: datetime,
) -> WebhookDelivery:
    """Deliver a ``webhook.test`` message to the endpoint, signed like any other."""
    endpoint = await get_endpoint_for_workspace(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id
    )
    _require_enabled(endpoint)
    data = {"endpoint_id": endpoint.id, "message": "A test event from Luna."}
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        workspace_id=workspace_id,
        event_id=None,
        event_type=TEST_EVENT,
        payload=envelope(TEST_EVENT, data, now),
        created_at=now,
        round_started_at=now,
    )
    session.add(delivery)
    await session.commit()
    await enqueue_deliveries(session, workflows, [delivery])
    return delivery


async def redeliver(
    *,
    session: AsyncSession,
    workflows: WorkflowClient,
    workspace_id: str,
    endpoint_id: str,
    delivery_id: str,
    now: datetime,
) -> WebhookDelivery:
    """Send a delivery again, with the same message id, as a new round of attempts."""
    delivery = await get_delivery(
        session=session, workspace_id=workspace_id, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None:
        _require_enabled(endpoint)
    moved = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.round == delivery.round,
            WebhookDelivery.status != DeliveryStatus.PENDING,
        )
        .values(
            round=delivery.round + 1,
            status=DeliveryStatus.PENDING,
            round_started_at=now,
            next_attempt_at=None,
            enqueued=False,
        )
    )
    if not getattr(moved, "rowcount", 0):
        await session.rollback()
        raise Conflict(
            "This delivery is still being attempted; redeliver it once it has succeeded or failed.",
            reason="delivery-pending",
        )
    await session.commit()
    await session.refresh(delivery)
    await enqueue_deliveries(session, workflows, [delivery])
    return delivery


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise Conflict(
            "This endpoint is turned off; turn it on before sending to it.",
            reason="endpoint-disabled",
        )


def _url_taken(url: str) -> Conflict:
    return Conflict(
        f"An endpoint for {url} already exists in this workspace.",
        errors=[{"in": "body", "pointer": "#/url", "message": "This URL has an endpoint."}],
    )
