"""Multi-factor authentication: TOTP enrolment, verification, recovery codes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["mfa"])
