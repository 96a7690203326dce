"""The events an endpoint may subscribe to."""

from __future__ import annotations

from typing import Final, Literal, get_args

EventType = Literal[
    "run.completed",
    "run.failed",
    "run.cancelled",
    "run.awaiting_approval",
    "chain_run.completed",
    "chain_run.failed",
    "chain_run.cancelled",
    "chain_run.awaiting_approval",
    "schedule.fired",
    "schedule.failed",
]
EVENT_TYPES: Final[tuple[str, ...]] = get_args(EventType)
# Sent by "send a test event" to one endpoint, whatever it subscribes to.
TEST_EVENT: Final = "webhook.test"
