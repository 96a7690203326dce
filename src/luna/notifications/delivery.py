"""Delivering the outbox: SMTP when configured, the console otherwise.

A delivery loop runs in every worker (and in ``luna serve``'s in-process worker). Each
pass claims a batch of due emails (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers never send the same email), sends them one by one and records the outcome.
A failure is retried with exponential backoff up to ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.background import Backoff, Wait, run_until_stopped, wait_unless_stopped
from luna.notifications.models import OutboxEmail
from luna.observability.logging import get_logger
from luna.settings import Settings

log = get_logger(__name__)

MAX_ATTEMPTS = 8
BATCH_SIZE = 50
SMTP_TIMEOUT_SECONDS = 20.0
# How long a claimed email is left to the worker that claimed it before another may retry.
LEASE = timedelta(minutes=5)


class EmailSender(Protocol):
    """Something that sends one email or raises."""

    async def send(self, email: OutboxEmail) -> None: ...


class ConsoleSender:
    """Logs emails instead of sending them. Bodies (with their links) only in development."""

    def __init__(self, *, include_body: bool) -> None:
        self.include_body = include_body

    async def send(self, email: OutboxEmail) -> None:
        """Write the email to the log."""
        body = email.text_body if self.include_body else None
        log.info(
            "email", to=email.to_address, subject=email.subject, template=email.template, body=body
        )


class SmtpSender:
    """Sends emails through an SMTP server with aiosmtplib."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None  # noqa: S101  (chosen only when configured)
        self.settings = settings
        self.hostname = settings.smtp_host

    def message(self, email: OutboxEmail) -> EmailMessage:
        """The MIME message for an outbox row."""
        message = EmailMessage()
        message["From"] = self.settings.email_from
        message["To"] = email.to_address
        message["Subject"] = email.subject
        message["Message-ID"] = f"<{email.id}@luna>"
        message.set_content(email.text_body)
        return message

    async def send(self, email: OutboxEmail) -> None:
        """Send one email; raises on any SMTP or network failure."""
        password = self.settings.smtp_password
        await aiosmtplib.send(
            self.message(email),
            hostname=self.hostname,
            port=self.settings.smtp_port,
            username=self.settings.smtp_username,
            password=password.get_secret_value() if password else None,
            start_tls=self.settings.smtp_security == "starttls",
            use_tls=self.settings.smtp_security == "tls",
            timeout=SMTP_TIMEOUT_SECONDS,
        )


def sender_for(settings: Settings) -> EmailSender:
    """SMTP when a server is configured, the console otherwise."""
    if settings.smtp_host:
        return SmtpSender(settings)
    return ConsoleSender(include_body=settings.env == "development")


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min, ... capped at 1 hour."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


async def _claim_batch(session: AsyncSession, now: datetime) -> list[OutboxEmail]:
    statement = (
        select(OutboxEmail)
        .where(
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.attempts < MAX_ATTEMPTS,
            or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now),
        )
        .order_by(OutboxEmail.created_at)
        .limit(BATCH_SIZE)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(statement))


async def _claim(
    session_factory: async_sessionmaker[AsyncSession], now: datetime
) -> list[OutboxEmail]:
    """Lease a batch of due emails in a short transaction, so that sending (slow, remote)
    holds no database lock and other workers skip them until the lease ends."""
    async with session_factory() as session, session.begin():
        batch = await _claim_batch(session, now)
        for email in batch:
            email.next_attempt_at = now + LEASE
    return batch


async def _record(
    session_factory: async_sessionmaker[AsyncSession],
    email_id: str,
    *,
    now: datetime,
    error: str | None,
) -> None:
    async with session_factory() as session, session.begin():
        email = await session.get(OutboxEmail, email_id)
        if email is None:  # erased meanwhile (account deletion)
            return
        email.attempts += 1
        if error is None:
            email.sent_at = now
            return
        email.last_error = error[:500]
        email.next_attempt_at = now + backoff(email.attempts)
        log.warning("email delivery failed", id=email_id, attempts=email.attempts, error=error)


async def deliver_due(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    sender: EmailSender,
    clock: Callable[[], datetime],
) -> int:
    """Send every email that is due; returns how many were sent."""
    sent = 0
    for email in await _claim(session_factory, clock()):
        error: str | None = None
        try:
            await sender.send(email)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        await _record(session_factory, email.id, now=clock(), error=error)
        sent += error is None
    return sent


async def run_delivery_loop(
    *,
    session_factory: async_sessionmaker[AsyncSession],
    sender: EmailSender,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    interval_seconds: float = 2.0,
    backoff: Backoff | None = None,
    wait: Wait = wait_unless_stopped,
) -> None:
    """Deliver due emails every few seconds until ``stop`` is set. A pass that fails (the
    database restarting) is logged and retried with backoff: mail resumes on its own."""

    async def deliver() -> None:
        await deliver_due(session_factory=session_factory, sender=sender, clock=clock)

    await run_until_stopped(
        deliver,
        name="email-delivery",
        interval_seconds=interval_seconds,
        stop=stop,
        backoff=backoff,
        wait=wait,
    )
