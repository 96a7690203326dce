"""``luna env``: validate the environment and document it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.table import Table

from luna.cli.output import console, settings_or_exit
from luna.settings import SECRET_FILE_NAME, Settings, variable_name

app = typer.Typer(help="Validate and document Luna's environment variables.", no_args_is_help=True)

MASK = "********"


def display_value(settings: Settings, name: str) -> str:
    """A setting's value as safe to show: secrets masked, URL passwords hidden."""
    value = getattr(settings, name)
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        return MASK
    if name == "database_url":
        return settings.database.render_as_string(hide_password=True)
    return str(value)


def is_generated_secret(settings: Settings) -> bool:
    """Whether the secret key in use is the one generated in the data directory."""
    path = settings.data_dir / SECRET_FILE_NAME
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    return path.is_file() and path.read_text().strip() == key


@app.command("check")
def check() -> None:
    """Validate every LUNA_* variable and print the resulting settings, secrets masked."""
    settings = settings_or_exit()
    table = Table(title="Luna settings")
    table.add_column("variable", style="bold")
    table.add_column("value")
    table.add_column("source")
    for name in Settings.model_fields:
        source = "environment" if name in settings.model_fields_set else "default"
        if name == "secret_key" and is_generated_secret(settings):
            source = f"generated ({settings.data_dir / SECRET_FILE_NAME})"
        table.add_row(variable_name(name), display_value(settings, name), source)
    console.print(table)
    console.print(f"database in use: {settings.database.render_as_string(hide_password=True)}")
    console.print("[green]Configuration is valid.[/]")


def example_text() -> str:
    """The text of ``.env.example``: every variable with its description and default."""
    lines = [
        "# Luna configuration. Copy to .env and uncomment what you change.",
        "# Every variable is optional in development; see docs/operations.md.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = (
            ""
            if default is None
            else str(default).lower()
            if isinstance(default, bool)
            else str(default)
        )
        lines.append(f"# {field.description}")
        lines.append(f"# {variable_name(name)}={shown}")
        lines.append("")
    return "\n".join(lines)


@app.command("example")
def example(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write, or '-' for standard output.")
    ] = Path(".env.example"),
) -> None:
    """Write .env.example from the settings class."""
    text = example_text()
    if str(output) == "-":
        console.print(text, markup=False, highlight=False, soft_wrap=True)
        return
    output.write_text(text)
    console.print(f"Wrote {output}")
