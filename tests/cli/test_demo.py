"""``luna demo seed|reset`` against a real database."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select
from typer.testing import CliRunner

from luna.cli.main import app as cli
from luna.cli.output import ExitCode
from luna.db.engine import create_engine, create_session_factory
from luna.identity.models import User
from luna.identity.passwords import verify_password
from luna.runs.models import Run
from luna.settings import Settings
from luna.tenancy.models import Workspace

runner = CliRunner()


def stored(settings: Settings) -> tuple[User | None, list[Workspace], int]:
    """The demo account, the demo workspaces and the number of runs."""

    async def read() -> tuple[User | None, list[Workspace], int]:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session:
                user = await session.scalar(select(User).where(User.email == "demo@example.com"))
                demos = list(await session.scalars(select(Workspace).where(Workspace.demo)))
                runs = await session.scalar(select(func.count()).select_from(Run))
                return user, demos, int(runs or 0)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def workspaces_of_team(settings: Settings, team_id: str) -> list[str]:
    async def read() -> list[str]:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session:
                found = await session.scalars(
                    select(Workspace.id).where(Workspace.team_id == team_id)
                )
                return list(found)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_seed_makes_a_demo_account_and_workspace_and_reset_removes_them(
    database: Settings,
) -> None:
    seeded = runner.invoke(cli, ["demo", "seed"])

    assert seeded.exit_code == 0, seeded.output
    password = re.search(r"with the password (\S+)", seeded.output)
    assert password, seeded.output
    user, demos, runs = stored(database)
    assert user is not None and user.email_verified_at is not None
    assert verify_password(password.group(1), user.password_hash)[0]
    assert len(demos) == 1 and demos[0].id in seeded.output
    assert runs > 50
    # Signed in, the account lands on its only workspace: the demo, not an empty one.
    assert workspaces_of_team(database, demos[0].team_id) == [demos[0].id]

    again = runner.invoke(cli, ["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "Kept the existing demo workspace" in again.output
    assert "password" not in again.output
    assert stored(database)[2] == runs

    reset = runner.invoke(cli, ["demo", "reset"])
    assert reset.exit_code == 0, reset.output
    assert stored(database) == (None, [], 0)

    missing = runner.invoke(cli, ["demo", "reset"])
    assert missing.exit_code == ExitCode.USAGE
    assert "No account with the email demo@example.com" in missing.output


def test_seed_for_an_unknown_person_says_so(database: Settings) -> None:
    result = runner.invoke(cli, ["demo", "seed", "--email", "nobody@example.com"])

    assert result.exit_code == ExitCode.USAGE
    assert "No account with the email nobody@example.com" in result.output
    assert stored(database) == (None, [], 0)
