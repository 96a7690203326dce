"""What the run workflow needs from the process that executes it: the worker's
resources (:mod:`luna.jobs.runtime`) with the live event bus and the way models are
built, installed by the worker that started the job engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic_ai.models import Model

from luna.jobs.runtime import WorkerResources, current_resources
from luna.providers.build import ResolvedModel, build_model
from luna.runs.bus import RunBus

ModelFactory = Callable[[ResolvedModel], Model]


@dataclass(kw_only=True)
class RunRuntime(WorkerResources):
    """The worker's resources, with what runs need besides: the live event bus and the
    way models are built (tests swap the factory)."""

    bus: RunBus
    model_factory: ModelFactory | None = None

    def build_model(self, resolved: ResolvedModel) -> Model:
        """The Pydantic AI model a run calls (tests may swap the factory)."""
        if self.model_factory is not None:
            return self.model_factory(resolved)
        return build_model(resolved, timeout_seconds=self.settings.run_model_timeout_seconds)


def current_runtime() -> RunRuntime:
    """The installed resources of a process that executes runs."""
    resources = current_resources()
    if not isinstance(resources, RunRuntime):
        raise RuntimeError("the installed worker resources cannot execute runs")
    return resources
