"""``luna db``: migrate, inspect and author the database schema."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from luna import models as registry
from luna.cli.output import ExitCode, console, fail, run_async, settings_or_exit
from luna.db import migrations
from luna.errors import NotFound
from luna.observability.logging import configure_logging, get_logger
from luna.resources import Resources, open_resources
from luna.security.crypto import Keyring, keyring_for
from luna.settings import Settings

app = typer.Typer(help="Migrate, inspect and author the database schema.", no_args_is_help=True)

T = TypeVar("T")


def with_resources(
    settings: Settings, work: Callable[[Resources], Awaitable[T]], *, keyring: Keyring | None = None
) -> T:
    """Run work with the process's resources, as ``luna serve`` builds them, reporting
    connection failures and unusable keys readably."""

    keys = keyring or keyring_or_exit(settings)

    async def run() -> T:
        async with open_resources(settings, keyring=keys) as resources:
            return await work(resources)

    try:
        return run_async(run())
    except (SQLAlchemyError, OSError) as exc:
        fail(
            f"database {settings.database.render_as_string()} failed: {exc}",
            ExitCode.DATABASE_NOT_READY,
        )


def keyring_or_exit(settings: Settings) -> Keyring:
    """The keys that seal secrets at rest, or a readable exit when they are not usable."""
    try:
        return keyring_for(settings)
    except ValueError as exc:
        fail(f"the encryption keys are not usable: {exc}", ExitCode.INVALID_CONFIG)


def with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run database work on the process's engine (see :func:`with_resources`)."""
    return with_resources(settings, lambda resources: work(resources.engine))


def prepare_database(settings: Settings, migrate: bool | None) -> None:
    """Migrate when asked (or by default on SQLite); otherwise refuse a stale schema."""
    if settings.should_migrate_on_start if migrate is None else migrate:
        with_engine(settings, lambda engine: migrations.upgrade(engine, settings))
        get_logger("luna.cli").info(
            "database migrated", revision=sorted(migrations.head_revisions(settings))
        )
        return
    current = with_engine(settings, migrations.current_revisions)
    if current != migrations.head_revisions(settings):
        fail(
            "the database is not migrated; run `luna db migrate` first",
            ExitCode.DATABASE_NOT_READY,
        )


def in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in a session on the configured database; NotFound exits with USAGE."""

    async def run(resources: Resources) -> T:
        async with resources.open_session() as session:
            try:
                return await work(session)
            except NotFound as exc:
                fail(exc.detail, ExitCode.USAGE)

    return with_resources(settings, run)


@app.command("migrate")
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply pending migrations (to the latest revision by default)."""
    settings = settings_or_exit()
    configure_logging(settings)
    with console.status("Applying migrations..."):
        with_engine(settings, lambda engine: migrations.upgrade(engine, settings, revision))
    current = with_engine(settings, migrations.current_revisions)
    console.print(f"[green]Database at revision {', '.join(sorted(current)) or 'base'}[/]")


@app.command("downgrade")
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base' for none.")],
) -> None:
    """Revert migrations down to a revision."""
    settings = settings_or_exit()
    configure_logging(settings)
    with_engine(settings, lambda engine: migrations.downgrade(engine, settings, revision))
    current = with_engine(settings, migrations.current_revisions)
    console.print(f"Database at revision {', '.join(sorted(current)) or 'base'}")


@app.command("current")
def current() -> None:
    """Show the database's revision and the code's; exit 4 when they differ."""
    settings = settings_or_exit()
    at = with_engine(settings, migrations.current_revisions)
    expected = migrations.head_revisions(settings)
    console.print(f"database: {', '.join(sorted(at)) or 'base (empty)'}")
    console.print(f"code:     {', '.join(sorted(expected))}")
    if at != expected:
        fail(
            "the database is not at the code's revision; run `luna db migrate`",
            ExitCode.DATABASE_NOT_READY,
        )


@app.command("check")
def check() -> None:
    """Fail when the models and the migrations disagree (run on a migrated database)."""
    settings = settings_or_exit()
    differences = with_engine(settings, _migrate_then_compare(settings))
    if differences:
        for difference in differences:
            console.print(f"  {difference}")
        fail("models and migrations have drifted; write a migration with `luna db revision`")
    console.print("[green]Models and migrations agree.[/]")


def _migrate_then_compare(settings: Settings) -> Callable[[AsyncEngine], Awaitable[list[object]]]:
    async def work(engine: AsyncEngine) -> list[object]:
        await migrations.upgrade(engine, settings)
        return await migrations.schema_drift(engine, registry.Base.metadata)

    return work


@app.command("revision")
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
    autogenerate: Annotated[
        bool, typer.Option(help="Compare the models with the migrated database.")
    ] = True,
) -> None:
    """Write a new migration script into migrations/versions."""
    settings = settings_or_exit()
    configure_logging(settings)

    async def work(engine: AsyncEngine) -> None:
        if autogenerate:
            await migrations.upgrade(engine, settings)
        await migrations.make_revision(engine, settings, message, autogenerate=autogenerate)

    with_engine(settings, work)
    console.print("[green]Migration written; review it before committing.[/]")
