"""Request and response shapes of the onboarding wizard's progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from luna.schemas import RequestModel

OnboardingStep = Literal["agent", "provider", "run"]
StepId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class OnboardingStepOut(BaseModel):
    """One step of the wizard and whether it is done."""

    key: OnboardingStep
    done: bool


class OnboardingOut(BaseModel):
    """The caller's onboarding in this workspace.

    The ``agent`` step is done once an agent is picked, ``provider`` once the workspace
    has a model provider (whoever connected it), ``run`` once a run was started.
    ``current_step`` is the first step not done, or ``null`` when all are.
    """

    steps: list[OnboardingStepOut]
    current_step: OnboardingStep | None
    agent_id: str | None
    provider_id: str | None
    run_id: str | None
    dismissed: bool = Field(description="The person chose to skip the wizard.")
    started_at: datetime | None = Field(description="When the wizard was first used.")
    completed_at: datetime | None = Field(description="When the last step was done.")


class OnboardingUpdate(RequestModel):
    """What a step recorded. Absent fields stay as they are; ids must be of this workspace."""

    model_config = ConfigDict(extra="forbid")

    agent_id: StepId | None = Field(None, description="The agent picked (`agt_...`).")
    provider_id: StepId | None = Field(None, description="The provider connected (`prv_...`).")
    run_id: StepId | None = Field(None, description="The first run (`run_...`).")
    dismissed: bool | None = Field(None, description="Skip the wizard, or bring it back.")
