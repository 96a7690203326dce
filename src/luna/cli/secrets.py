"""``luna secrets``: make encryption keys and re-encrypt stored secrets under the current one."""

from __future__ import annotations

import base64
import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from luna import models as registry
from luna.cli.db import keyring_or_exit, with_resources
from luna.cli.output import console, fail, settings_or_exit
from luna.observability.logging import configure_logging
from luna.resources import Resources
from luna.security.crypto import Keyring, generate_key, key_id_for
from luna.security.encrypted_columns import (
    DEFAULT_BATCH_SIZE,
    RotationProgress,
    RotationReport,
    encrypted_columns,
    rotate_all,
)
from luna.settings import Settings

app = typer.Typer(
    help="Make encryption keys and re-encrypt stored secrets under the current one.",
    no_args_is_help=True,
)


@app.command("generate-key")
def generate_key_command() -> None:
    """Print a new random encryption key, its id, and how to put it into service."""
    key = generate_key()
    key_id = key_id_for(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))
    entry = json.dumps({key_id: key})
    console.print("[bold]New encryption key[/] (shown once: keep it in your secret store)")
    console.print(f"  id:  {key_id}", highlight=False, soft_wrap=True)
    console.print(f"  key: {key}", highlight=False, soft_wrap=True)
    console.print(
        "1. Add it to LUNA_ENCRYPTION_KEYS on every replica, next to the keys already there:"
    )
    console.print(
        f"     LUNA_ENCRYPTION_KEYS='{entry}'", highlight=False, markup=False, soft_wrap=True
    )
    console.print(f"2. Make it the current key: LUNA_ENCRYPTION_KEY_CURRENT={key_id}")
    console.print("3. Once every replica runs with it, re-encrypt stored secrets:")
    console.print("     luna secrets rotate", markup=False)
    console.print(
        "Keep the old keys until `luna secrets rotate --dry-run` has nothing left to rotate."
    )


@app.command("rotate")
def rotate(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be re-encrypted; write nothing.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Rows re-encrypted and committed together.")
    ] = DEFAULT_BATCH_SIZE,
) -> None:
    """Re-encrypt every stored secret not yet under the current key (safe to re-run)."""
    settings = settings_or_exit()
    configure_logging(settings)
    keyring = keyring_or_exit(settings)
    console.print(f"Current key: {keyring.current} (keys: {', '.join(sorted(keyring.key_ids))})")
    report = _rotate_with_progress(settings, keyring, dry_run=dry_run, batch_size=batch_size)
    _print_report(report, keyring)
    if report.unreadable:
        fail(
            f"{report.unreadable} stored secret(s) could not be decrypted and were left as "
            "they are; restore the key they were sealed with, or have their owners set "
            "them again"
        )


def _rotate_with_progress(
    settings: Settings, keyring: Keyring, *, dry_run: bool, batch_size: int
) -> RotationReport:
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def show(step: RotationProgress) -> None:
            if step.column not in tasks:
                tasks[step.column] = bar.add_task(step.column, total=step.total)
            bar.update(tasks[step.column], completed=step.done, total=step.total)

        async def work(resources: Resources) -> RotationReport:
            async with resources.open_session() as session:
                return await rotate_all(
                    session,
                    keyring,
                    batch_size=batch_size,
                    progress=show,
                    dry_run=dry_run,
                    columns=encrypted_columns(registry.Base.metadata),
                )

        return with_resources(settings, work, keyring=keyring)


def _print_report(report: RotationReport, keyring: Keyring) -> None:
    verb = "to re-encrypt" if report.dry_run else "re-encrypted"
    for column in report.columns:
        console.print(
            f"{column.column}: {column.rotated} {verb}, {column.already_current} already "
            f"current, {column.changed_meanwhile} changed meanwhile, "
            f"{len(column.unreadable)} unreadable",
            highlight=False,
        )
        for value in column.unreadable:
            console.print(f"  row {escape(value.row_id)}: {escape(value.reason)}", highlight=False)
    if any(column.changed_meanwhile for column in report.columns):
        console.print("(Changed meanwhile: rewritten by the service during the run; left as is.)")
    if report.dry_run:
        console.print(
            f"Dry run: {report.rotated} secret(s) would be re-encrypted under key "
            f"{keyring.current}; nothing was written."
        )
    else:
        console.print(f"{report.rotated} secret(s) re-encrypted under key {keyring.current}.")
