"""The background work a worker runs: started together, stopped within the grace period."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from luna.db.engine import create_engine, create_session_factory
from luna.notifications.models import OutboxEmail
from luna.notifications.service import queue_email
from luna.settings import Settings
from luna.worker import BackgroundWork

pytestmark = pytest.mark.anyio


async def test_worker_delivers_queued_email_and_stops(settings: Settings) -> None:
    engine = create_engine(settings)
    factory = create_session_factory(engine)
    async with factory() as session:
        queue_email(session=session, to_address="ada@example.com", template="password-changed")
        await session.commit()
    work = BackgroundWork(settings, factory)
    work.start()
    try:
        for _ in range(300):
            async with factory() as session:
                if await session.scalar(select(OutboxEmail.sent_at)) is not None:
                    break
            await asyncio.sleep(0.01)
    finally:
        await work.shutdown()
    async with factory() as session:
        assert await session.scalar(select(OutboxEmail.sent_at)) is not None
    assert all(task.done() for task in work.tasks)
    await engine.dispose()
