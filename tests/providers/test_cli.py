"""``luna providers list|check`` against a real database and the stand-ins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from luna.cli.main import app
from luna.cli.output import counted
from luna.db.base import utcnow
from luna.db.engine import create_engine, create_session_factory
from luna.identity.api_keys import Actor
from luna.providers import service
from luna.providers.models import Provider
from luna.providers.schemas import ProviderCreate
from luna.security.crypto import keyring_for
from luna.settings import Settings
from luna.tenancy.audit import RequestOrigin
from luna.tenancy.models import Team, Workspace
from tests.standins import OpenAIStandin

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_environment")


def seed(settings: Settings, *providers: dict[str, Any]) -> tuple[str, list[str]]:
    """A team, its workspace and providers added through the service; their ids."""

    async def run() -> tuple[str, list[str]]:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session:
                team = Team(name="Acme")
                session.add(team)
                await session.flush()
                workspace = Workspace(team_id=team.id, name="Main")
                session.add(workspace)
                await session.commit()
                actor = Actor(
                    team_id=team.id, user_id=None, api_key_id=None, origin=RequestOrigin()
                )
                ids = []
                for body in providers:
                    provider = await service.create_provider(
                        session=session,
                        keyring=keyring_for(settings),
                        workspace_id=workspace.id,
                        request=ProviderCreate.model_validate(body),
                        actor=actor,
                        now=utcnow(),
                        allow_private_networks=settings.providers_private_networks_allowed,
                    )
                    ids.append(provider.id)
                return workspace.id, ids
        finally:
            await engine.dispose()

    return asyncio.run(run())


def stored(settings: Settings, provider_id: str) -> Provider:
    async def read() -> Provider:
        engine = create_engine(settings)
        try:
            async with create_session_factory(engine)() as session:
                provider = await session.get(Provider, provider_id)
                assert provider is not None
                return provider
        finally:
            await engine.dispose()

    return asyncio.run(read())


def local(standin: OpenAIStandin, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Home GPU",
        "kind": "openai_compatible",
        "base_url": standin.base_url,
        "api_key": SecretStr(standin.api_key),
        "default_model": "glm-4.5",
    }
    return body | overrides


def test_list_shows_the_providers_never_their_keys(
    database: Settings, openai_standin: OpenAIStandin
) -> None:
    claude = {
        "name": "Claude",
        "kind": "anthropic",
        "api_key": "sk-ant-cli-secret-0123456789-LAST",
        "default_model": "claude-sonnet-4-6",
    }
    workspace_id, (claude_id, local_id) = seed(database, claude, local(openai_standin))

    result = runner.invoke(app, ["providers", "list", "--workspace", workspace_id])

    assert result.exit_code == 0, result.output
    assert f"{claude_id} (default)" in result.output
    assert local_id in result.output
    assert "Home GPU" in result.output
    assert openai_standin.base_url in result.output
    assert "...LAST" in result.output
    assert "sk-ant-cli-secret" not in result.output
    assert "never" in result.output


def test_check_lists_the_models_and_stores_the_outcome(
    database: Settings, openai_standin: OpenAIStandin
) -> None:
    workspace_id, [provider_id] = seed(database, local(openai_standin))

    result = runner.invoke(app, ["providers", "check", "--workspace", workspace_id, provider_id])

    assert result.exit_code == 0, result.output
    assert "ok in " in result.output
    assert f" ms, {len(openai_standin.models)} models:" in result.output
    for model in openai_standin.models:
        assert f"  {model}" in result.output
    assert stored(database, provider_id).last_check_ok is True
    listed = runner.invoke(app, ["providers", "list", "-w", workspace_id])
    assert "ok " in listed.output


def test_a_failed_check_exits_1_with_the_reason(
    database: Settings, openai_standin: OpenAIStandin
) -> None:
    wrong = local(openai_standin, api_key=SecretStr("sk-wrong-0123456789"))
    workspace_id, [provider_id] = seed(database, wrong)

    result = runner.invoke(app, ["providers", "check", "--workspace", workspace_id, provider_id])

    assert result.exit_code == 1
    assert "provider-auth" in result.output
    assert "0123456789" not in result.output
    assert stored(database, provider_id).last_check_ok is False


def test_unknown_workspace_or_provider_exits_2(
    database: Settings, openai_standin: OpenAIStandin
) -> None:
    workspace_id, _ = seed(database, local(openai_standin))
    for arguments in (
        ["list", "--workspace", "ws_missing"],
        ["check", "--workspace", "ws_missing", "prv_missing"],
        ["check", "--workspace", workspace_id, "prv_missing"],
    ):
        result = runner.invoke(app, ["providers", *arguments])
        assert result.exit_code == 2, (arguments, result.output)
        assert "No " in result.output
    assert openai_standin.requests == []


def test_a_check_keeps_to_the_operators_address_rule(
    database: Settings, openai_standin: OpenAIStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace_id, [provider_id] = seed(database, local(openai_standin))
    monkeypatch.setenv("LUNA_PROVIDERS_ALLOW_PRIVATE_NETWORKS", "false")

    result = runner.invoke(app, ["providers", "check", "--workspace", workspace_id, provider_id])

    assert result.exit_code == 1, result.output
    assert "provider-address-refused" in result.output
    assert "LUNA_PROVIDERS_ALLOW_PRIVATE_NETWORKS" in result.output
    assert openai_standin.requests == []
    assert stored(database, provider_id).last_check_ok is False


def test_counts_read_as_english() -> None:
    assert [counted(n, "model") for n in (0, 1, 2)] == ["0 models", "1 model", "2 models"]
