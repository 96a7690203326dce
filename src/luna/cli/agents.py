"""``luna agents``: browse the built-in agent catalog and scaffold new personas."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from luna.agents.catalog import (
    Catalog,
    CatalogAgent,
    CatalogError,
    Category,
    MinimumPlan,
    Plan,
    load_catalog,
)
from luna.agents.scaffold import DEFAULT_TESTS_DIRECTORY, scaffold_persona
from luna.cli.output import ExitCode, console, fail
from luna.errors import LunaError

app = typer.Typer(
    help="Browse the built-in agent catalog and scaffold new personas.", no_args_is_help=True
)

MARKDOWN_COLUMNS = ("slug", "name", "category", "plan", "artifact", "summary")


def catalog_markdown_table(agents: Iterable[CatalogAgent]) -> str:
    """The catalog as the Markdown table of docs/catalog.md."""
    lines = [
        "| " + " | ".join(MARKDOWN_COLUMNS) + " |",
        "|" + " --- |" * len(MARKDOWN_COLUMNS),
    ]
    for agent in agents:
        cells = (
            f"`{agent.slug}`",
            agent.name,
            agent.category,
            agent.plan,
            f"`{agent.artifact.name}`",
            agent.summary,
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def _catalog_or_exit() -> Catalog:
    try:
        return load_catalog()
    except CatalogError as exc:
        fail(exc.detail)


@app.command("list")
def list_agents(
    category: Annotated[Category | None, typer.Option(help="Only this category.")] = None,
    plan: Annotated[Plan | None, typer.Option(help="Only agents available on this plan.")] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the Markdown table of docs/catalog.md.")
    ] = False,
) -> None:
    """List the catalog's agents."""
    agents = _catalog_or_exit().search(category=category, plan=plan)
    if markdown:
        console.print(catalog_markdown_table(agents), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=f"Agent catalog ({len(agents)} agents)")
    for column in ("slug", "name", "category", "plan", "artifact", "tools"):
        table.add_column(column, style="bold" if column == "slug" else None)
    for agent in agents:
        table.add_row(
            agent.slug,
            agent.name,
            agent.category,
            agent.plan,
            agent.artifact.name,
            ", ".join(agent.tools) or "-",
        )
    console.print(table)


@app.command("scaffold")
def scaffold(
    slug: Annotated[str, typer.Argument(help="Lower-case kebab-case id, e.g. contract-review.")],
    name: Annotated[str, typer.Option(help="The agent's display name.")],
    category: Annotated[Category, typer.Option(help="The catalog category.")],
    plan: Annotated[
        MinimumPlan, typer.Option(help="The cheapest plan that includes the agent.")
    ] = "growth",
    directory: Annotated[
        Path | None,
        typer.Option(help="Where to write <slug>.yaml [default: the built-in catalog]."),
    ] = None,
    tests_directory: Annotated[
        Path, typer.Option(help="Where to write the persona's test.")
    ] = DEFAULT_TESTS_DIRECTORY,
) -> None:
    """Write a new persona skeleton that validates, and a test that checks it."""
    try:
        written = scaffold_persona(
            slug=slug,
            name=name,
            category=category,
            plan=plan,
            directory=directory,
            tests_directory=tests_directory,
        )
    except LunaError as exc:
        fail(exc.detail, ExitCode.USAGE)
    console.print(f"[green]Created[/] {escape(str(written.persona_file))}", highlight=False)
    console.print(f"[green]Created[/] {escape(str(written.test_file))}", highlight=False)
    console.print(
        "Replace each guiding sentence in the persona, then run "
        f"`uv run pytest {written.test_file}`.",
        highlight=False,
        markup=False,
    )
