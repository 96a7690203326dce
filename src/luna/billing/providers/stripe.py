"""Stripe webhooks: the signature check on the raw body and what each event means.

The signature is checked with the Stripe SDK (``Stripe-Signature``, HMAC-SHA256 of
``timestamp.body``, any of several ``v1`` signatures during a secret's rotation, five
minutes' tolerance). Events then become provider-neutral changes for
:mod:`luna.billing.subscriptions`. Both the older API shape (the period on the
subscription, ``invoice.subscription``) and the newer one (the period on its items,
``invoice.parent.subscription_details``) are read.

Every field is read for what it must be (an id, a Unix time, an amount, an object): a
signed event of another shape is refused as malformed and recorded as rejected, never
left to fail deeper down as a 500 that Stripe would retry for days.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final

import stripe
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.billing.providers import WebhookProvider
from luna.billing.providers.payload import (
    MAX_ID_LENGTH,
    MAX_TIMESTAMP,
    InvalidSignature,
)
from luna.billing.providers.payload import amount as _amount
from luna.billing.providers.payload import mapping as _mapping
from luna.billing.providers.payload import number as _number
from luna.billing.subscriptions import (
    BillingContext,
    InvoiceChange,
    MalformedEvent,
    Outcome,
    SubscriptionChange,
    apply_invoice,
    apply_subscription,
    link_customer,
    process_event,
    reject_event,
)
from luna.errors import BadRequest, NotFound
from luna.observability.logging import get_logger
from luna.plans.models import Plan

log = get_logger(__name__)

SIGNATURE_TOLERANCE_SECONDS: Final = 300
_STATUSES: Final = {"incomplete_expired": "canceled"}


def verify_stripe_event(payload: bytes, header: str | None, secret: str | None) -> dict[str, Any]:
    """The event in a webhook body whose ``Stripe-Signature`` is valid and recent."""
    if not secret:
        raise NotFound("Stripe webhooks are not configured on this server.")
    try:
        stripe.WebhookSignature.verify_header(
            payload, header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        raise InvalidSignature(f"The Stripe signature was refused: {error.user_message}") from error
    except RecursionError as error:
        raise _unrecorded("The event is nested too deeply to read.") from error
    except ValueError as error:
        raise BadRequest("The webhook body is not JSON.") from error
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created"), int)
        and isinstance(event.get("data"), dict)
    ):
        raise BadRequest("The webhook body is not a Stripe event.")
    if len(event["id"]) > MAX_ID_LENGTH:
        raise _unrecorded("The event id is too long to be a Stripe id.")
    return event


def _unrecorded(reason: str) -> MalformedEvent:
    """A signed event refused before its id could be recorded: the log line is its trace."""
    log.warning("billing event rejected", provider="stripe", reason=reason)
    return MalformedEvent(reason)


async def handle_stripe_event(context: BillingContext, event: dict[str, Any]) -> Outcome:
    """Apply a verified event once; unknown types are recorded and ignored. An event
    that cannot be read is recorded as rejected and refused with :class:`MalformedEvent`."""
    event_type = event["type"][:100]
    try:
        return await _apply_event(context, event, event_type)
    except MalformedEvent as error:
        await reject_event(
            context,
            provider="stripe",
            event_id=event["id"],
            event_type=event_type,
            reason=error.detail,
        )
        raise


async def _apply_event(context: BillingContext, event: dict[str, Any], event_type: str) -> Outcome:
    handler = _HANDLERS.get(event["type"])
    occurred_at = _time(event["created"], "created")
    if occurred_at is None:
        raise MalformedEvent("The event has no creation time.")
    obj = _mapping(event["data"].get("object"), "data.object")

    async def effect() -> tuple[Outcome, str | None]:
        if handler is None:
            return "ignored", None
        return await handler(context, event["type"], obj, occurred_at)

    return await process_event(
        context,
        provider="stripe",
        event_id=event["id"],
        event_type=event_type,
        effect=effect,
        data={"object_id": _id_of(obj.get("id"), "data.object.id")},
    )


async def _checkout_completed(
    context: BillingContext, _type: str, session_obj: dict[str, Any], occurred_at: datetime
) -> tuple[Outcome, str | None]:
    metadata = _mapping(session_obj.get("metadata"), "metadata")
    team_id = _id_of(session_obj.get("client_reference_id"), "client_reference_id") or _id_of(
        metadata.get("team_id"), "metadata.team_id"
    )
    customer = _id_of(session_obj.get("customer"), "customer")
    subscription = _id_of(session_obj.get("subscription"), "subscription")
    if not team_id or not customer:
        return "unmatched", None
    if subscription is None:
        return "ignored", team_id
    await link_customer(context.session, team_id=team_id, provider="stripe", customer_id=customer)
    paid = session_obj.get("payment_status") in ("paid", "no_payment_required")
    change = SubscriptionChange(
        provider="stripe",
        external_id=subscription,
        customer_id=customer,
        team_id=team_id,
        plan_id=await _known_plan(context.session, metadata.get("plan")),
        status="active" if paid else "incomplete",
        current_period_start=None,
        current_period_end=None,
        cancel_at_period_end=False,
        occurred_at=occurred_at,
        creation=True,
    )
    return await apply_subscription(context, change)


async def _subscription_event(
    context: BillingContext, event_type: str, sub: dict[str, Any], occurred_at: datetime
) -> tuple[Outcome, str | None]:
    item = _first_item(sub)
    metadata = _mapping(sub.get("metadata"), "metadata")
    plan_id = await _plan_for_price(
        context.session, _id_of(item.get("price"), "items.data[0].price")
    ) or await _known_plan(context.session, metadata.get("plan"))
    status = "canceled" if event_type.endswith(".deleted") else _status(sub.get("status"))
    external_id = _id_of(sub.get("id"), "id")
    if external_id is None:
        raise MalformedEvent("The subscription has no id.")
    change = SubscriptionChange(
        provider="stripe",
        external_id=external_id,
        customer_id=_id_of(sub.get("customer"), "customer"),
        team_id=_id_of(metadata.get("team_id"), "metadata.team_id"),
        plan_id=plan_id,
        status=_STATUSES.get(status, status),
        current_period_start=_period(sub, item, "current_period_start"),
        current_period_end=_period(sub, item, "current_period_end"),
        cancel_at_period_end=sub.get("cancel_at_period_end") is True,
        occurred_at=occurred_at,
        creation=event_type.endswith(".created"),
    )
    return await apply_subscription(context, change)


def _first_item(sub: dict[str, Any]) -> dict[str, Any]:
    """The subscription's first item, where newer API versions keep the price and period."""
    items = _mapping(sub.get("items"), "items").get("data") or [{}]
    if not isinstance(items, list):
        raise MalformedEvent("items.data is not a list.")
    return _mapping(items[0], "items.data[0]")


