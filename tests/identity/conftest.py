"""Fixtures of the identity tests: the local OpenID provider."""

from __future__ import annotations

from tests.oidc_provider import oidc_provider

__all__ = ["oidc_provider"]
