"""The onboarding wizard's progress: read it, record a step, skip the wizard.

Progress belongs to a person in a workspace. Each id a step records is loaded through
its domain's workspace-scoped lookup, so a step can never point into another tenant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.service import get_agent_for_workspace
from luna.errors import Forbidden, NotFound, ValidationFailed
from luna.onboarding.models import OnboardingProgress
from luna.onboarding.schemas import OnboardingOut, OnboardingStepOut, OnboardingUpdate
from luna.providers.models import Provider
from luna.providers.service import get_provider_for_workspace
from luna.runs.service import get_run_for_workspace
from luna.tenancy.access import WorkspaceAccess


def _user_id(access: WorkspaceAccess) -> str:
    if access.principal.is_api_key or access.principal.user_id is None:
        raise Forbidden("Onboarding belongs to a signed-in person, not to an API key.")
    return access.principal.user_id


async def _load(session: AsyncSession, access: WorkspaceAccess) -> OnboardingProgress | None:
    return await session.scalar(
        select(OnboardingProgress).where(
            OnboardingProgress.workspace_id == access.workspace_id,
            OnboardingProgress.user_id == _user_id(access),
        )
    )


async def get_onboarding(*, session: AsyncSession, access: WorkspaceAccess) -> OnboardingOut:
    """The caller's progress in the workspace; all steps open if they never started."""
    return await _describe(session, access, await _load(session, access))


async def update_onboarding(
    *, session: AsyncSession, access: WorkspaceAccess, changes: OnboardingUpdate, now: datetime
) -> OnboardingOut:
    """Record what a step did (or skip the wizard) and answer the new progress."""
    fields = changes.model_fields_set
    await _check_ids(session, access.workspace_id, changes)
    progress = await _load(session, access)
    if progress is None:
        progress = await _start(session, access, now)
    for name in ("agent_id", "provider_id", "run_id"):
        if name in fields:
            setattr(progress, name, getattr(changes, name))
    if "dismissed" in fields:
        progress.dismissed_at = now if changes.dismissed else None
    described = await _describe(session, access, progress)
    if described.current_step is None and progress.completed_at is None:
        progress.completed_at = described.completed_at = now
    await session.commit()
    return described


async def _start(
    session: AsyncSession, access: WorkspaceAccess, now: datetime
) -> OnboardingProgress:
    """A new progress row; when a concurrent request made it first, that one."""
    progress = OnboardingProgress(
        workspace_id=access.workspace_id, user_id=_user_id(access), created_at=now
    )
    try:
        async with session.begin_nested():
            session.add(progress)
    except IntegrityError:
        found = await _load(session, access)
        if found is None:
            raise
        return found
    return progress


async def _check_ids(session: AsyncSession, workspace_id: str, changes: OnboardingUpdate) -> None:
    """Each id the request names must be of this workspace: a 422 on its field if not."""
    field = ""
    try:
        if changes.agent_id is not None:
            field = "agent_id"
            await get_agent_for_workspace(
                session=session, workspace_id=workspace_id, agent_id=changes.agent_id
            )
        if changes.provider_id is not None:
            field = "provider_id"
            await get_provider_for_workspace(
                session=session, workspace_id=workspace_id, provider_id=changes.provider_id
            )
        if changes.run_id is not None:
            field = "run_id"
            await get_run_for_workspace(
                session=session, workspace_id=workspace_id, run_id=changes.run_id
            )
    except NotFound as missing:
        raise ValidationFailed(
            missing.detail,
            errors=[{"in": "body", "pointer": f"#/{field}", "message": missing.detail}],
        ) from None


async def _describe(
    session: AsyncSession, access: WorkspaceAccess, progress: OnboardingProgress | None
) -> OnboardingOut:
    has_provider = bool(
        await session.scalar(select(exists().where(Provider.workspace_id == access.workspace_id)))
    )
    done = {
        "agent": progress is not None and progress.agent_id is not None,
        "provider": has_provider,
        "run": progress is not None and progress.run_id is not None,
    }
    steps = [OnboardingStepOut(key=key, done=finished) for key, finished in done.items()]
    return OnboardingOut(
        steps=steps,
        current_step=next((step.key for step in steps if not step.done), None),
        agent_id=progress.agent_id if progress else None,
        provider_id=progress.provider_id if progress else None,
        run_id=progress.run_id if progress else None,
        dismissed=progress is not None and progress.dismissed_at is not None,
        started_at=progress.created_at if progress else None,
        completed_at=progress.completed_at if progress else None,
    )
