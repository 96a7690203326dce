"""The check every start of a run makes: the workspace's kill switch is not engaged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import LunaError
from luna.tenancy.models import Workspace


class RunsHalted(LunaError):
    """The workspace's kill switch is engaged: no run starts until an admin lifts it."""

    code = "runs-halted"
    status = 409
    title = "Runs Halted"


async def check_runs_allowed(session: AsyncSession, workspace_id: str) -> None:
    """Refuse with 409 ``runs-halted`` while the workspace's kill switch is engaged."""
    found = (
        await session.execute(
            select(Workspace.runs_halted_at, Workspace.runs_halted_reason).where(
                Workspace.id == workspace_id
            )
        )
    ).first()
    if found is None or found.runs_halted_at is None:
        return
    since = found.runs_halted_at.strftime("%Y-%m-%d %H:%M UTC")
    because = f": {found.runs_halted_reason}" if found.runs_halted_reason else ""
    raise RunsHalted(
        f"The workspace's kill switch has been engaged since {since}{because}. No run "
        "starts until an admin lifts it.",
        halted_at=found.runs_halted_at.isoformat(),
        reason=found.runs_halted_reason or "",
    )
