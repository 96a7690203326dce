"""Agents that run against the local model stand-in: the workspace's provider for it, and
an agent whose definition the test writes (its tools, say)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.runs.conftest import json_of
from tests.runs.test_streaming import add_provider
from tests.standins import OpenAIStandin


async def agent_with(client: httpx.AsyncClient, workspace_id: str, **definition: Any) -> str:
    body = {"name": "Arithmetic", "definition": {"instructions": "Compute.", **definition}}
    response = await client.post(f"/api/v1/workspaces/{workspace_id}/agents", json=body)
    return str((await json_of(response, 201))["id"])


async def local_provider(
    client: httpx.AsyncClient, workspace_id: str, standin: OpenAIStandin
) -> None:
    await add_provider(
        client,
        workspace_id,
        name="Local",
        kind="openai_compatible",
        base_url=standin.base_url,
        api_key=standin.api_key,
        default_model="llama3",
    )
