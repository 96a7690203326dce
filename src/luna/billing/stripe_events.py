"""Stripe webhooks: the signature check on the raw body and what each event means.

The signature is checked with the Stripe SDK (``Stripe-Signature``, HMAC-SHA256 of
``timestamp.body``, any of several ``v1`` signatures during a secret's rotation, five
minutes' tolerance). Events then become provider-neutral changes for
:mod:`luna.billing.subscriptions`. Both the older API shape (the period on the
subscription, ``invoice.subscription``) and the newer one (the period on its items,
``invoice.parent.subscription_details``) are read.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final

import stripe
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.billing.models import Plan
from luna.billing.subscriptions import (
    BillingContext,
    InvoiceChange,
    Outcome,
    SubscriptionChange,
    apply_invoice,
    apply_subscription,
    link_customer,
    process_event,
)
from luna.errors import BadRequest, NotFound

SIGNATURE_TOLERANCE_SECONDS: Final = 300
_STATUSES: Final = {"incomplete_expired": "canceled"}


class InvalidSignature(BadRequest):
    """The webhook's signature does not match its body, or it is too old."""

    code = "invalid-signature"


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
    return event


async def handle_stripe_event(context: BillingContext, event: dict[str, Any]) -> Outcome:
    """Apply a verified event once; unknown types are recorded and ignored."""
    handler = _HANDLERS.get(event["type"])
    occurred_at = datetime.fromtimestamp(int(event["created"]), UTC)
    obj: dict[str, Any] = event["data"].get("object") or {}

    async def effect() -> tuple[Outcome, str | None]:
        if handler is None:
            return "ignored", None
        return await handler(context, event["type"], obj, occurred_at)

    return await process_event(
        context,
        provider="stripe",
        event_id=str(event["id"]),
        event_type=str(event["type"])[:100],
        effect=effect,
        data={"object_id": obj.get("id")},
    )


async def _checkout_completed(
    context: BillingContext, _type: str, session_obj: dict[str, Any], occurred_at: datetime
) -> tuple[Outcome, str | None]:
    metadata = session_obj.get("metadata") or {}
    team_id = session_obj.get("client_reference_id") or metadata.get("team_id")
    customer = _id_of(session_obj.get("customer"))
    subscription = _id_of(session_obj.get("subscription"))
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
    items = (sub.get("items") or {}).get("data") or [{}]
    item = items[0]
    price = _id_of((item.get("price") or {}).get("id"))
    metadata = sub.get("metadata") or {}
    plan_id = await _plan_for_price(context.session, price) or await _known_plan(
        context.session, metadata.get("plan")
    )
    status = "canceled" if event_type.endswith(".deleted") else str(sub.get("status"))
    change = SubscriptionChange(
        provider="stripe",
        external_id=str(sub.get("id")),
        customer_id=_id_of(sub.get("customer")),
        team_id=metadata.get("team_id"),
        plan_id=plan_id,
        status=_STATUSES.get(status, status),
        current_period_start=_time(
            sub.get("current_period_start", item.get("current_period_start"))
        ),
        current_period_end=_time(sub.get("current_period_end", item.get("current_period_end"))),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        occurred_at=occurred_at,
        creation=event_type.endswith(".created"),
    )
    return await apply_subscription(context, change)


async def _invoice_event(
    context: BillingContext, event_type: str, invoice: dict[str, Any], occurred_at: datetime
) -> tuple[Outcome, str | None]:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    status = str(invoice.get("status") or "open")
    payment = {"invoice.paid": "succeeded", "invoice.payment_failed": "failed"}.get(event_type)
    if payment == "failed" and status == "open":
        status = "failed"
    change = InvoiceChange(
        provider="stripe",
        external_id=str(invoice.get("id")),
        customer_id=_id_of(invoice.get("customer")),
        subscription_id=_id_of(invoice.get("subscription") or details.get("subscription")),
        team_id=(invoice.get("metadata") or {}).get("team_id"),
        number=invoice.get("number"),
        status=status,
        currency=str(invoice.get("currency") or "usd")[:3],
        amount_due_cents=int(invoice.get("amount_due") or 0),
        amount_paid_cents=int(invoice.get("amount_paid") or 0),
        period_start=_time(invoice.get("period_start")),
        period_end=_time(invoice.get("period_end")),
        hosted_url=invoice.get("hosted_invoice_url"),
        pdf_url=invoice.get("invoice_pdf"),
        issued_at=_time(invoice.get("created")) or occurred_at,
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


def _id_of(value: Any) -> str | None:
    """A Stripe reference: an id, or an expanded object carrying one."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


async def _plan_for_price(session: AsyncSession, price_id: str | None) -> str | None:
    if price_id is None:
        return None
    return await session.scalar(select(Plan.id).where(Plan.stripe_price_id == price_id))


async def _known_plan(session: AsyncSession, plan_id: Any) -> str | None:
    if not isinstance(plan_id, str):
        return None
    return await session.scalar(select(Plan.id).where(Plan.id == plan_id))
