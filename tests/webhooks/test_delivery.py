"""Webhook deliveries end to end: the event a run's end records reaches the endpoint,
signed per the Standard Webhooks specification, retried until it succeeds, with every
attempt listed; failing endpoints are turned off and their owners told."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from standardwebhooks import Webhook

from luna.db.base import utcnow
from luna.events.models import DomainEvent
from luna.jobs.runtime import WorkerResources
from luna.notifications.models import OutboxEmail
from luna.webhooks.delivery import attempt, retry_wait
from luna.webhooks.dispatch import EventPublisher
from luna.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.accounts import Account
from tests.runs.conftest import Worker, json_of
from tests.runs.local_agents import agent_with, local_provider
from tests.runs.test_response_cache import finished_run
from tests.standins import OpenAIStandin, Turn
from tests.standins.webhook_receiver import Received, WebhookReceiver
from tests.webhooks.test_routes import create_endpoint, webhooks_url

pytestmark = pytest.mark.anyio


def hand_verified(secret: str, message: Received) -> bool:
    """The Standard Webhooks check written out: HMAC-SHA256 of ``id.timestamp.body``
    under the base64-decoded secret, compared with each ``v1,`` signature sent."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = b".".join(
        [
            message.headers["webhook-id"].encode(),
            message.headers["webhook-timestamp"].encode(),
            message.body,
        ]
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    sent = message.headers["webhook-signature"].split(" ")
    return any(hmac.compare_digest(f"v1,{expected}", signature) for signature in sent)


def publisher_of(app: FastAPI) -> EventPublisher:
    resources = app.state.resources
    return EventPublisher(resources.session_factory, resources.workflows)


async def delivered(
    client: httpx.AsyncClient, account: Account, endpoint_id: str, count: int = 1
) -> list[dict[str, Any]]:
    """The endpoint's deliveries once ``count`` of them have settled."""
    url = webhooks_url(account.workspace_id, endpoint_id, "deliveries")
    for _ in range(900):
        items = (await json_of(await client.get(url)))["items"]
        if len(items) >= count and all(item["status"] != "pending" for item in items):
            return list(items)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the deliveries did not settle: {items}")


async def run_to_the_end(
    app: FastAPI, client: httpx.AsyncClient, account: Account, headers: dict[str, str] | None = None
) -> str:
    with OpenAIStandin() as model:
        model.respond_with(lambda body: Turn(text="Done."))
        await local_provider(client, account.workspace_id, model)
        agent = await agent_with(client, account.workspace_id)
        url = f"/api/v1/workspaces/{account.workspace_id}/agents/{agent}/runs"
        answer = await client.post(url, json={"input": "Go"}, headers=headers or {})
        started = await json_of(answer, 202)
        run = await finished_run(client, account, started["id"])
    assert run["status"] == "succeeded"
    return str(run["id"])


