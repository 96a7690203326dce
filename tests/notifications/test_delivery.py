"""Outbox delivery over real SMTP to a local server, with retries and backoff."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from structlog.testing import capture_logs

from luna.background import Backoff
from luna.db.engine import create_engine, create_session_factory
from luna.notifications.delivery import (
    ConsoleSender,
    SmtpSender,
    backoff,
    deliver_due,
    run_delivery_loop,
    sender_for,
)
from luna.notifications.models import OutboxEmail
from luna.notifications.service import queue_email
from luna.settings import Settings

pytestmark = pytest.mark.anyio


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def session_factory(settings: Settings) -> Any:
    engine = create_engine(settings)
    yield create_session_factory(engine)
    await engine.dispose()


async def queue(factory: async_sessionmaker[AsyncSession], to: str) -> str:
    async with factory() as session:
        email = queue_email(
            session=session,
            to_address=to,
            template="verify-email",
            link="https://x/y?token=abc",
            hours=48,
        )
        await session.commit()
        return email.id


def smtp_settings(settings: Settings, port: int) -> Settings:
    values = settings.model_dump() | {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "email_from": "Luna <hello@luna.test>",
    }
    return Settings.model_validate(values)


async def test_emails_are_sent_once_over_smtp(
    settings: Settings, session_factory: Any, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    sender = sender_for(smtp_settings(settings, port))
    assert isinstance(sender, SmtpSender)
    email_id = await queue(session_factory, "ada@example.com")
    clock = Clock()
    assert await deliver_due(session_factory=session_factory, sender=sender, clock=clock) == 1
    assert await deliver_due(session_factory=session_factory, sender=sender, clock=clock) == 0
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Luna <hello@luna.test>"
    assert message["Subject"] == "Confirm your email address for Luna"
    assert "https://x/y?token=abc" in message.get_payload()
    async with session_factory() as session:
        stored = await session.get(OutboxEmail, email_id)
        assert stored.sent_at == clock.now
        assert stored.attempts == 1


async def test_failures_are_retried_with_backoff(
    settings: Settings, session_factory: Any, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    dead = sender_for(smtp_settings(settings, free_port()))  # nothing listens there
    email_id = await queue(session_factory, "ada@example.com")
    clock = Clock()
    assert await deliver_due(session_factory=session_factory, sender=dead, clock=clock) == 0
    async with session_factory() as session:
        stored = await session.get(OutboxEmail, email_id)
        assert stored.attempts == 1
        assert stored.sent_at is None
        assert stored.last_error
        assert stored.next_attempt_at == clock.now + backoff(1)
    live = sender_for(smtp_settings(settings, port))
    clock.now += timedelta(seconds=10)
    assert await deliver_due(session_factory=session_factory, sender=live, clock=clock) == 0
    clock.now += backoff(1)
    assert await deliver_due(session_factory=session_factory, sender=live, clock=clock) == 1
    assert len(inbox.messages) == 1


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(20) == timedelta(hours=1)


async def test_console_sender_hides_bodies_outside_development(
    settings: Settings, session_factory: Any
) -> None:
    assert isinstance(sender_for(settings), ConsoleSender)
    assert sender_for(settings).include_body is False  # type: ignore[attr-defined]
    await queue(session_factory, "ada@example.com")
    sent = await deliver_due(
        session_factory=session_factory, sender=ConsoleSender(include_body=False), clock=Clock()
    )
    assert sent == 1


async def test_delivery_loop_stops_when_asked(settings: Settings, session_factory: Any) -> None:
    await queue(session_factory, "ada@example.com")
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_delivery_loop(
            session_factory=session_factory,
            sender=ConsoleSender(include_body=True),
            clock=Clock(),
            stop=stop,
            interval_seconds=0.01,
        )
    )
    for _ in range(200):
        async with session_factory() as session:
            if (await session.scalar(select(OutboxEmail.sent_at))) is not None:
                break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    async with session_factory() as session:
        assert await session.scalar(select(OutboxEmail.sent_at)) is not None


async def rename_table(factory: async_sessionmaker[AsyncSession], old: str, new: str) -> None:
    async with factory() as session:
        await session.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
        await session.commit()


async def test_delivery_survives_a_database_outage_and_sends_afterwards(
    settings: Settings, session_factory: Any
) -> None:
    await queue(session_factory, "ada@example.com")
    stop = asyncio.Event()
    waits: list[float] = []

    async def fake_wait(_stop: asyncio.Event, seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:  # the database comes back after three failed passes
            await rename_table(session_factory, "outbox_away", "outbox_emails")
        if seconds == 5.0:  # a pass succeeded: the normal interval
            stop.set()

    await rename_table(session_factory, "outbox_emails", "outbox_away")
    try:
        with capture_logs() as logs:
            await asyncio.wait_for(
                run_delivery_loop(
                    session_factory=session_factory,
                    sender=ConsoleSender(include_body=False),
                    clock=Clock(),
                    stop=stop,
                    interval_seconds=5.0,
                    backoff=Backoff(initial_seconds=1.0, maximum_seconds=60.0),
                    wait=fake_wait,
                ),
                timeout=30,
            )
    finally:
        if len(waits) < 3:
            await rename_table(session_factory, "outbox_away", "outbox_emails")

    assert waits == [1.0, 2.0, 4.0, 5.0]
    async with session_factory() as session:
        assert await session.scalar(select(OutboxEmail.sent_at)) == Clock().now
    failures = [entry for entry in logs if entry["event"] == "background loop iteration failed"]
    assert [entry["failures"] for entry in failures] == [1, 2, 3]
    assert all(entry["loop"] == "email-delivery" and entry["exc_info"] for entry in failures)
