"""From the event outbox to queued deliveries.

:func:`publish_events` takes the events no one has published yet, with a compare-and-set
on each (two workers never take the same one), and in the same transaction stores one
delivery per enabled endpoint of the event's workspace that subscribes to its type. Each
delivery is then queued as a durable job (:mod:`luna.webhooks.delivery`) under the id
``{delivery}:{round}``, so queuing it twice runs it once; a delivery stored but not
queued (the process died in between) is queued by :func:`queue_stranded_deliveries`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.events.models import DomainEvent
from luna.events.outbox import unpublished
from luna.jobs.client import WorkflowClient
from luna.jobs.engine import QueueSpec
from luna.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

QUEUE_NAME: Final = "luna-webhooks"
WORKFLOW_NAME: Final = "luna.webhooks.deliver"
BATCH: Final = 200
# A delivery stored this long ago and still not queued was stranded by a crash.
STRANDED_AFTER: Final = timedelta(seconds=30)
# Published events are kept this long (for support), then deleted, once an hour.
EVENTS_KEPT: Final = timedelta(days=7)
PRUNE_EVERY: Final = timedelta(hours=1)


def webhook_queue_spec() -> QueueSpec:
    """The queue deliveries wait on; a worker attempts up to 20 at once."""
    return QueueSpec(name=QUEUE_NAME, worker_concurrency=20, polling_interval_seconds=0.5)


def envelope(event_type: str, data: dict[str, Any], timestamp: datetime) -> dict[str, Any]:
    """The body of a message, as the Standard Webhooks specification shapes it."""
    return {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}


def workflow_id(delivery: WebhookDelivery) -> str:
    """The job id of a delivery's current round."""
    return f"{delivery.id}:{delivery.round}"


async def enqueue_deliveries(
    session: AsyncSession, workflows: WorkflowClient, deliveries: Sequence[WebhookDelivery]
) -> None:
    """Queue each delivery's current round (once, whoever asks) and mark it queued."""
    for delivery in deliveries:
        await workflows.enqueue(
            delivery.id,
            delivery.round,
            queue=QUEUE_NAME,
            workflow=WORKFLOW_NAME,
            workflow_id=workflow_id(delivery),
        )
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id, WebhookDelivery.round == delivery.round)
            .values(enqueued=True)
        )
    await session.commit()


async def publish_events(
    session_factory: async_sessionmaker[AsyncSession], workflows: WorkflowClient, now: datetime
) -> tuple[int, int]:
    """Turn a batch of unpublished events into deliveries and queue them; how many events
    were read, and how many deliveries they made."""
    async with session_factory() as session:
        events = await unpublished(session, limit=BATCH)
        if not events:
            return 0, 0
        claimed = set(
            await session.scalars(
                update(DomainEvent)
                .where(
                    DomainEvent.id.in_([event.id for event in events]),
                    DomainEvent.published_at.is_(None),
                )
                .values(published_at=now)
                .returning(DomainEvent.id)
            )
        )
        mine = [event for event in events if event.id in claimed]
        deliveries = await _deliveries_for(session, mine, now)
        session.add_all(deliveries)
        await session.commit()
        await enqueue_deliveries(session, workflows, deliveries)
    return len(events), len(deliveries)


async def _deliveries_for(
    session: AsyncSession, events: Sequence[DomainEvent], now: datetime
) -> list[WebhookDelivery]:
    workspaces = {event.workspace_id for event in events}
    if not workspaces:
        return []
    endpoints = list(
        await session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id.in_(workspaces), WebhookEndpoint.enabled.is_(True)
            )
        )
    )
    return [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            workspace_id=event.workspace_id,
            event_id=event.id,
            event_type=event.type,
            payload=envelope(event.type, event.data, event.occurred_at),
            traceparent=event.traceparent,
            created_at=now,
            round_started_at=now,
        )
        for event in events
        for endpoint in endpoints
        if endpoint.workspace_id == event.workspace_id and event.type in endpoint.event_types
    ]


async def queue_stranded_deliveries(
    session_factory: async_sessionmaker[AsyncSession], workflows: WorkflowClient, now: datetime
) -> int:
    """Queue the pending deliveries that were stored but never queued; how many."""
    async with session_factory() as session:
        stranded = list(
            await session.scalars(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.enqueued.is_(False),
                    WebhookDelivery.round_started_at < now - STRANDED_AFTER,
                )
                .limit(BATCH)
            )
        )
        await enqueue_deliveries(session, workflows, stranded)
    return len(stranded)


async def prune_published_events(
    session_factory: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """Delete the events published more than :data:`EVENTS_KEPT` ago."""
    async with session_factory() as session:
        await session.execute(
            delete(DomainEvent).where(DomainEvent.published_at < now - EVENTS_KEPT)
        )
        await session.commit()


class EventPublisher:
    """One worker's loop over the outbox: publish every waiting event, queue stranded
    deliveries, and now and then delete old published events."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], workflows: WorkflowClient
    ) -> None:
        self.session_factory = session_factory
        self.workflows = workflows
        self._pruned_at: datetime | None = None

    async def iteration(self, now: datetime) -> int:
        """One pass; how many deliveries it queued."""
        queued, read = 0, BATCH
        while read == BATCH:  # a full batch: there may be more waiting
            read, made = await publish_events(self.session_factory, self.workflows, now)
            queued += made
        queued += await queue_stranded_deliveries(self.session_factory, self.workflows, now)
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            await prune_published_events(self.session_factory, now)
            self._pruned_at = now
        return queued