async def test_a_receiver_failing_twice_gets_one_signed_successful_delivery(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    with WebhookReceiver(500, 503) as receiver:
        endpoint = await create_endpoint(
            client, account, receiver.url, event_types=["run.completed", "run.failed"]
        )
        run_id = await run_to_the_end(app, client, account)
        assert await publisher_of(app).iteration(utcnow()) == 1
        messages = await receiver.wait_for(3)
        [delivery] = await delivered(client, account, endpoint["id"])

    assert [message.status for message in messages] == [500, 503, 200]
    # The same message every time: one id, one body; a new timestamp and signature.
    assert len({message.headers["webhook-id"] for message in messages}) == 1
    assert len({message.body for message in messages}) == 1
    final = messages[-1]
    assert final.headers["webhook-id"] == delivery["id"]
    assert final.headers["content-type"] == "application/json"
    assert hand_verified(endpoint["secret"], final)
    body = Webhook(endpoint["secret"]).verify(final.body, final.headers)
    assert body["type"] == "run.completed"
    assert body["data"]["run_id"] == run_id
    assert body["data"]["status"] == "succeeded"
    assert not hand_verified("whsec_" + base64.b64encode(b"another secret").decode(), final)

    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 3
    attempts = delivery["attempts"]  # newest first
    assert [a["status_code"] for a in attempts] == [200, 503, 500]
    assert attempts[0]["response_excerpt"] == "answered 200"
    assert all(a["latency_ms"] is not None and a["latency_ms"] >= 0 for a in attempts)
    # The event was published once: publishing again sends nothing more.
    assert await publisher_of(app).iteration(utcnow()) == 0


async def test_a_delivery_carries_the_trace_of_the_request_that_started_the_run(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    with WebhookReceiver() as receiver:
        await create_endpoint(client, account, receiver.url, event_types=["run.completed"])
        await run_to_the_end(
            app, client, account, {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
        )
        assert await publisher_of(app).iteration(utcnow()) == 1
        [message] = await receiver.wait_for(1)

    version, traced, _, _ = message.headers["traceparent"].split("-")
    assert (version, traced) == ("00", trace_id)


async def test_events_reach_only_subscribed_endpoints_of_their_workspace(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    ada = await sign_up()
    with WebhookReceiver() as receiver:
        failures_only = await create_endpoint(client, ada, receiver.url, event_types=["run.failed"])
        await run_to_the_end(app, client, ada)
        bob = await sign_up("bob@example.com")
        client.cookies = bob.cookies
        bobs = await create_endpoint(
            client, bob, receiver.url + "?bob", event_types=["run.completed"]
        )
        client.cookies = ada.cookies
        # Two workers publishing at once take each event once.
        counts = await asyncio.gather(*(publisher_of(app).iteration(utcnow()) for _ in range(3)))
    assert sum(counts) == 0
    async with app.state.resources.session_factory() as session:
        events = list(await session.scalars(select(DomainEvent)))
        deliveries = await session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert [event.type for event in events] == ["run.completed"]
    assert all(event.published_at is not None for event in events)
    assert deliveries == 0
    assert failures_only["event_types"] == ["run.failed"]
    assert bobs["id"] != failures_only["id"]


async def test_a_test_event_and_a_redelivery_reach_the_endpoint_with_the_same_id(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    with WebhookReceiver() as receiver:
        endpoint = await create_endpoint(client, account, receiver.url)
        url = webhooks_url(account.workspace_id, endpoint["id"])
        sent = await json_of(await client.post(f"{url}/test"), 202)
        assert sent["event_type"] == "webhook.test"
        [first] = await receiver.wait_for(1)
        [settled] = await delivered(client, account, endpoint["id"])
        again = await client.post(f"{url}/deliveries/{settled['id']}/redeliver")
        assert again.status_code == 202, again.text
        assert again.json()["round"] == 2
        second = (await receiver.wait_for(2))[1]
        [redelivered] = await delivered(client, account, endpoint["id"])

    assert first.headers["webhook-id"] == second.headers["webhook-id"] == sent["id"]
    assert json.loads(first.body)["type"] == "webhook.test"
    assert hand_verified(endpoint["secret"], second)
    assert redelivered["status"] == "succeeded"
    assert redelivered["attempt_count"] == 2


async def test_after_a_rotation_both_secrets_verify_until_the_old_one_expires(
    app: FastAPI, client: httpx.AsyncClient, sign_up, worker: Worker
) -> None:
    account = await sign_up()
    with WebhookReceiver() as receiver:
        endpoint = await create_endpoint(client, account, receiver.url)
        url = webhooks_url(account.workspace_id, endpoint["id"])
        rotated = await json_of(await client.post(f"{url}/rotate-secret"))
        await json_of(await client.post(f"{url}/test"), 202)
        [message] = await receiver.wait_for(1)
    assert rotated["secret"] != endpoint["secret"]
    assert len(message.headers["webhook-signature"].split(" ")) == 2
    assert hand_verified(endpoint["secret"], message)
    assert hand_verified(rotated["secret"], message)


async def _failing_delivery(
    app: FastAPI, client: httpx.AsyncClient, account: Account, url: str
) -> tuple[dict[str, Any], str]:
    endpoint = await create_endpoint(client, account, url)
    async with app.state.resources.session_factory() as session:
        delivery = WebhookDelivery(
            endpoint_id=endpoint["id"],
            workspace_id=account.workspace_id,
            event_type="run.failed",
            payload={"type": "run.failed", "timestamp": utcnow().isoformat(), "data": {}},
            enqueued=True,
        )
        session.add(delivery)
        await session.commit()
    return endpoint, delivery.id


def resources_at(app: FastAPI, when: Any) -> WorkerResources:
    return WorkerResources(
        settings=app.state.settings,
        session_factory=app.state.resources.session_factory,
        keyring=app.state.keyring,
        clock=lambda: when,
    )


async def test_an_endpoint_failing_for_the_whole_window_is_turned_off_and_its_owners_told(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    with WebhookReceiver(500, 500, 500) as receiver:
        endpoint, delivery_id = await _failing_delivery(app, client, account, receiver.url)
        start = utcnow()
        first = await attempt(resources_at(app, start), delivery_id, 1)
        assert first.retry_in == retry_wait(0.05, 1).total_seconds()
        # A day of failures later (the clock moved; the retries' waits are not slept).
        later = await attempt(resources_at(app, start + timedelta(hours=23)), delivery_id, 1)
        assert later.retry_in is not None
        last = await attempt(resources_at(app, start + timedelta(hours=24)), delivery_id, 1)
        assert last.retry_in is None
    async with app.state.resources.session_factory() as session:
        row = await session.get(WebhookEndpoint, endpoint["id"])
        delivery = await session.get(WebhookDelivery, delivery_id)
        emails = list(await session.scalars(select(OutboxEmail)))
    assert row is not None and not row.enabled
    assert "24 hours" in (row.disabled_reason or "")
    assert delivery is not None and (delivery.status, delivery.attempt_count) == ("failed", 3)
    [email] = [e for e in emails if e.template == "webhook-disabled"]
    assert email.to_address == account.email
    assert endpoint["url"] in email.text_body
    shown = await json_of(await client.get(webhooks_url(account.workspace_id, endpoint["id"])))
    assert shown["enabled"] is False
    # Turning it back on forgets the failures.
    back = await client.patch(
        webhooks_url(account.workspace_id, endpoint["id"]), json={"enabled": True}
    )
    assert (back.json()["enabled"], back.json()["failing_since"]) == (True, None)


async def test_an_endpoint_answering_410_gone_is_turned_off_at_once(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    with WebhookReceiver(410) as receiver:
        endpoint, delivery_id = await _failing_delivery(app, client, account, receiver.url)
        outcome = await attempt(resources_at(app, utcnow()), delivery_id, 1)
    assert outcome.retry_in is None
    shown = await json_of(await client.get(webhooks_url(account.workspace_id, endpoint["id"])))
    assert (shown["enabled"], shown["disabled_reason"]) == (
        False,
        "The endpoint answered 410 Gone.",
    )
    refused = await client.post(webhooks_url(account.workspace_id, endpoint["id"], "test"))
    assert refused.status_code == 409


async def test_a_delivery_to_a_refused_address_fails_without_connecting(
    app: FastAPI, client: httpx.AsyncClient, sign_up
) -> None:
    account = await sign_up()
    with WebhookReceiver() as receiver:
        _, delivery_id = await _failing_delivery(app, client, account, receiver.url)
        hosted = resources_at(app, utcnow())
        hosted.settings = app.state.settings.model_copy(
            update={"webhooks_allow_private_networks": False}
        )
        outcome = await attempt(hosted, delivery_id, 1)
    assert outcome.retry_in is not None
    assert receiver.received == []
    async with app.state.resources.session_factory() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
    assert delivery is not None and delivery.attempt_count == 1
    url = webhooks_url(account.workspace_id, delivery.endpoint_id, "deliveries", delivery_id)
    [refusal] = (await json_of(await client.get(url)))["attempts"]
    assert refusal["status_code"] is None
    assert "private" in refusal["error"]


def test_retries_wait_four_times_longer_each_time_up_to_six_hours() -> None:
    waits = [retry_wait(5, attempts).total_seconds() for attempts in range(1, 12)]
    assert waits[:5] == [5, 20, 80, 320, 1280]
    assert waits[-1] == 6 * 3600
    assert sum(waits) > 24 * 3600  # the retries span the whole window
