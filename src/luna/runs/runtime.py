"""What the run workflow needs from the process that executes it.

DBOS calls the run workflow with the run's id only (it must be able to do so again
after a crash, from another process). Everything else, the database, the keyring, the
live event bus and the way models are built, is this process's :class:`RunRuntime`,
installed by the worker that started the run engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic_ai.models import Model
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.cache import Caches
from luna.db.base import utcnow
from luna.providers.build import ResolvedModel, build_model
from luna.runs.bus import RunBus
from luna.security.crypto import Keyring
from luna.settings import Settings

ModelFactory = Callable[[ResolvedModel], Model]


@dataclass
class RunRuntime:
    """The database, keys, bus, model factory, clock and caches of the process executing
    runs (the caches are told when scheduled work changes what they hold)."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    keyring: Keyring
    bus: RunBus
    model_factory: ModelFactory | None = None
    clock: Callable[[], datetime] = field(default=utcnow)
    caches: Caches | None = None
    # This process's identity in the job engine, recorded on the runs it executes.
    executor_id: str | None = None

    def build_model(self, resolved: ResolvedModel) -> Model:
        """The Pydantic AI model a run calls (tests may swap the factory)."""
        if self.model_factory is not None:
            return self.model_factory(resolved)
        return build_model(resolved, timeout_seconds=self.settings.run_model_timeout_seconds)


_installed: RunRuntime | None = None


def install_runtime(runtime: RunRuntime) -> None:
    """Make ``runtime`` the one the run workflow uses in this process."""
    global _installed
    _installed = runtime


def uninstall_runtime(runtime: RunRuntime) -> None:
    """Forget ``runtime`` if it is still the installed one."""
    global _installed
    if _installed is runtime:
        _installed = None


def current_runtime() -> RunRuntime:
    """The installed runtime; a workflow running without one is a deployment error."""
    if _installed is None:
        raise RuntimeError("no run runtime is installed in this process")
    return _installed
