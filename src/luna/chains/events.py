"""A chain run's events: stored in order as its state changes, streamed to watchers.

Each event is written in the transaction of the change it reports, under a key that
names it (``node.started:review``): a step retried after a crash writes it once. Its
sequence comes from the chain run's own counter, taken with an atomic update, so events
written at once by the workflow and by a cancel never share one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.chains.models import CHAIN_RUN_FINISHED, ChainRun, ChainRunEvent
from luna.db.base import utcnow
from luna.runs.streaming import KEEP_ALIVE, sse

POLL_SECONDS: Final = 0.25
HEARTBEAT_SECONDS: Final = 15.0
BATCH: Final = 500


async def record_event(
    session: AsyncSession,
    chain_run_id: str,
    kind: str,
    *,
    node_id: str | None = None,
    key: str | None = None,
    **data: Any,
) -> None:
    """Add an event to the caller's transaction, unless one with its key exists."""
    key = key or (f"{kind}:{node_id}" if node_id else kind)
    written = await session.scalar(
        select(ChainRunEvent.id).where(
            ChainRunEvent.chain_run_id == chain_run_id, ChainRunEvent.key == key
        )
    )
    if written is not None:
        return
    counted = await session.execute(
        update(ChainRun)
        .where(ChainRun.id == chain_run_id)
        .values(event_count=ChainRun.event_count + 1)
        .returning(ChainRun.event_count, ChainRun.workspace_id)
    )
    row = counted.one_or_none()
    if row is None:
        return
    sequence, workspace_id = row
    session.add(
        ChainRunEvent(
            chain_run_id=chain_run_id,
            workspace_id=workspace_id,
            sequence=sequence,
            key=key,
            type=kind,
            node_id=node_id,
            data={"node_id": node_id, **data} if node_id else data,
            created_at=utcnow(),
        )
    )


async def events_after(
    session: AsyncSession, chain_run_id: str, after: int, limit: int = BATCH
) -> list[ChainRunEvent]:
    """The chain run's events after sequence ``after``, in order."""
    rows = await session.scalars(
        select(ChainRunEvent)
        .where(ChainRunEvent.chain_run_id == chain_run_id, ChainRunEvent.sequence > after)
        .order_by(ChainRunEvent.sequence)
        .limit(limit)
    )
    return list(rows)


def event_bytes(event: ChainRunEvent) -> bytes:
    """One stored event as a server-sent event; its id is its sequence."""
    return sse(event.type, json.dumps(event.data, default=str), event.sequence)


async def watch(
    session_factory: async_sessionmaker[AsyncSession],
    chain_run_id: str,
    after: int,
    *,
    poll_seconds: float = POLL_SECONDS,
) -> AsyncIterator[bytes]:
    """The chain run's events after ``after``, then new ones as they are stored, until
    the one that ends it; a comment line keeps a quiet connection open."""
    quiet = 0.0
    while True:
        async with session_factory() as session:
            events = await events_after(session, chain_run_id, after)
            status = await session.scalar(
                select(ChainRun.status).where(ChainRun.id == chain_run_id)
            )
        for event in events:
            after = event.sequence
            yield event_bytes(event)
            if event.type == "chain.completed":
                return
        if status is None or (status in CHAIN_RUN_FINISHED and not events):
            return
        if events:
            quiet = 0.0
            continue
        await asyncio.sleep(poll_seconds)
        quiet += poll_seconds
        if quiet >= HEARTBEAT_SECONDS:
            quiet = 0.0
            yield KEEP_ALIVE
