"""Usage of a workspace: runs, tokens and cost per day, agent or model."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["usage"])
