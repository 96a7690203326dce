"""Usage of a workspace: runs, tokens and cost per day, agent or model."""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from luna.deps import ClockDep, SessionDep, require_workspace
from luna.tenancy.access import WorkspaceAccess
from luna.usage import metering as usage
from luna.usage.schemas import UsageReport

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["usage"])

UsageReader = Annotated[WorkspaceAccess, Depends(require_workspace("read", scope="usage:read"))]
CSV_MEDIA_TYPE: Final = "text/csv"
_JSON_MEDIA_TYPE: Final = "application/json"
_CSV_RESPONSE: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "The report; as CSV with `format=csv` or `Accept: text/csv`.",
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}


def wants_csv(
    export_format: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="`csv` to download the rows as CSV."),
    ] = None,
    accept: Annotated[
        str | None,
        Header(max_length=1000, description="Preferring `text/csv` downloads the rows as CSV."),
    ] = None,
) -> bool:
    """Whether the caller asked for CSV: ``format=csv``, or an Accept header that
    prefers ``text/csv`` to JSON. An explicit ``format`` wins over the header."""
    if export_format is not None:
        return export_format == "csv"
    if not accept:
        return False
    quality = _media_qualities(accept)
    return _quality_of(CSV_MEDIA_TYPE, quality) > _quality_of(_JSON_MEDIA_TYPE, quality)


def _media_qualities(accept: str) -> dict[str, float]:
    """Each media range of an Accept header with its quality (``q``, 1 by default)."""
    qualities: dict[str, float] = {}
    for media_range in accept.split(","):
        media_type, *parameters = (part.strip() for part in media_range.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type:
            qualities[media_type.lower()] = quality
    return qualities


def _quality_of(media_type: str, qualities: dict[str, float]) -> float:
    """How much the caller wants a media type: its most specific matching range counts."""
    family = media_type.split("/")[0]
    for candidate in (media_type, f"{family}/*", "*/*"):
        if candidate in qualities:
            return qualities[candidate]
    return 0.0


WantsCsvDep = Annotated[bool, Depends(wants_csv)]


@router.get("/usage", operation_id="usage-get", response_model=UsageReport, responses=_CSV_RESPONSE)
async def get_usage(
    access: UsageReader,
    session: SessionDep,
    clock: ClockDep,
    as_csv: WantsCsvDep,
    response: Response,
    first_day: Annotated[
        date | None,
        Query(alias="from", description="First UTC day (default: 29 days before `to`)."),
    ] = None,
    last_day: Annotated[
        date | None, Query(alias="to", description="Last UTC day, included (default: today).")
    ] = None,
    group_by: Annotated[usage.GroupBy, Query(description="One row per day, agent or model.")] = (
        "day"
    ),
) -> UsageReport | Response:
    """Runs, tokens and cost of the workspace's runs per UTC day, agent or model, with the
    totals of the range. Demo runs count only in a demo workspace, never in a real one.
    At most 366 days at a time, from 1970-01-01 to 9999-12-30 (422 for a longer range, one
    that ends before it starts, or a day outside those)."""
    found = await usage.get_usage(
        session=session,
        workspace_id=access.workspace_id,
        include_demo=access.workspace.demo,
        group_by=group_by,
        first_day=first_day,
        last_day=last_day,
        today=clock().astimezone(UTC).date(),
    )
    response.headers["Vary"] = "Accept"
    if as_csv:
        return _csv_response(access.workspace_id, found)
    return UsageReport.of(found)


def _csv_response(workspace_id: str, found: usage.Usage) -> Response:
    filename = usage.csv_filename(workspace_id, found.period)
    return Response(
        content=usage.render_csv(found.groups),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"},
    )
