"""``luna plans``: the price list and its entitlements, as the operator edits them."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from luna.cli.db import in_session
from luna.cli.output import ExitCode, console, fail, run_async, settings_or_exit
from luna.observability.logging import configure_logging

app = typer.Typer(help="Show the plans or change their entitlements.", no_args_is_help=True)

UNLIMITED = "unlimited"
ON_REQUEST = "on-request"

LimitOption = Annotated[
    str | None, typer.Option(help=f"A number, or '{UNLIMITED}'.", show_default=False)
]


def _cell(value: object, none: str = "∞") -> str:
    if value is None:
        return none
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value))


def _price(cents: int | None, currency: str) -> str:
    return "on request" if cents is None else f"{cents / 100:,.2f} {currency.upper()}/month"


@app.command("list")
def list_plans() -> None:
    """Every plan, hidden ones included, with its entitlements (∞: unlimited)."""
    from luna.plans import service as plans

    settings = settings_or_exit()
    configure_logging(settings)
    rows = in_session(
        settings, lambda session: plans.list_plans(session=session, public_only=False)
    )
    table = Table(title=f"Plans ({len(rows)})")
    columns = ("id", "price", "runs/day", "agents", "workspaces", "seats", "concurrent",
               "API/min", "SSO", "all agents", "support", "retention (days)", "public")  # fmt: skip
    for column in columns:
        table.add_column(column, style="bold" if column == "id" else None)
    for plan in rows:
        table.add_row(
            escape(plan.id),
            _price(plan.price_cents, plan.currency),
            *(
                _cell(value)
                for value in (
                    plan.runs_per_day,
                    plan.active_agents,
                    plan.workspaces,
                    plan.seats,
                    plan.concurrent_runs,
                    plan.api_requests_per_minute,
                    plan.sso,
                    plan.all_catalog_agents,
                    plan.support_level,
                    plan.data_retention_days,
                    plan.public,
                )
            ),
        )
    console.print(table)


def _limit(option: str, value: str, *, none_word: str = UNLIMITED) -> int | None:
    if value.strip().lower() == none_word:
        return None
    try:
        return int(value)
    except ValueError:
        fail(f"--{option} takes a whole number or '{none_word}', not {value!r}", ExitCode.USAGE)


@app.command("set")
def set_plan(
    plan_id: Annotated[str, typer.Argument(help="The plan to change (see `luna plans list`).")],
    name: Annotated[str | None, typer.Option(help="Name on the price list.")] = None,
    description: Annotated[str | None, typer.Option(help="One line on the price list.")] = None,
    public: Annotated[
        bool | None, typer.Option("--public/--hidden", help="Shown on the price list or not.")
    ] = None,
    price_cents: Annotated[
        str | None,
        typer.Option(help=f"Monthly price in cents, or '{ON_REQUEST}'.", show_default=False),
    ] = None,
    runs_per_day: LimitOption = None,
    active_agents: LimitOption = None,
    workspaces: LimitOption = None,
    seats: LimitOption = None,
    concurrent_runs: LimitOption = None,
    data_retention_days: LimitOption = None,
    api_requests_per_minute: Annotated[
        int | None, typer.Option(help="API requests a minute per API key or user.")
    ] = None,
    sso: Annotated[bool | None, typer.Option("--sso/--no-sso", help="Single sign-on.")] = None,
    all_catalog_agents: Annotated[
        bool | None,
        typer.Option("--all-catalog-agents/--core-catalog-agents", help="Catalog agents allowed."),
    ] = None,
    support_level: Annotated[str | None, typer.Option(help="Support level shown.")] = None,
    stripe_price_id: Annotated[str | None, typer.Option(help="Stripe price sold for it.")] = None,
    lemonsqueezy_variant_id: Annotated[
        str | None, typer.Option(help="LemonSqueezy variant sold for it.")
    ] = None,
) -> None:
    """Change a plan's entitlements; every replica applies them at once."""
    given: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "description": description,
            "public": public,
            "api_requests_per_minute": api_requests_per_minute,
            "sso": sso,
            "all_catalog_agents": all_catalog_agents,
            "support_level": support_level,
            "stripe_price_id": stripe_price_id,
            "lemonsqueezy_variant_id": lemonsqueezy_variant_id,
        }.items()
        if value is not None
    }
    limits = {
        "runs_per_day": runs_per_day,
        "active_agents": active_agents,
        "workspaces": workspaces,
        "seats": seats,
        "concurrent_runs": concurrent_runs,
        "data_retention_days": data_retention_days,
    }
    for key, raw in limits.items():
        if raw is not None:
            given[key] = _limit(key.replace("_", "-"), raw)
    if price_cents is not None:
        given["price_cents"] = _limit("price-cents", price_cents, none_word=ON_REQUEST)
    if not given:
        fail("nothing to change: give at least one option (see --help)", ExitCode.USAGE)
    _apply(plan_id, given)


def _apply(plan_id: str, given: dict[str, Any]) -> None:
    from luna.cache import caches_for
    from luna.plans.schemas import PlanUpdate
    from luna.plans.service import forget_plans, update_plan

    try:
        changes = PlanUpdate.model_validate(given)
    except ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(str(part) for part in error['loc']).replace('_', '-')}: {error['msg']}"
            if error["loc"]
            else error["msg"]
            for error in exc.errors()
        )
        fail(problems, ExitCode.USAGE)
    settings = settings_or_exit()
    configure_logging(settings)

    async def change(session: AsyncSession) -> None:
        await update_plan(session=session, plan_id=plan_id, changes=changes)

    in_session(settings, change)

    async def forget() -> None:
        caches = caches_for(settings)
        try:
            await forget_plans(caches)
        finally:
            await caches.close()

    run_async(forget())
    console.print(f"Plan [bold]{escape(plan_id)}[/] changed: {escape(', '.join(sorted(given)))}.")