def _period(sub: dict[str, Any], item: dict[str, Any], field: str) -> datetime | None:
    """A period bound: on the subscription (older API versions) or on its first item."""
    return _time(sub[field], field) if field in sub else _time(item.get(field), field)


async def _invoice_event(
    context: BillingContext, event_type: str, invoice: dict[str, Any], occurred_at: datetime
) -> tuple[Outcome, str | None]:
    parent = _mapping(invoice.get("parent"), "parent")
    details = _mapping(parent.get("subscription_details"), "parent.subscription_details")
    status = _status(invoice.get("status") or "open")
    payment = {"invoice.paid": "succeeded", "invoice.payment_failed": "failed"}.get(event_type)
    if payment == "failed" and status == "open":
        status = "failed"
    external_id = _id_of(invoice.get("id"), "id")
    if external_id is None:
        raise MalformedEvent("The invoice has no id.")
    change = InvoiceChange(
        provider="stripe",
        external_id=external_id,
        customer_id=_id_of(invoice.get("customer"), "customer"),
        subscription_id=_id_of(
            invoice.get("subscription") or details.get("subscription"), "subscription"
        ),
        team_id=_id_of(_mapping(invoice.get("metadata"), "metadata").get("team_id"), "team_id"),
        number=_text(invoice.get("number"), "number", 64),
        status=status,
        currency=(_text(invoice.get("currency"), "currency", 3) or "usd").lower(),
        amount_due_cents=_amount(invoice.get("amount_due"), "amount_due"),
        amount_paid_cents=_amount(invoice.get("amount_paid"), "amount_paid"),
        period_start=_time(invoice.get("period_start"), "period_start"),
        period_end=_time(invoice.get("period_end"), "period_end"),
        hosted_url=_text(invoice.get("hosted_invoice_url"), "hosted_invoice_url", 1000),
        pdf_url=_text(invoice.get("invoice_pdf"), "invoice_pdf", 1000),
        issued_at=_time(invoice.get("created"), "created") or occurred_at,
        occurred_at=occurred_at,
        payment=payment,  # type: ignore[arg-type]
    )
    return await apply_invoice(context, change)


Handler = Callable[
    [BillingContext, str, dict[str, Any], datetime], Awaitable[tuple[Outcome, str | None]]
]
_HANDLERS: Final[dict[str, Handler]] = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_event,
    "customer.subscription.updated": _subscription_event,
    "customer.subscription.deleted": _subscription_event,
    "invoice.paid": _invoice_event,
    "invoice.payment_failed": _invoice_event,
    "invoice.finalized": _invoice_event,
}


def _id_of(value: Any, field: str) -> str | None:
    """A Stripe reference: an id, or an expanded object carrying one."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise MalformedEvent(f"{field} is not a Stripe id.")
    return value


def _text(value: Any, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise MalformedEvent(f"{field} is not a text of at most {max_length} characters.")
    return value


def _status(value: Any) -> str:
    """A status as text; whether Luna knows it is checked where it is applied."""
    return _text(value, "status", 32) or ""


def _time(value: Any, field: str) -> datetime | None:
    """A Unix time (absent or zero: none)."""
    if value is None or value == 0:
        return None
    seconds = _number(value, field, MAX_TIMESTAMP)
    if seconds < 0:
        raise MalformedEvent(f"{field} is before 1970.")
    return datetime.fromtimestamp(seconds, UTC)


async def _plan_for_price(session: AsyncSession, price_id: str | None) -> str | None:
    if price_id is None:
        return None
    return await session.scalar(select(Plan.id).where(Plan.stripe_price_id == price_id))


async def _known_plan(session: AsyncSession, plan_id: Any) -> str | None:
    if not isinstance(plan_id, str):
        return None
    return await session.scalar(select(Plan.id).where(Plan.id == plan_id))


async def _handle(context: BillingContext, event: dict[str, Any], _payload: bytes) -> Outcome:
    return await handle_stripe_event(context, event)


PROVIDER = WebhookProvider(
    name="stripe", signature_header="Stripe-Signature", verify=verify_stripe_event, handle=_handle
)
