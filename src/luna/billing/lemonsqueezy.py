"""LemonSqueezy webhooks: the HMAC-SHA256 signature of the raw body, and its events
mapped onto the same subscriptions and invoices as Stripe's.

LemonSqueezy signs the body alone (``X-Signature``, hex), with no timestamp and no event
id: an event is identified by the digest of its body, so a redelivery (the same bytes)
is recognised. Order comes from each object's ``updated_at``. The team travels in the
checkout's ``custom_data`` (``meta.custom_data.team_id``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select

from luna.billing.models import Plan
from luna.billing.stripe_events import InvalidSignature
from luna.billing.subscriptions import (
    BillingContext,
    InvoiceChange,
    Outcome,
    SubscriptionChange,
    apply_invoice,
    apply_subscription,
    process_event,
)
from luna.errors import BadRequest, NotFound

# LemonSqueezy's subscription statuses in Luna's words. A cancelled subscription runs
# to the end of its paid period; an expired one has ended.
_STATUSES: Final = {
    "on_trial": "trialing",
    "active": "active",
    "paused": "paused",
    "past_due": "past_due",
    "unpaid": "unpaid",
    "cancelled": "active",
    "expired": "canceled",
}
_INVOICE_STATUSES: Final = {
    "paid": "paid",
    "pending": "open",
    "void": "void",
    "refunded": "refunded",
    "partial_refund": "paid",
}
_PAYMENTS: Final = {
    "subscription_payment_success": "succeeded",
    "subscription_payment_recovered": "succeeded",
    "subscription_payment_failed": "failed",
}


def verify_lemonsqueezy_event(
    payload: bytes, signature: str | None, secret: str | None
) -> dict[str, Any]:
    """The event in a webhook body whose ``X-Signature`` is its HMAC-SHA256 digest."""
    if not secret:
        raise NotFound("LemonSqueezy webhooks are not configured on this server.")
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise InvalidSignature("The LemonSqueezy signature does not match the body.")
    try:
        event = json.loads(payload)
    except ValueError as error:
        raise BadRequest("The webhook body is not JSON.") from error
    meta = event.get("meta") if isinstance(event, dict) else None
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(meta, dict)
        and isinstance(meta.get("event_name"), str)
        and isinstance(data, dict)
        and isinstance(data.get("attributes"), dict)
    ):
        raise BadRequest("The webhook body is not a LemonSqueezy event.")
    verified: dict[str, Any] = event
    return verified


async def handle_lemonsqueezy_event(
    context: BillingContext, event: dict[str, Any], payload: bytes
) -> Outcome:
    """Apply a verified event once; events Luna does not use are recorded and ignored."""
    name: str = event["meta"]["event_name"]
    data: dict[str, Any] = event["data"]

    async def effect() -> tuple[Outcome, str | None]:
        team_id = (event["meta"].get("custom_data") or {}).get("team_id")
        kind = data.get("type")
        if kind == "subscriptions" and name.startswith("subscription_"):
            return await apply_subscription(context, await _subscription(context, data, team_id))
        if kind == "subscription-invoices" and name in _PAYMENTS:
            return await apply_invoice(context, _invoice(data, team_id, _PAYMENTS[name]))
        return "ignored", None

    return await process_event(
        context,
        provider="lemonsqueezy",
        event_id=hashlib.sha256(payload).hexdigest(),
        event_type=name[:100],
        effect=effect,
        data={"object_id": data.get("id")},
    )


async def _subscription(
    context: BillingContext, data: dict[str, Any], team_id: Any
) -> SubscriptionChange:
    attributes = data["attributes"]
    variant = str(attributes.get("variant_id") or "")
    plan_id = await context.session.scalar(
        select(Plan.id).where(Plan.lemonsqueezy_variant_id == variant)
    )
    status = str(attributes.get("status"))
    return SubscriptionChange(
        provider="lemonsqueezy",
        external_id=str(data.get("id")),
        customer_id=_text(attributes.get("customer_id")),
        team_id=team_id if isinstance(team_id, str) else None,
        plan_id=plan_id,
        status=_STATUSES.get(status, "incomplete"),
        current_period_start=None,
        current_period_end=_time(attributes.get("ends_at") or attributes.get("renews_at")),
        cancel_at_period_end=status == "cancelled",
        occurred_at=_time(attributes.get("updated_at")) or context.now,
        creation=False,
    )


def _invoice(data: dict[str, Any], team_id: Any, payment: str) -> InvoiceChange:
    attributes = data["attributes"]
    status = str(attributes.get("status"))
    total = int(attributes.get("total") or 0)
    urls = attributes.get("urls") or {}
    issued = _time(attributes.get("created_at"))
    updated = _time(attributes.get("updated_at")) or issued
    if issued is None or updated is None:
        raise BadRequest("The invoice has no created_at.")
    return InvoiceChange(
        provider="lemonsqueezy",
        external_id=str(data.get("id")),
        customer_id=_text(attributes.get("customer_id")),
        subscription_id=_text(attributes.get("subscription_id")),
        team_id=team_id if isinstance(team_id, str) else None,
        number=None,
        status="failed" if payment == "failed" else _INVOICE_STATUSES.get(status, "open"),
        currency=str(attributes.get("currency") or "usd").lower()[:3],
        amount_due_cents=total,
        amount_paid_cents=total if payment == "succeeded" else 0,
        period_start=None,
        period_end=None,
        hosted_url=urls.get("invoice_url"),
        pdf_url=urls.get("invoice_url"),
        issued_at=issued,
        occurred_at=updated,
        payment="succeeded" if payment == "succeeded" else "failed",
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRequest(f"Not a timestamp: {value!r}.") from error
    if parsed.tzinfo is None:
        raise BadRequest(f"A timestamp without a time zone: {value!r}.")
    return parsed
