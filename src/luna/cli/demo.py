"""``luna demo``: a demo workspace that shows Luna at work without any model provider."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.cli.db import in_session, prepare_database
from luna.cli.output import console, fail, settings_or_exit
from luna.errors import NotFound
from luna.observability.logging import configure_logging
from luna.settings import Settings

app = typer.Typer(help="Seed or remove the demo workspace.", no_args_is_help=True)

DEMO_EMAIL = "demo@example.com"
DEMO_NAME = "Demo Presenter"

EmailOption = Annotated[
    str | None,
    typer.Option(
        help=f"Put the demo workspace in this person's own team (default: the {DEMO_EMAIL} "
        "demo account, created if missing).",
        show_default=False,
    ),
]


async def _owned_team(session: AsyncSession, email: str) -> tuple[str, str]:
    """The (user id, team id) of the first team this person owns."""
    from luna.identity.models import User
    from luna.identity.service import normalise_email
    from luna.tenancy.models import Membership

    user_id = await session.scalar(select(User.id).where(User.email == normalise_email(email)))
    if user_id is None:
        raise NotFound(f"No account with the email {email}.")
    team_id = await session.scalar(
        select(Membership.team_id)
        .where(Membership.user_id == user_id, Membership.role == "owner")
        .order_by(Membership.team_id)
    )
    if team_id is None:
        raise NotFound(f"{email} owns no team.")
    return user_id, team_id


async def _demo_account(session: AsyncSession, settings: Settings) -> str | None:
    """Create the demo account unless it exists; its new password, or None if it existed."""
    from luna.db.base import utcnow
    from luna.identity.models import User
    from luna.identity.service import sign_up

    if await session.scalar(select(User.id).where(User.email == DEMO_EMAIL)):
        return None
    password = secrets.token_urlsafe(18)
    user = await sign_up(
        session=session,
        email=DEMO_EMAIL,
        password=password,
        display_name=DEMO_NAME,
        settings=settings,
        now=utcnow(),
    )
    user.email_verified_at = utcnow()
    await session.commit()
    return password


@app.command("seed")
def seed(email: EmailOption = None) -> None:
    """Create the demo workspace (sample agents, four weeks of usage, recorded runs that
    replay with no provider); an existing one is kept as it is."""
    from luna.agents.catalog import load_catalog
    from luna.db.base import utcnow
    from luna.demo.service import seed_demo
    from luna.tenancy.models import Workspace

    settings = settings_or_exit()
    configure_logging(settings)
    prepare_database(settings, migrate=None)

    async def work(session: AsyncSession) -> tuple[str, bool, str | None]:
        password = None if email else await _demo_account(session, settings)
        user_id, team_id = await _owned_team(session, email or DEMO_EMAIL)
        if password is not None:
            # The new demo account's own (empty) workspace would be where it lands on
            # sign-in: the demo is the only one it has.
            await session.execute(delete(Workspace).where(Workspace.team_id == team_id))
        seeded = await seed_demo(
            session=session, catalog=load_catalog(), team_id=team_id, user_id=user_id, now=utcnow()
        )
        return seeded.workspace.id, seeded.created, password

    workspace_id, created, password = in_session(settings, work)
    verb = "Created" if created else "Kept the existing"
    console.print(f"{verb} demo workspace {workspace_id}.")
    console.print(f"Open {escape(settings.public_link(f'/app/w/{workspace_id}'))}")
    if password:
        console.print(f"Sign in as {DEMO_EMAIL} with the password {escape(password)}")
        console.print("(shown only now; `luna demo reset` removes the account)")


@app.command("reset")
def reset(email: EmailOption = None) -> None:
    """Remove the demo workspace; without --email, the demo account goes with it."""
    from luna.demo.service import remove_demo
    from luna.identity.models import User
    from luna.tenancy.models import Team

    settings = settings_or_exit()
    configure_logging(settings)

    async def work(session: AsyncSession) -> bool:
        user_id, team_id = await _owned_team(session, email or DEMO_EMAIL)
        removed = await remove_demo(session=session, team_id=team_id, user_id=user_id)
        if email is None:
            await session.execute(delete(Team).where(Team.id == team_id))
            await session.execute(delete(User).where(User.id == user_id))
            await session.commit()
        return removed or email is None

    if not in_session(settings, work):
        fail(f"{escape(email or DEMO_EMAIL)}'s team has no demo workspace.")
    console.print("Removed the demo workspace." if email else f"Removed {DEMO_EMAIL} and its demo.")
