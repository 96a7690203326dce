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


async def test_serve_runs_background_work_in_process(settings: Settings) -> None:
    from luna.app import create_app
    from tests.accounts import STRONG_PASSWORD
    from tests.conftest import browser_client

    app = create_app(settings.model_copy(update={"in_process_worker": True}))
    async with app.router.lifespan_context(app):
        async with browser_client(app) as browser:
            signed = await browser.post(
                "/api/v1/auth/signup",
                json={"email": "ada@example.com", "password": STRONG_PASSWORD, "display_name": "A"},
            )
            assert signed.status_code == 201
        delivered = None
        for _ in range(500):
            async with app.state.resources.session_factory() as session:
                delivered = await session.scalar(select(OutboxEmail.sent_at))
            if delivered is not None:
                break
            await asyncio.sleep(0.01)
    assert delivered is not None, "the verification email was never delivered"
