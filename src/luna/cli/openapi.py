"""``luna openapi``: the OpenAPI document the web app's client and the SDKs are generated from."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from luna.cli.output import console, settings_or_exit
from luna.settings import Settings

app = typer.Typer(
    help="Export the OpenAPI document of Luna's HTTP API.",
    no_args_is_help=True,
)


@app.callback()
def openapi() -> None:
    """The OpenAPI document: the contract the web app's client and the SDKs follow."""


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI document of the application built from ``settings``."""
    from luna.app import create_app

    document: dict[str, Any] = create_app(settings).openapi()
    return document


def document_text(document: dict[str, Any]) -> str:
    """The document as stable, reviewable text: indented, keys sorted, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@app.command("export")
def export(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (e.g. web/openapi.json); standard output if unset.",
        ),
    ] = None,
) -> None:
    """Write the OpenAPI document as JSON with sorted keys."""
    # A throwaway key: the document does not depend on it, and exporting must not create
    # a secret in the data directory as a side effect.
    settings = settings_or_exit(secret_key=secrets.token_urlsafe(48))
    text = document_text(openapi_document(settings))
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote {output}")


if __name__ == "__main__":
    app()
