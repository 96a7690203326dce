"""The session cookie: an opaque token, HttpOnly, Secure, SameSite=Strict, Path=/."""

from __future__ import annotations

from fastapi import Response

from luna.settings import Settings


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """Send the session token. No Max-Age: the server decides when the session ends."""
    response.set_cookie(
        settings.session_cookie_name,
        token,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Tell the browser to drop the session cookie."""
    response.delete_cookie(
        settings.session_cookie_name,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="strict",
        path="/",
    )
