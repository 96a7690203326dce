"""Errors reported to Sentry (or any server that speaks its protocol, such as GlitchTip)
when ``LUNA_SENTRY_DSN`` is set; nothing is loaded or sent when it is not.

Every event carries the request id, and the user, team and workspace ids the request was
authenticated with, as tags, with the release and the environment. Nothing personal
goes with it: no e-mail, client address, cookie, header value, request body, query
string, SQL parameter or local variable (the SDK's ``data_collection`` turns each off),
and every
string the event still holds (messages, breadcrumbs, exception values) is scrubbed by
the same rules as the logs, which mask e-mail addresses and redact credentials.
Prompts and answers never reach an event: they are in no log message and no exception
Luna raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from luna.observability.context import current_request
from luna.security.redaction import redact

if TYPE_CHECKING:
    from luna.settings import Settings

# The request fields kept on an event: where it happened, never what was sent.
_KEPT_REQUEST_FIELDS: Final = ("method", "url")


def start_error_reporting(settings: Settings, release: str) -> bool:
    """Start the Sentry SDK when a DSN is configured; whether it was started."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        release=f"luna@{release}",
        environment=settings.sentry_environment or settings.env,
        # Nothing personal: no user details, cookies, headers, bodies, query strings,
        # SQL parameters, local variables or model inputs and outputs.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
            "gen_ai": {"inputs": False, "outputs": False},
        },
        max_request_body_size="never",
        traces_sample_rate=0.0,
        integrations=[StarletteIntegration(), FastApiIntegration(), SqlalchemyIntegration()],
        before_send=scrubbed_event,  # type: ignore[arg-type]  # an Event is a dict
        before_breadcrumb=scrubbed_breadcrumb,
    )
    return True


def stop_error_reporting() -> None:
    """Send what is queued and stop the SDK (at shutdown, and between tests)."""
    import sentry_sdk

    client = sentry_sdk.get_client()
    if client.is_active():
        client.flush(timeout=5)
        client.close()


def scrubbed_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """The event with the request's ids as tags and nothing personal left in it."""
    context = current_request.get()
    tags = dict(event.get("tags") or {})
    if context is not None:
        tags["request_id"] = context.request_id
        for name in ("user_id", "team_id", "workspace_id"):
            value = getattr(context, name, None)
            if value:
                tags[name] = value
        event["user"] = {"id": context.user_id} if context.user_id else {}
    else:
        event.pop("user", None)
    event["tags"] = tags
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {
            field: request[field] for field in _KEPT_REQUEST_FIELDS if field in request
        }
    scrubbed: dict[str, Any] = redact(event)
    return scrubbed


def scrubbed_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """A breadcrumb without its data's secrets, and with e-mails masked in its message."""
    scrubbed: dict[str, Any] = redact(crumb)
    return scrubbed
