"""``/healthz`` and ``/readyz`` for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter

from luna import __version__
from luna.deps import EngineDep, SettingsDep
from luna.health import service
from luna.health.schemas import Liveness, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health-live", response_model=Liveness)
async def live() -> Liveness:
    """The process is alive."""
    return Liveness(version=__version__)


@router.get(
    "/readyz",
    operation_id="health-ready",
    response_model=Readiness,
    responses={503: {"description": "A dependency is unavailable; the problem names it."}},
)
async def ready(engine: EngineDep, settings: SettingsDep) -> Readiness:
    """The database answers and its schema is at the code's migration head."""
    checks = await service.check_readiness(engine=engine, settings=settings)
    return Readiness(checks=checks)
