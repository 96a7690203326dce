"""Console output, exit codes and error reporting shared by every ``luna`` command."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from enum import IntEnum
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from luna.errors import LunaError
from luna.settings import Settings, SettingsError, load_settings

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")


class ExitCode(IntEnum):
    """Exit codes scripts can rely on; documented in docs/operations.md."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    INVALID_CONFIG = 3
    DATABASE_NOT_READY = 4


def fail(message: str, code: ExitCode = ExitCode.FAILURE) -> NoReturn:
    """Print an error to standard error and exit."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(int(code))


def settings_or_exit(**overrides: object) -> Settings:
    """Load the settings, or print every bad variable and exit with INVALID_CONFIG."""
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        table = Table(title="Invalid configuration", title_style="bold red", show_lines=False)
        table.add_column("variable", style="bold")
        table.add_column("problem")
        for name, reason in exc.problems:
            table.add_row(name, reason)
        errors.print(table)
        errors.print("Fix the variables above (environment or .env) and try again.")
        raise typer.Exit(int(ExitCode.INVALID_CONFIG)) from None


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, turning Luna errors into readable exits."""
    try:
        return asyncio.run(coroutine)
    except LunaError as exc:
        fail(exc.detail)


def counted(count: int, noun: str) -> str:
    """``1 model``, ``3 models``: a count with its noun, singular for one."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
