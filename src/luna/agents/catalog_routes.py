"""The built-in agent catalog, public to signed-in callers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
