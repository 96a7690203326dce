"""Delivering one message: a durable job that attempts, waits and attempts again.

Each round of a delivery is a DBOS workflow: an attempt is a step; between failed
attempts the workflow sleeps durably (the wait survives a restart), each wait four times
the one before, from ``LUNA_WEBHOOK_RETRY_BASE_SECONDS`` up to six hours, until the retry
window (``LUNA_WEBHOOK_RETRY_HOURS``, 24 by default) from the round's start has passed.
A 2xx answer delivers it; 410 Gone turns the endpoint off at once; an endpoint that has
failed for the whole retry window is turned off and its team's owners and admins are told
by email. Redirects are not followed (a 3xx is a failure), and every attempt goes through
the address policy of :mod:`luna.webhooks.policy`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import httpx2
from dbos import DBOS
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.jobs.runtime import WorkerResources, current_resources
from luna.notifications.service import queue_email
from luna.observability.logging import get_logger
from luna.observability.metrics import WEBHOOK_ATTEMPTS
from luna.observability.tracing import outbound_call
from luna.security.network_policy import AddressRefused, PinnedTransport
from luna.settings import Settings
from luna.tenancy.service import admins_of_workspace
from luna.webhooks.dispatch import WORKFLOW_NAME
from luna.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from luna.webhooks.policy import webhook_policy
from luna.webhooks.service import signing_secrets
from luna.webhooks.signing import signed_headers

log = get_logger(__name__)

MAX_WAIT: Final = timedelta(hours=6)
EXCERPT_CHARACTERS: Final = 500
READ_LIMIT: Final = 16_384
USER_AGENT: Final = "Luna-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What an attempt left to do: nothing (``retry_in`` None), or wait and try again."""

    retry_in: float | None


@DBOS.workflow(name=WORKFLOW_NAME)
async def deliver_workflow(delivery_id: str, round_number: int) -> None:
    """Attempt one round of a delivery until it succeeds or its retries are used up."""
    while True:
        retry_in = await _attempt_step(delivery_id, round_number)
        if retry_in is None:
            return
        await DBOS.sleep_async(retry_in)


@DBOS.step(name="luna.webhooks.attempt")
async def _attempt_step(delivery_id: str, round_number: int) -> float | None:
    outcome = await attempt(current_resources(), delivery_id, round_number)
    return outcome.retry_in


def retry_wait(base_seconds: float, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: the base, times four for each
    earlier failure, at most :data:`MAX_WAIT`."""
    exponent = min(max(attempts - 1, 0), 30)
    return min(timedelta(seconds=base_seconds * 4**exponent), MAX_WAIT)


async def attempt(resources: WorkerResources, delivery_id: str, round_number: int) -> Outcome:
    """One attempt of a delivery's round; what is left to do."""
    settings, now = resources.settings, resources.clock()
    async with resources.session_factory() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if (
            delivery is None
            or delivery.round != round_number
            or delivery.status != DeliveryStatus.PENDING
        ):
            return Outcome(None)
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            await _settle(session, delivery, DeliveryStatus.FAILED, next_attempt_at=None)
            return Outcome(None)
        url, secrets = endpoint.url, signing_secrets(resources.keyring, endpoint, now)
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = signed_headers(message_id=delivery.id, timestamp=now, body=body, secrets=secrets)
        traceparent, event_type = delivery.traceparent, delivery.event_type
    with outbound_call(f"webhook {event_type}", traceparent, resources.tracer_provider) as traced:
        answer = await _post(url, body, {**headers, **traced}, settings=settings)
    window = timedelta(hours=settings.webhook_retry_hours)
    async with resources.session_factory() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None:
            return Outcome(None)
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                workspace_id=delivery.workspace_id,
                attempted_at=now,
                status_code=answer.status_code,
                latency_ms=answer.latency_ms,
                response_excerpt=answer.excerpt,
                error=answer.error,
            )
        )
        delivery.attempt_count += 1
        delivery.last_attempt_at = now
        WEBHOOK_ATTEMPTS.labels("delivered" if answer.succeeded else "failed").inc()
        if answer.succeeded:
            endpoint.failing_since = None
            delivery.delivered_at = now
            await _settle(session, delivery, DeliveryStatus.SUCCEEDED, next_attempt_at=None)
            return Outcome(None)
        endpoint.failing_since = endpoint.failing_since or now
        if answer.status_code == 410:
            await _turn_off(session, endpoint, "The endpoint answered 410 Gone.")
        elif now - endpoint.failing_since >= window:
            await _turn_off(
                session,
                endpoint,
                f"Every delivery failed for {settings.webhook_retry_hours:g} hours.",
            )
        wait = retry_wait(settings.webhook_retry_base_seconds, delivery.attempt_count)
        if not endpoint.enabled or now + wait > delivery.round_started_at + window:
            await _settle(session, delivery, DeliveryStatus.FAILED, next_attempt_at=None)
            return Outcome(None)
        await _settle(session, delivery, DeliveryStatus.PENDING, next_attempt_at=now + wait)
        return Outcome(wait.total_seconds())


@dataclass(frozen=True)
class Answer:
    """What an endpoint answered (or why it did not)."""

    status_code: int | None
    latency_ms: float | None
    excerpt: str
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def _post(url: str, body: bytes, headers: dict[str, str], *, settings: Settings) -> Answer:
    timeout = settings.webhook_timeout_seconds
    transport = PinnedTransport(webhook_policy(settings))
    started = time.perf_counter()
    try:
        async with httpx2.AsyncClient(
            transport=transport, timeout=timeout, trust_env=False, follow_redirects=False
        ) as client:
            request = client.build_request(
                "POST",
                url,
                content=body,
                headers={**headers, "content-type": "application/json", "user-agent": USER_AGENT},
            )
            response = await client.send(request, stream=True)
            try:
                excerpt = await _excerpt(response)
            finally:
                await response.aclose()
    except AddressRefused as refused:
        return Answer(None, None, "", refused.detail[:500])
    except httpx2.TimeoutException:
        return Answer(None, _since(started), "", f"No answer within {timeout:g} seconds.")
    except httpx2.HTTPError as failure:
        reason = str(failure) or type(failure).__name__
        return Answer(None, _since(started), "", f"Could not connect: {reason}"[:500])
    return Answer(response.status_code, _since(started), excerpt, None)


async def _excerpt(response: httpx2.Response) -> str:
    read = bytearray()
    async for chunk in response.aiter_bytes():
        read.extend(chunk)
        if len(read) >= READ_LIMIT:
            break
    return bytes(read).decode("utf-8", errors="replace")[:EXCERPT_CHARACTERS]


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def _settle(
    session: AsyncSession,
    delivery: WebhookDelivery,
    status: DeliveryStatus,
    *,
    next_attempt_at: datetime | None,
) -> None:
    delivery.status = status
    delivery.next_attempt_at = next_attempt_at
    await session.commit()


async def _turn_off(session: AsyncSession, endpoint: WebhookEndpoint, reason: str) -> None:
    """Disable a failing endpoint and tell its team's owners and admins."""
    moved = await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.enabled.is_(True))
        .values(enabled=False, disabled_reason=reason)
    )
    await session.refresh(endpoint)
    if not getattr(moved, "rowcount", 0):
        return
    log.warning("webhook endpoint turned off", endpoint_id=endpoint.id, reason=reason)
    found = await admins_of_workspace(session, endpoint.workspace_id)
    for user_id, email, team, workspace in found:
        queue_email(
            session=session,
            to_address=email,
            template="webhook-disabled",
            user_id=user_id,
            url=endpoint.url,
            workspace=workspace,
            team=team,
            reason=reason,
        )
