"""Background loops that outlive their failures.

A worker's loops (email delivery, the run-queue sweep) repeat one iteration until the
process stops. :func:`run_until_stopped` is the one way to write such a loop: an
iteration that raises is logged at once, with its traceback, and the loop waits a
little longer after each consecutive failure (bounded exponential backoff, back to the
normal interval after the first success) instead of dying and leaving the work undone
until a restart.

Waiting is injectable, so that tests drive a loop without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from luna.observability.logging import get_logger

log = get_logger(__name__)

Wait = Callable[[asyncio.Event, float], Awaitable[None]]


@dataclass(frozen=True)
class Backoff:
    """How long to wait after ``failures`` consecutive failed iterations: ``initial``
    seconds, multiplied by ``factor`` after each further failure, never over ``maximum``."""

    initial_seconds: float = 1.0
    factor: float = 2.0
    maximum_seconds: float = 60.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the given number (at least 1) of consecutive failures."""
        # The exponent is bounded so that a long outage cannot overflow the float.
        exponent = min(max(0, failures - 1), 64)
        return min(self.initial_seconds * self.factor**exponent, self.maximum_seconds)


async def wait_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_until_stopped(
    iteration: Callable[[], Awaitable[object]],
    *,
    name: str,
    interval_seconds: float,
    stop: asyncio.Event,
    backoff: Backoff | None = None,
    wait: Wait = wait_unless_stopped,
) -> None:
    """Run ``iteration`` now and then every ``interval_seconds`` until ``stop`` is set.

    A failed iteration is logged with its exception and retried after the backoff's
    delay for the number of failures in a row; a success resets that count.
    """
    backoff = backoff or Backoff()
    failures = 0
    while not stop.is_set():
        try:
            await iteration()
        # The outermost handler of a background task: whatever one pass hits (a database
        # restart, a bug in one email), the next pass must still run.
        except Exception:
            failures += 1
            delay = backoff.delay(failures)
            log.exception(
                "background loop iteration failed",
                loop=name,
                failures=failures,
                retry_in_seconds=delay,
            )
        else:
            failures, delay = 0, interval_seconds
        await wait(stop, delay)
