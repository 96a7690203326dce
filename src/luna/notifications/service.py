"""Queueing emails. Messages are written to the outbox in the caller's transaction, so an
email exists exactly when the change that caused it was committed; delivery (console log
by default, SMTP when configured) happens from the outbox afterwards.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luna.notifications.models import OutboxEmail
from luna.observability.logging import get_logger

log = get_logger(__name__)

_TEMPLATES: dict[str, tuple[str, str]] = {
    "verify-email": (
        "Confirm your email address for Luna",
        "Hello,\n\nConfirm this address for your Luna account by opening:\n\n{link}\n\n"
        "The link expires in {hours} hours. If you did not sign up, ignore this email.\n",
    ),
    "reset-password": (
        "Reset your Luna password",
        "Hello,\n\nSomeone asked to reset the password of your Luna account. To choose a new "
        "one, open:\n\n{link}\n\nThe link works once and expires in {hours} hours. If it was "
        "not you, ignore this email: your password is unchanged.\n",
    ),
    "change-email": (
        "Confirm your new email address for Luna",
        "Hello,\n\nSomeone asked to make this the email address of a Luna account. To "
        "confirm, open:\n\n{link}\n\nThe link works once and expires in {hours} hours. If it "
        "was not you, ignore this email.\n",
    ),
    "email-changed": (
        "The email address of your Luna account was changed",
        "Hello,\n\nThe email address of your Luna account was changed to {new_email}. If "
        "this was not you, contact support at once.\n",
    ),
    "password-changed": (
        "Your Luna password was changed",
        "Hello,\n\nThe password of your Luna account was just changed and every other session "
        "was signed out. If this was not you, reset your password at once.\n",
    ),
    "account-deleted": (
        "Your Luna account was deleted",
        "Hello,\n\nYour Luna account was deleted, as you asked. Teams deleted with it, and all "
        "their work: {teams}. You left every other team; its other members keep it.\n\nIf "
        "this was not you, contact support at once.\n",
    ),
    "invitation": (
        "You are invited to join a team on Luna",
        'Hello,\n\n{inviter} invited you to join the team "{team}" on Luna as {role}.\n\n'
        "To accept, sign in (or create an account) with this email address and open:\n\n"
        "{link}\n\nThe invitation works once and expires in {days} days. If you were not "
        "expecting it, ignore this email.\n",
    ),
    "webhook-disabled": (
        "A Luna webhook endpoint was turned off",
        'Hello,\n\nThe webhook endpoint {url} of the workspace "{workspace}" (team "{team}") '
        "was turned off: {reason}\n\nNo more events are sent to it. Once it works again, "
        "turn it back on in the workspace's webhook settings and redeliver what it missed.\n",
    ),
    "budget-alert": (
        "A Luna budget is {level} % used",
        'Hello,\n\n{budget} of the workspace "{workspace}" (team "{team}") is {level} % '
        "used.\n\n{consequence} Budgets are in the workspace's settings.\n",
    ),
    "billing-receipt": (
        "Your Luna payment was received",
        'Hello,\n\nWe received {amount} for the team "{team}" on the {plan} plan. The '
        "invoice is at:\n\n{invoice_url}\n\nThank you.\n",
    ),
    "billing-payment-failed": (
        "Your Luna payment failed",
        'Hello,\n\nThe payment for the team "{team}" on the {plan} plan failed. The team '
        "keeps its plan until {grace_until}; after that it moves to the Starter plan's "
        "limits, without losing any data. Update the payment method at:\n\n{billing_url}\n",
    ),
    "billing-payment-reminder": (
        "Reminder: your Luna payment is still due",
        'Hello,\n\nThe payment for the team "{team}" is still due. On {grace_until} the team '
        "moves to the Starter plan's limits, without losing any data. Update the payment "
        "method at:\n\n{billing_url}\n",
    ),
    "billing-plan-changed": (
        "Your Luna plan changed",
        'Hello,\n\nThe team "{team}" is now on the {plan} plan (it was on {previous}).\n\n'
        "The plan and its invoices are at:\n\n{billing_url}\n",
    ),
}


def queue_email(
    *,
    session: AsyncSession,
    to_address: str,
    template: str,
    user_id: str | None = None,
    **values: object,
) -> OutboxEmail:
    """Add a templated email to the outbox, in the caller's transaction."""
    subject, body = _TEMPLATES[template]
    email = OutboxEmail(
        user_id=user_id,
        to_address=to_address,
        template=template,
        subject=subject.format(**values),
        text_body=body.format(**values),
    )
    session.add(email)
    return email


def log_delivery(email: OutboxEmail) -> None:
    """The console delivery used when no SMTP server is configured."""
    log.info("email queued", to=email.to_address, template=email.template, id=email.id)
