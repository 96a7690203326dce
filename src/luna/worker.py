"""The worker process host: ``luna worker``.

A worker connects to the shared database, refuses to start on a schema that is not at
the code's revision, and then serves background work until SIGTERM or SIGINT, finishing
in-flight work within the shutdown grace period. The durable run workflow, queues and
schedules register with this host as their domains land.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket

from luna.db.engine import create_engine
from luna.health.service import check_readiness
from luna.observability.logging import get_logger
from luna.settings import Settings

log = get_logger(__name__)


def worker_identity() -> str:
    """A name for this worker process that is unique across machines."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def serve_background_work(settings: Settings, stop: asyncio.Event) -> None:
    """Check readiness, then hold the worker open until ``stop`` is set."""
    engine = create_engine(settings)
    try:
        checks = await check_readiness(engine=engine, settings=settings)
        log.info("worker ready", worker=worker_identity(), **checks)
        await stop.wait()
        log.info("worker stopping", worker=worker_identity())
    finally:
        await engine.dispose()


def run_worker(settings: Settings) -> None:
    """Run a worker in this process until it is signalled to stop."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        await serve_background_work(settings, stop)

    asyncio.run(main())
