"""Probe responses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Liveness(BaseModel):
    """The process is up and its event loop answers."""

    status: Literal["ok"] = "ok"
    version: str


class Readiness(BaseModel):
    """Every dependency needed to serve traffic is available."""

    status: Literal["ready"] = "ready"
    checks: dict[str, str]
