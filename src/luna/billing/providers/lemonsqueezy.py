"""LemonSqueezy webhooks: the HMAC-SHA256 signature of the raw body, and its events
mapped onto the same subscriptions and invoices as Stripe's.

LemonSqueezy signs the body alone (``X-Signature``, hex), with no timestamp and no event
id: an event is identified by the digest of its body, so a redelivery (the same bytes)
is recognised. Order comes from each object's ``updated_at``. The team travels in the
checkout's ``custom_data`` (``meta.custom_data.team_id``). A signed event of a shape
Luna cannot read is refused as malformed and recorded as rejected, as Stripe's are.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select

from luna.billing.providers import WebhookProvider
from luna.billing.providers.payload import InvalidSignature
from luna.billing.providers.payload import amount as _amount
from luna.billing.providers.payload import mapping as _mapping
from luna.billing.subscriptions import (
    BillingContext,
    InvoiceChange,
    MalformedEvent,
    Outcome,
    SubscriptionChange,
    apply_invoice,
    apply_subscription,
    process_event,
    reject_event,
)
from luna.errors import BadRequest, NotFound
from luna.observability.logging import get_logger
from luna.plans.models import Plan

log = get_logger(__name__)

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
    except RecursionError as error:
        reason = "The event is nested too deeply to read."
        log.warning("billing event rejected", provider="lemonsqueezy", reason=reason)
        raise MalformedEvent(reason) from error
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
    """Apply a verified event once; events Luna does not use are recorded and ignored,
    and one it cannot read is recorded as rejected and refused (:class:`MalformedEvent`)."""
    event_id = hashlib.sha256(payload).hexdigest()
    event_type = event["meta"]["event_name"][:100]
    try:
        return await _apply_event(context, event, event_id, event_type)
    except MalformedEvent as error:
        await reject_event(
            context,
            provider="lemonsqueezy",
            event_id=event_id,
            event_type=event_type,
            reason=error.detail,
        )
        raise


async def _apply_event(
    context: BillingContext, event: dict[str, Any], event_id: str, event_type: str
) -> Outcome:
    name: str = event["meta"]["event_name"]
    data: dict[str, Any] = event["data"]
    team_id = _mapping(event["meta"].get("custom_data"), "meta.custom_data").get("team_id")

    async def effect() -> tuple[Outcome, str | None]:
        kind = data.get("type")
        if kind == "subscriptions" and name.startswith("subscription_"):
            return await apply_subscription(context, await _subscription(context, data, team_id))
        if kind == "subscription-invoices" and name in _PAYMENTS:
            return await apply_invoice(context, _invoice(data, team_id, _PAYMENTS[name]))
        return "ignored", None

    return await process_event(
        context,
        provider="lemonsqueezy",
        event_id=event_id,
        event_type=event_type,
        effect=effect,
        data={"object_id": _text(data.get("id"))},
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
        external_id=_object_id(data),
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
    total = _amount(attributes.get("total"), "data.attributes.total")
    urls = _mapping(attributes.get("urls"), "urls")
    issued = _time(attributes.get("created_at"))
    updated = _time(attributes.get("updated_at")) or issued
    if issued is None or updated is None:
        raise MalformedEvent("The invoice has no created_at.")
    return InvoiceChange(
        provider="lemonsqueezy",
        external_id=_object_id(data),
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
        hosted_url=_text(urls.get("invoice_url")),
        pdf_url=_text(urls.get("invoice_url")),
        issued_at=issued,
        occurred_at=updated,
        payment="succeeded" if payment == "succeeded" else "failed",
    )


def _text(value: Any) -> str | None:
    """An id or a link, as text: LemonSqueezy sends ids as numbers or strings."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedEvent(f"Not an id or a link: {str(value)[:40]!r}.")
    return str(value)


def _object_id(data: dict[str, Any]) -> str:
    object_id = _text(data.get("id"))
    if object_id is None:
        raise MalformedEvent("The event's object has no id.")
    return object_id


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise MalformedEvent(f"Not a timestamp: {value[:40]!r}.") from error
    if parsed.tzinfo is None:
        raise MalformedEvent(f"A timestamp without a time zone: {value[:40]!r}.")
    return parsed


PROVIDER = WebhookProvider(
    name="lemonsqueezy",
    signature_header="X-Signature",
    verify=verify_lemonsqueezy_event,
    handle=handle_lemonsqueezy_event,
)
