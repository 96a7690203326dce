"""The ``luna`` command: serve, worker, db, env, agents, maintenance, secrets, openapi,
plans, demo."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from luna import __version__
from luna.cli import (
    agents,
    chains,
    db,
    demo,
    env,
    maintenance,
    openapi,
    plans,
    providers,
    secrets,
)
from luna.cli.output import ExitCode, console, fail, settings_or_exit
from luna.observability.logging import configure_logging, get_logger

log = get_logger("luna.cli")

app = typer.Typer(
    name="luna",
    help="Luna: build, run, watch and sell AI agents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(env.app, name="env")
app.add_typer(agents.app, name="agents")
app.add_typer(chains.app, name="chains")
app.add_typer(providers.app, name="providers")
app.add_typer(openapi.app, name="openapi")
app.add_typer(maintenance.app, name="maintenance")
app.add_typer(secrets.app, name="secrets")
app.add_typer(plans.app, name="plans")
app.add_typer(demo.app, name="demo")


def _show_version(value: bool) -> None:
    if value:
        console.print(f"luna {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Luna's command line."""


@app.command("version")
def version() -> None:
    """Print Luna's version."""
    console.print(f"luna {__version__}")


@app.command(
    "serve",
    help="Run the API and the web app (http://127.0.0.1:8000 by default).\n\n"
    "Outside production, browser writes are accepted from the address it listens on "
    "(under any loopback name); behind a proxy or under another name, set LUNA_PUBLIC_URL "
    "to the address users reach Luna at.",
)
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [LUNA_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [LUNA_PORT].")] = None,
    workers: Annotated[
        int | None, typer.Option(help="API processes [LUNA_WEB_CONCURRENCY].", min=1)
    ] = None,
    migrate: Annotated[
        bool | None,
        typer.Option(help="Apply migrations first [default: on for SQLite, off otherwise]."),
    ] = None,
) -> None:
    """Run the API and the web app."""
    # The options win over the environment, for this process and the API processes it
    # starts (which read the environment), so the default public URL follows them.
    listen = {"LUNA_HOST": host, "LUNA_PORT": None if port is None else str(port)}
    os.environ.update({name: value for name, value in listen.items() if value is not None})
    settings = settings_or_exit()  # before the application's imports: bad settings fail fast
    configure_logging(settings)
    import uvicorn

    from luna.app import create_app
    from luna.security.server import GuardedHttpToolsProtocol

    db.prepare_database(settings, migrate)
    processes = workers or settings.web_concurrency
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,  # the request middleware writes one access line per request
        "server_header": False,
        "http": GuardedHttpToolsProtocol,  # header deadline and size limit (slowloris)
        "timeout_keep_alive": 5,
        "timeout_graceful_shutdown": int(settings.shutdown_grace_seconds),
    }
    if processes > 1:
        uvicorn.run(
            "luna.app:create_app_from_environment", factory=True, workers=processes, **options
        )
    else:
        uvicorn.run(create_app(settings), **options)


@app.command("worker")
def worker() -> None:
    """Run a background worker process (durable runs, schedules) until stopped."""
    from luna.errors import ServiceUnavailable
    from luna.worker import run_worker

    settings = settings_or_exit()
    configure_logging(settings)
    try:
        run_worker(settings)
    except ServiceUnavailable as exc:
        fail(f"worker cannot start: {exc.detail}", ExitCode.DATABASE_NOT_READY)
