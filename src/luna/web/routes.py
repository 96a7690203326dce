"""Serving the built web app (``web/`` built by Vite) under the strict CSP."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
