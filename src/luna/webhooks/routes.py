"""A workspace's webhook endpoints and their deliveries: create (the secret shown once),
list, read, change, rotate the secret, delete; list deliveries with their attempts, send
a test event, redeliver."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from luna.db.pagination import PageRequestDep
from luna.deps import ClockDep, KeyringDep, ResourcesDep, SessionDep, SettingsDep, require_workspace
from luna.tenancy.access import WorkspaceAccess
from luna.webhooks import service
from luna.webhooks.models import WebhookDelivery
from luna.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointOut,
    WebhookEndpointPage,
    WebhookEndpointUpdate,
    WebhookSecretOut,
)

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/webhooks", tags=["webhooks"])

WebhookReader = Annotated[
    WorkspaceAccess, Depends(require_workspace("read", scope="webhooks:read"))
]
# Endpoints receive the workspace's data: only admins manage them.
WebhookAdmin = Annotated[
    WorkspaceAccess, Depends(require_workspace("manage", scope="webhooks:write"))
]
EndpointId = Annotated[str, Path(description="The endpoint's id (`whe_...`).")]
DeliveryId = Annotated[str, Path(description="The delivery's id (`msg_...`), its `webhook-id`.")]


@router.post(
    "", operation_id="webhooks-create", status_code=201, response_model=WebhookEndpointCreated
)
async def create_endpoint(
    body: WebhookEndpointCreate,
    access: WebhookAdmin,
    session: SessionDep,
    settings: SettingsDep,
    keyring: KeyringDep,
    clock: ClockDep,
    response: Response,
) -> WebhookEndpointCreated:
    """Tell a URL of the workspace's events. The answer holds the signing secret, shown
    this once. Refused with 422 for an address the installation's policy forbids (a
    private or cloud metadata address in hosted mode), 409 for a URL already registered."""
    endpoint, secret = await service.create_endpoint(
        session=session,
        settings=settings,
        keyring=keyring,
        workspace_id=access.workspace_id,
        request=body,
        user_id=access.principal.user_id,
        now=clock(),
    )
    response.headers["Location"] = (
        f"/api/v1/workspaces/{access.workspace_id}/webhooks/{endpoint.id}"
    )
    return WebhookEndpointCreated(**WebhookEndpointOut.of(endpoint).model_dump(), secret=secret)


@router.get("", operation_id="webhooks-list", response_model=WebhookEndpointPage)
async def list_endpoints(
    access: WebhookReader,
    session: SessionDep,
    page: PageRequestDep,
    sort: Annotated[
        Literal["created_at", "-created_at"],
        Query(description="A field, ascending; prefixed with `-`, descending."),
    ] = "-created_at",
) -> WebhookEndpointPage:
    """A page of the workspace's webhook endpoints."""
    found = await service.list_endpoints(
        session=session, workspace_id=access.workspace_id, sort=sort, page=page
    )
    return WebhookEndpointPage(
        items=[WebhookEndpointOut.of(endpoint) for (endpoint,) in found.rows],
        next_cursor=found.next_cursor,
    )


@router.get("/{endpoint_id}", operation_id="webhooks-get", response_model=WebhookEndpointOut)
async def get_endpoint(
    endpoint_id: EndpointId, access: WebhookReader, session: SessionDep
) -> WebhookEndpointOut:
    """An endpoint (without its secret)."""
    endpoint = await service.get_endpoint_for_workspace(
        session=session, workspace_id=access.workspace_id, endpoint_id=endpoint_id
    )
    return WebhookEndpointOut.of(endpoint)


