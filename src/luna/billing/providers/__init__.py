"""The payment providers Luna takes webhooks from, one module each, behind one contract.

Each provider module (:mod:`.stripe`, :mod:`.lemonsqueezy`) exposes a
:class:`WebhookProvider`: how to verify a delivery against its raw body and signature
header, and how to translate the verified event into the provider-neutral changes of
:mod:`luna.billing.subscriptions` (``SubscriptionChange``, ``InvoiceChange``), which
apply them once, in order, whatever the provider. The webhook routes are the same for
all of them; a new provider is a new module and an entry in :data:`PROVIDERS`.

:mod:`.payload` reads an event's fields for what they must be, with the bounds of the
tables they go to, so that a signed event of an unexpected shape is refused as
malformed (400, recorded as rejected) and never fails deeper down.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from luna.billing.subscriptions import BillingContext, Outcome

Verify = Callable[[bytes, str | None, str | None], dict[str, Any]]
Handle = Callable[[BillingContext, dict[str, Any], bytes], Awaitable[Outcome]]


@dataclass(frozen=True)
class WebhookProvider:
    """A payment provider's webhooks: ``verify(payload, signature, secret)`` returns the
    event of a genuine delivery (or raises), ``handle(context, event, payload)`` applies
    it once and says what came of it."""

    name: str
    signature_header: str
    verify: Verify
    handle: Handle
