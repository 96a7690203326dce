"""``luna maintenance``: turn maintenance mode on or off for every replica, or show it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.markup import escape

from luna.cli.db import in_session
from luna.cli.output import console, settings_or_exit
from luna.db.base import utcnow
from luna.observability.logging import configure_logging

if TYPE_CHECKING:
    from luna.security.maintenance import MaintenanceState

# The commands import luna.security.maintenance when they run: it pulls in the web
# framework, which every other `luna` command would otherwise pay for at start-up.

app = typer.Typer(
    help="Turn maintenance mode on or off for every replica, or show it.", no_args_is_help=True
)

T = TypeVar("T")


def _print_state(state: MaintenanceState) -> None:
    since = f" since {state.since:%Y-%m-%d %H:%M:%S} UTC" if state.since else ""
    if state.enabled:
        console.print(f"Maintenance mode: [bold yellow]on[/]{since}")
        console.print(f"Message: {escape(state.message)}")
    else:
        console.print(f"Maintenance mode: [bold green]off[/]{since}")


@app.command("on")
def turn_on(
    message: Annotated[
        str | None,
        typer.Option("--message", "-m", help="What users are told (a default otherwise)."),
    ] = None,
) -> None:
    """Answer every request with 503 until `luna maintenance off` (probes keep working)."""
    from luna.security.maintenance import (
        BYPASS_HEADER,
        DEFAULT_REFRESH_SECONDS,
        maintenance_bypass_token,
        set_maintenance,
    )

    settings = settings_or_exit()
    configure_logging(settings)
    state = in_session(
        settings,
        lambda session: set_maintenance(session, enabled=True, message=message, now=utcnow()),
    )
    _print_state(state)
    console.print(
        f"Every replica follows within {DEFAULT_REFRESH_SECONDS:g} seconds. "
        "To reach the service meanwhile, send this header:"
    )
    header = f"  {BYPASS_HEADER}: {maintenance_bypass_token(settings)}"
    console.print(header, highlight=False, soft_wrap=True)  # one line, to copy whole


@app.command("off")
def turn_off() -> None:
    """Serve requests again."""
    from luna.security.maintenance import DEFAULT_REFRESH_SECONDS, set_maintenance

    settings = settings_or_exit()
    configure_logging(settings)
    state = in_session(
        settings,
        lambda session: set_maintenance(session, enabled=False, message=None, now=utcnow()),
    )
    _print_state(state)
    console.print(f"Every replica follows within {DEFAULT_REFRESH_SECONDS:g} seconds.")


@app.command("status")
def status() -> None:
    """Show whether maintenance mode is on, since when, and its message."""
    from luna.security.maintenance import get_maintenance

    settings = settings_or_exit()
    _print_state(in_session(settings, get_maintenance))