@router.patch("/{endpoint_id}", operation_id="webhooks-update", response_model=WebhookEndpointOut)
async def update_endpoint(
    endpoint_id: EndpointId,
    body: WebhookEndpointUpdate,
    access: WebhookAdmin,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> WebhookEndpointOut:
    """Change the URL, description or events, or turn the endpoint off and on again
    (`"enabled"`); turning it on forgets its failures."""
    endpoint = await service.update_endpoint(
        session=session,
        settings=settings,
        workspace_id=access.workspace_id,
        endpoint_id=endpoint_id,
        changes=body,
        now=clock(),
    )
    return WebhookEndpointOut.of(endpoint)


@router.post(
    "/{endpoint_id}/rotate-secret",
    operation_id="webhooks-rotate-secret",
    response_model=WebhookSecretOut,
)
async def rotate_secret(
    endpoint_id: EndpointId,
    access: WebhookAdmin,
    session: SessionDep,
    keyring: KeyringDep,
    clock: ClockDep,
) -> WebhookSecretOut:
    """A new signing secret, shown this once. For 24 hours messages are signed under the
    previous secret too, so receivers can switch without missing one."""
    secret, expires = await service.rotate_secret(
        session=session,
        keyring=keyring,
        workspace_id=access.workspace_id,
        endpoint_id=endpoint_id,
        now=clock(),
    )
    return WebhookSecretOut(secret=secret, previous_secret_expires_at=expires)


@router.delete("/{endpoint_id}", operation_id="webhooks-delete", status_code=204)
async def delete_endpoint(
    endpoint_id: EndpointId, access: WebhookAdmin, session: SessionDep
) -> None:
    """Delete an endpoint and its deliveries; nothing more is sent to it."""
    await service.delete_endpoint(
        session=session, workspace_id=access.workspace_id, endpoint_id=endpoint_id
    )


@router.get(
    "/{endpoint_id}/deliveries",
    operation_id="webhook-deliveries-list",
    response_model=WebhookDeliveryPage,
)
async def list_deliveries(
    endpoint_id: EndpointId,
    access: WebhookReader,
    session: SessionDep,
    page: PageRequestDep,
    status: Annotated[
        Literal["pending", "succeeded", "failed"] | None,
        Query(description="Only the deliveries in this state."),
    ] = None,
) -> WebhookDeliveryPage:
    """A page of the endpoint's deliveries, newest first, each with its attempts."""
    found = await service.list_deliveries(
        session=session,
        workspace_id=access.workspace_id,
        endpoint_id=endpoint_id,
        status=status,
        page=page,
    )
    deliveries = [delivery for (delivery,) in found.rows]
    return WebhookDeliveryPage(
        items=await _shown(session, deliveries), next_cursor=found.next_cursor
    )


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    operation_id="webhook-deliveries-get",
    response_model=WebhookDeliveryOut,
)
async def get_delivery(
    endpoint_id: EndpointId, delivery_id: DeliveryId, access: WebhookReader, session: SessionDep
) -> WebhookDeliveryOut:
    """A delivery, its message and its attempts."""
    delivery = await service.get_delivery(
        session=session,
        workspace_id=access.workspace_id,
        endpoint_id=endpoint_id,
        delivery_id=delivery_id,
    )
    return (await _shown(session, [delivery]))[0]


@router.post(
    "/{endpoint_id}/test",
    operation_id="webhooks-test",
    status_code=202,
    response_model=WebhookDeliveryOut,
)
async def send_test_event(
    endpoint_id: EndpointId,
    access: WebhookAdmin,
    session: SessionDep,
    resources: ResourcesDep,
    clock: ClockDep,
) -> WebhookDeliveryOut:
    """Send a `webhook.test` message to the endpoint, signed like any other; its
    delivery shows how the endpoint answered."""
    delivery = await service.send_test_event(
        session=session,
        workflows=resources.workflows,
        workspace_id=access.workspace_id,
        endpoint_id=endpoint_id,
        now=clock(),
    )
    return (await _shown(session, [delivery]))[0]


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    operation_id="webhook-deliveries-redeliver",
    status_code=202,
    response_model=WebhookDeliveryOut,
)
async def redeliver(
    endpoint_id: EndpointId,
    delivery_id: DeliveryId,
    access: WebhookAdmin,
    session: SessionDep,
    resources: ResourcesDep,
    clock: ClockDep,
) -> WebhookDeliveryOut:
    """Send a delivery that succeeded or failed again, with the same `webhook-id`, as a
    new round of attempts. 409 while it is still being attempted."""
    delivery = await service.redeliver(
        session=session,
        workflows=resources.workflows,
        workspace_id=access.workspace_id,
        endpoint_id=endpoint_id,
        delivery_id=delivery_id,
        now=clock(),
    )
    return (await _shown(session, [delivery]))[0]


async def _shown(
    session: SessionDep, deliveries: list[WebhookDelivery]
) -> list[WebhookDeliveryOut]:
    attempts = await service.attempts_of(session, [delivery.id for delivery in deliveries])
    return [WebhookDeliveryOut.of(delivery, attempts[delivery.id]) for delivery in deliveries]
