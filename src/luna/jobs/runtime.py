"""What durable work finds of the process that executes it.

DBOS calls a workflow with its arguments only (it must be able to do so again after a
crash, from another process). Everything else, the settings, the database, the keys,
the caches and the clock, is this process's :class:`WorkerResources`, installed by the
worker that started the job engine and read with :func:`current_resources`. A domain
whose work needs more (runs: the live bus and the model factory) extends the class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.cache import Caches
from luna.db.base import utcnow
from luna.security.crypto import Keyring
from luna.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


@dataclass(kw_only=True)
class WorkerResources:
    """The settings, database, keys, caches and clock of a process executing durable
    work (the caches are told when scheduled work changes what they hold)."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    keyring: Keyring
    clock: Callable[[], datetime] = field(default=utcnow)
    caches: Caches | None = None
    # This process's identity in the job engine, recorded on the work it executes.
    executor_id: str | None = None
    # Where the spans of the work go (None: tracing is off).
    tracer_provider: TracerProvider | None = None


_installed: WorkerResources | None = None


def install_resources(resources: WorkerResources) -> None:
    """Make ``resources`` the ones durable work uses in this process."""
    global _installed
    _installed = resources


def uninstall_resources(resources: WorkerResources) -> None:
    """Forget ``resources`` if they are still the installed ones."""
    global _installed
    if _installed is resources:
        _installed = None


def current_resources() -> WorkerResources:
    """The installed resources; durable work running without them is a deployment error."""
    if _installed is None:
        raise RuntimeError("no worker resources are installed in this process")
    return _installed
