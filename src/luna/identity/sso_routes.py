"""Single sign-on: per-team OpenID Connect configuration and the sign-in flow."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["sso"])
