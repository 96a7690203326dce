"""Team members, roles, invitations, ownership and the audit log."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["members"])
