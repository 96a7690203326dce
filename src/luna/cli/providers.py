"""``luna providers``: list a workspace's model providers and check that one answers.

Exit codes: 0 success; 1 the checked provider failed (its error is printed); 2 no such
workspace or provider; 3 invalid configuration; 4 the database cannot be reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from luna.cli.db import in_session, keyring_or_exit
from luna.cli.output import ExitCode, console, counted, fail, settings_or_exit
from luna.errors import NotFound
from luna.observability.logging import configure_logging
from luna.settings import Settings

if TYPE_CHECKING:
    from luna.providers.build import ProviderProbe
    from luna.providers.models import Provider
    from luna.security.crypto import Keyring

# The commands import the providers domain when they run: it pulls in the model SDKs,
# which every other `luna` command would otherwise pay for at start-up.

app = typer.Typer(
    help="List a workspace's model providers and check that one answers.", no_args_is_help=True
)

T = TypeVar("T")
WorkspaceOption = Annotated[
    str, typer.Option("--workspace", "-w", help="The workspace's id (ws_...).", show_default=False)
]
CLI_USER_AGENT = "luna-cli"


@app.command("list")
def list_providers(workspace: WorkspaceOption) -> None:
    """List the workspace's providers: kind, base URL, default model, key and last check."""
    settings, keyring = _prepare()
    rows = in_session(settings, lambda session: _load_providers(session, keyring, workspace))
    table = Table(title=f"Providers of {escape(workspace)} ({len(rows)})")
    for column in ("id", "name", "kind", "base URL", "default model", "key", "last check"):
        table.add_column(column, style="bold" if column == "id" else None)
    for provider, hint in rows:
        table.add_row(
            provider.id + (" (default)" if provider.is_default else ""),
            escape(provider.name),
            provider.kind,
            escape(provider.base_url or "(public API)"),
            escape(provider.default_model or "-"),
            _key_cell(provider, hint),
            _last_check_cell(provider),
        )
    console.print(table)


@app.command("check")
def check_provider(
    provider_id: Annotated[str, typer.Argument(help="The provider's id (prv_...).")],
    workspace: WorkspaceOption,
) -> None:
    """Ask the provider for its models with the stored key; exit 1 if it fails."""
    settings, keyring = _prepare()
    private = settings.providers_private_networks_allowed
    check = in_session(
        settings, lambda session: _check(session, keyring, workspace, provider_id, private)
    )
    if check.failure is not None:
        fail(
            f"{escape(check.failure.code)}: {escape(check.failure.message)} "
            f"(after {check.latency_ms:g} ms)",
            ExitCode.FAILURE,
        )
    console.print(
        f"[green]ok[/] in {check.latency_ms:g} ms, {counted(len(check.models), 'model')}:"
    )
    for name in check.models:
        console.print(f"  {escape(name)}", highlight=False)


def _prepare() -> tuple[Settings, Keyring]:
    settings = settings_or_exit()
    configure_logging(settings)
    return settings, keyring_or_exit(settings)


async def _workspace_team(session: AsyncSession, workspace_id: str) -> str:
    from luna.tenancy.models import Workspace

    workspace = await session.get(Workspace, workspace_id) if len(workspace_id) <= 40 else None
    if workspace is None:
        raise NotFound(f"No workspace {workspace_id}.")
    return workspace.team_id


async def _load_providers(
    session: AsyncSession, keyring: Keyring, workspace_id: str
) -> list[tuple[Provider, str | None]]:
    from luna.db.pagination import MAX_LIMIT, PageRequest
    from luna.providers import service

    await _workspace_team(session, workspace_id)
    rows: list[tuple[Provider, str | None]] = []
    cursor: str | None = None
    while True:
        found = await service.list_providers(
            session=session,
            workspace_id=workspace_id,
            sort="name",
            page=PageRequest(limit=MAX_LIMIT, cursor=cursor),
        )
        rows += [(provider, service.api_key_hint(keyring, provider)) for (provider,) in found.rows]
        if found.next_cursor is None:
            return rows
        cursor = found.next_cursor


async def _check(
    session: AsyncSession,
    keyring: Keyring,
    workspace_id: str,
    provider_id: str,
    allow_private_networks: bool,
) -> ProviderProbe:
    from luna.db.base import utcnow
    from luna.identity.api_keys import Actor
    from luna.providers import service
    from luna.tenancy.audit import RequestOrigin

    team_id = await _workspace_team(session, workspace_id)
    actor = Actor(
        team_id=team_id,
        user_id=None,
        api_key_id=None,
        origin=RequestOrigin(user_agent=CLI_USER_AGENT),
    )
    return await service.check_provider(
        session=session,
        keyring=keyring,
        workspace_id=workspace_id,
        provider_id=provider_id,
        actor=actor,
        now=utcnow(),
        allow_private_networks=allow_private_networks,
    )


def _key_cell(provider: Provider, hint: str | None) -> str:
    if provider.api_key_encrypted is None:
        return "-"
    return f"...{escape(hint)}" if hint else "set"


def _last_check_cell(provider: Provider) -> str:
    if provider.last_checked_at is None:
        return "never"
    when = f"{provider.last_checked_at:%Y-%m-%d %H:%M} UTC"
    if provider.last_check_ok:
        return f"[green]ok[/] {provider.last_check_latency_ms or 0:g} ms, {when}"
    return f"[red]failed[/] {when}: {escape(provider.last_check_error or '')}"
