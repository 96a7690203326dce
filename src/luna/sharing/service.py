"""Share links of runs: create, list and revoke (members), and open one (anyone).

A link's token is a random secret shown once; only its SHA-256 is stored and looked up.
A link that does not exist, was revoked or has expired answers one and the same
NotFound, so a link's history cannot be probed. Runs are loaded through the runs
service's workspace-scoped loader, members' and public lookups alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from luna.agents.models import Agent
from luna.db.scoping import get_in_workspace
from luna.errors import Conflict, NotFound
from luna.identity.api_keys import Actor
from luna.identity.tokens import digest, new_secret
from luna.runs.models import FINISHED, Run, RunStep
from luna.runs.service import get_graph, get_run_for_workspace
from luna.sharing.models import RunShare

TOKEN_BYTES: Final = 32
# Tokens are 43 characters; anything much longer is no token and is not hashed.
MAX_TOKEN_LENGTH: Final = 100
# What the public routes answer with, found or not: nothing to cache, nothing to index.
PUBLIC_HEADERS: Final = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def share_link_missing() -> NotFound:
    """The one answer for a link that is unknown, revoked or expired."""
    return NotFound(
        "This link does not exist, was revoked or has expired.", headers=dict(PUBLIC_HEADERS)
    )


async def create_share(
    *,
    session: AsyncSession,
    workspace_id: str,
    run_id: str,
    expires_in_days: int | None,
    actor: Actor,
    now: datetime,
) -> tuple[RunShare, str]:
    """Create a public link to a finished run; the link and its token, which is never
    shown again. A run still going (or waiting for approvals) is refused with 409."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    if run.status not in FINISHED:
        raise Conflict("Only a finished run can be shared.", reason="run-not-finished")
    token = new_secret(TOKEN_BYTES)
    share = RunShare(
        workspace_id=workspace_id,
        run_id=run.id,
        created_by_user_id=actor.user_id,
        token_hash=digest(token),
        created_at=now,
        expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days),
    )
    session.add(share)
    await session.flush()
    actor.record(
        session,
        action="run.share_created",
        target_type="run_share",
        target_id=share.id,
        data={
            "run_id": run.id,
            "expires_at": None if share.expires_at is None else share.expires_at.isoformat(),
        },
    )
    await session.commit()
    return share, token


async def list_shares(*, session: AsyncSession, workspace_id: str, run_id: str) -> list[RunShare]:
    """The run's links, newest first, revoked and expired ones included."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    found = await session.scalars(
        select(RunShare)
        .where(RunShare.workspace_id == workspace_id, RunShare.run_id == run.id)
        .order_by(RunShare.id.desc())
    )
    return list(found)


async def revoke_share(
    *,
    session: AsyncSession,
    workspace_id: str,
    run_id: str,
    share_id: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Stop a link from working. Revoking a revoked link changes nothing."""
    run = await get_run_for_workspace(session=session, workspace_id=workspace_id, run_id=run_id)
    missing = NotFound(f"No share link {share_id} on this run.")
    share = await get_in_workspace(
        session, RunShare, workspace_id=workspace_id, object_id=share_id, missing=missing
    )
    if share.run_id != run.id:
        raise missing
    if share.revoked_at is not None:
        return
    share.revoked_at = now
    actor.record(
        session,
        action="run.share_revoked",
        target_type="run_share",
        target_id=share.id,
        data={"run_id": run.id},
    )
    await session.commit()


@dataclass(frozen=True)
class SharedRun:
    """What a working link opens: the link, its run and the run's agent's name."""

    share: RunShare
    run: Run
    agent_name: str


async def open_shared_run(
    *, session: AsyncSession, token: str, now: datetime, count_view: bool = False
) -> SharedRun:
    """The run a working link shows; the one NotFound for any other token. With
    ``count_view``, the link's view count and last view are updated."""
    share = await _working_share(session, token, now)
    run = await get_run_for_workspace(
        session=session, workspace_id=share.workspace_id, run_id=share.run_id
    )
    agent_name = await session.scalar(
        select(Agent.name).where(Agent.workspace_id == run.workspace_id, Agent.id == run.agent_id)
    )
    if count_view:
        await session.execute(
            update(RunShare)
            .where(RunShare.id == share.id)
            .values(view_count=RunShare.view_count + 1, last_viewed_at=now)
        )
        await session.commit()
    return SharedRun(share=share, run=run, agent_name=agent_name or "An agent")


async def open_shared_graph(
    *, session: AsyncSession, token: str, now: datetime
) -> tuple[SharedRun, list[RunStep], list[tuple[str, str, str]]]:
    """The shared run with its steps and their causal edges (as members see them)."""
    shared = await open_shared_run(session=session, token=token, now=now, count_view=True)
    _, steps, edges = await get_graph(
        session=session, workspace_id=shared.share.workspace_id, run_id=shared.run.id
    )
    return shared, steps, edges


async def _working_share(session: AsyncSession, token: str, now: datetime) -> RunShare:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise share_link_missing()
    share = await session.scalar(
        select(RunShare).where(
            RunShare.token_hash == digest(token),
            RunShare.revoked_at.is_(None),
            or_(RunShare.expires_at.is_(None), RunShare.expires_at > now),
        )
    )
    if share is None:
        raise share_link_missing()
    return share
