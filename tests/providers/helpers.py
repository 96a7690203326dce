"""Helpers shared by the providers tests."""

from __future__ import annotations

import socket
from typing import Any

import httpx

ANTHROPIC_KEY = "sk-ant-api03-tenant-secret-0123456789-WXYZ"


def providers_url(workspace_id: str, *parts: object) -> str:
    return "/".join([f"/api/v1/workspaces/{workspace_id}/providers", *map(str, parts)])


async def create_provider(
    client: httpx.AsyncClient, workspace_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(providers_url(workspace_id), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def claude_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Claude",
        "kind": "anthropic",
        "api_key": ANTHROPIC_KEY,
        "default_model": "claude-sonnet-4-6",
    }
    return body | overrides


def closed_port_url(path: str = "/v1") -> str:
    """A local URL where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def pointers(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json"
    return [error.get("pointer") or error.get("name") for error in response.json()["errors"]]
