"""The onboarding wizard's progress for the signed-in person, per workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from luna.deps import ClockDep, SessionDep, require_workspace
from luna.onboarding import service
from luna.onboarding.schemas import OnboardingOut, OnboardingUpdate
from luna.tenancy.access import WorkspaceAccess

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/onboarding", tags=["onboarding"])

# Each person has their own progress; API keys have none. Recording it needs the role
# that can do the steps (viewers create no agents and start no runs).
OnboardingReader = Annotated[WorkspaceAccess, Depends(require_workspace("read"))]
OnboardingWriter = Annotated[WorkspaceAccess, Depends(require_workspace("write"))]


@router.get("", operation_id="onboarding-get", response_model=OnboardingOut)
async def get_onboarding(access: OnboardingReader, session: SessionDep) -> OnboardingOut:
    """Where the caller stands in the workspace's guided first steps."""
    return await service.get_onboarding(session=session, access=access)


@router.patch("", operation_id="onboarding-update", response_model=OnboardingOut)
async def update_onboarding(
    body: OnboardingUpdate, access: OnboardingWriter, session: SessionDep, clock: ClockDep
) -> OnboardingOut:
    """Record a finished step (the agent picked, the provider connected, the first run),
    or skip the wizard with `dismissed: true`. Ids must be of this workspace (422).
    Viewers, who can do none of the steps, are refused (403)."""
    return await service.update_onboarding(
        session=session, access=access, changes=body, now=clock()
    )
