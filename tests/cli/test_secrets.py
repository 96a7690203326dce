"""Rotating secrets at rest to a new key: ``rotate_all`` and ``luna secrets``."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from luna.cli.main import app
from luna.cli.output import ExitCode
from luna.db.engine import create_engine, create_session_factory
from luna.identity.models import TotpFactor, User
from luna.models import Base
from luna.providers.models import Provider
from luna.security.crypto import Keyring, generate_key, key_id_for, keyring_for
from luna.security.encrypted_columns import (
    RotationProgress,
    RotationReport,
    encrypted_columns,
    rotate_all,
)
from luna.settings import Settings
from luna.tenancy.models import Team, TeamSsoConfig, Workspace
from luna.webhooks.models import WebhookEndpoint
from tests.conftest import TEST_SECRET, make_settings

runner = CliRunner()

NEW_KEY_ID = "k2027"
NEW_KEY = generate_key()
STRAY_KEY_ID = "klost"
LAST_EDIT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TOTP = "totp_factors.secret_encrypted"
SSO = "team_sso_configs.client_secret_encrypted"
PROVIDERS = "providers.api_key_encrypted"
WEBHOOK = "webhook_endpoints.secret_encrypted"
WEBHOOK_BEFORE = "webhook_endpoints.previous_secret_encrypted"


def rotated_settings(settings: Settings) -> Settings:
    """The same installation, with a new key made current."""
    return make_settings(
        settings.data_dir,
        settings.resolved_database_url,
        encryption_keys={NEW_KEY_ID: NEW_KEY},
        encryption_key_current=NEW_KEY_ID,
    )


@dataclass
class Secrets:
    """What was stored, in plaintext, by column label and row id."""

    plaintexts: dict[str, dict[str, str]]
    unreadable_user_id: str | None = None


OLD_KEYRING = Keyring.from_secret(TEST_SECRET)
ENCRYPTED_COLUMNS = encrypted_columns(Base.metadata)
COLUMNS = {column.label: column for column in ENCRYPTED_COLUMNS}
TOTP_COLUMN, SSO_COLUMN, PROVIDER_COLUMN = COLUMNS[TOTP], COLUMNS[SSO], COLUMNS[PROVIDERS]
WEBHOOK_COLUMN, WEBHOOK_BEFORE_COLUMN = COLUMNS[WEBHOOK], COLUMNS[WEBHOOK_BEFORE]


async def seed(factory: async_sessionmaker[AsyncSession], *, with_unreadable: bool) -> Secrets:
    """Five TOTP seeds, two SSO secrets, a provider API key and a webhook endpoint's two
    signing secrets under the derived key, plus an SSO config without a secret;
    optionally a TOTP seed sealed under a key no one has."""
    stored = Secrets({TOTP: {}, SSO: {}, PROVIDERS: {}, WEBHOOK: {}, WEBHOOK_BEFORE: {}})
    async with factory() as session:
        for number in range(5):
            user_id = await _add_totp(session, OLD_KEYRING, f"JBSWY3DPEHPK3PX{number}")
            stored.plaintexts[TOTP][user_id] = f"JBSWY3DPEHPK3PX{number}"
        for number in range(3):
            secret = f"client-secret-{number}" if number else None
            team_id = await _add_sso_config(session, secret)
            if secret:
                stored.plaintexts[SSO][team_id] = secret
        provider_id = await _add_provider(session, "sk-ant-test-key")
        stored.plaintexts[PROVIDERS][provider_id] = "sk-ant-test-key"
        endpoint_id = await _add_webhook(session, "whsec_bm93", "whsec_YmVmb3Jl")
        stored.plaintexts[WEBHOOK][endpoint_id] = "whsec_bm93"
        stored.plaintexts[WEBHOOK_BEFORE][endpoint_id] = "whsec_YmVmb3Jl"
        if with_unreadable:
            stray = Keyring.from_secret(
                TEST_SECRET, {STRAY_KEY_ID: generate_key()}, current=STRAY_KEY_ID
            )
            stored.unreadable_user_id = await _add_totp(session, stray, "LOSTLOSTLOSTLOST")
        await session.commit()
    return stored


async def _add_totp(session: AsyncSession, keyring: Keyring, secret: str) -> str:
    user = User(email=f"{secrets.token_hex(4)}@example.com", display_name="Someone")
    session.add(user)
    await session.flush()
    sealed = keyring.encrypt_str(secret, context=TOTP_COLUMN.context(user.id))
    session.add(TotpFactor(user_id=user.id, secret_encrypted=sealed))
    return user.id


async def _add_sso_config(session: AsyncSession, secret: str | None) -> str:
    team = Team(name="Team")
    session.add(team)
    await session.flush()
    sealed = (
        OLD_KEYRING.encrypt_str(secret, context=SSO_COLUMN.context(team.id)) if secret else None
    )
    session.add(
        TeamSsoConfig(
            team_id=team.id,
            issuer="https://id.example.com",
            client_id="client",
            client_secret_encrypted=sealed,
            updated_at=LAST_EDIT,
        )
    )
    return team.id


async def _add_provider(session: AsyncSession, api_key: str) -> str:
    team = Team(name="Providers")
    session.add(team)
    await session.flush()
    workspace = Workspace(team_id=team.id, name="Default")
    session.add(workspace)
    await session.flush()
    provider = Provider(workspace_id=workspace.id, name="Anthropic", kind="anthropic")
    session.add(provider)
    await session.flush()
    provider.api_key_encrypted = OLD_KEYRING.encrypt_str(
        api_key, context=PROVIDER_COLUMN.context(provider.id)
    )
    return provider.id


async def _add_webhook(session: AsyncSession, secret: str, before: str) -> str:
    team = Team(name="Hooks")
    session.add(team)
    await session.flush()
    workspace = Workspace(team_id=team.id, name="Default")
    session.add(workspace)
    await session.flush()
    endpoint = WebhookEndpoint(
        id="whe_rotation",
        workspace_id=workspace.id,
        url="https://hooks.example.com/luna",
        event_types=["run.completed"],
        secret_encrypted=OLD_KEYRING.encrypt_str(
            secret, context=WEBHOOK_COLUMN.context("whe_rotation")
        ),
        previous_secret_encrypted=OLD_KEYRING.encrypt_str(
            before, context=WEBHOOK_BEFORE_COLUMN.context("whe_rotation")
        ),
    )
    session.add(endpoint)
    return endpoint.id


async def stored_tokens(factory: async_sessionmaker[AsyncSession]) -> dict[str, dict[str, str]]:
    async with factory() as session:
        totp = await session.execute(select(TotpFactor.user_id, TotpFactor.secret_encrypted))
        sso = await session.execute(
            select(TeamSsoConfig.team_id, TeamSsoConfig.client_secret_encrypted).where(
                TeamSsoConfig.client_secret_encrypted.is_not(None)
            )
        )
        providers = await session.execute(select(Provider.id, Provider.api_key_encrypted))
        hooks = list(
            await session.execute(
                select(
                    WebhookEndpoint.id,
                    WebhookEndpoint.secret_encrypted,
                    WebhookEndpoint.previous_secret_encrypted,
                )
            )
        )
        return {
            TOTP: {row_id: str(token) for row_id, token in totp},
            SSO: {row_id: str(token) for row_id, token in sso},
            PROVIDERS: {row_id: str(token) for row_id, token in providers},
            WEBHOOK: {row_id: str(token) for row_id, token, _ in hooks},
            WEBHOOK_BEFORE: {row_id: str(token) for row_id, _, token in hooks},
        }


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


# The webhook endpoint's two secrets: to rotate, or already under the new key.
PLAIN = {WEBHOOK: (1, 0, 0), WEBHOOK_BEFORE: (1, 0, 0)}
CURRENT = {WEBHOOK: (0, 1, 0), WEBHOOK_BEFORE: (0, 1, 0)}


def counts(report: RotationReport) -> dict[str, tuple[int, int, int]]:
    return {
        column.column: (column.rotated, column.already_current, len(column.unreadable))
        for column in report.columns
    }


# rotate_all


def test_every_encrypted_column_is_registered() -> None:
    encrypted = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_encrypted")
    }
    assert encrypted == set(COLUMNS)


@pytest.mark.anyio
async def test_rotation_moves_every_secret_to_the_current_key(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stored = await seed(sessions, with_unreadable=False)
    keyring = keyring_for(rotated_settings(settings))
    steps: list[RotationProgress] = []

    async with sessions() as session:
        report = await rotate_all(session, keyring, batch_size=2, progress=steps.append)

    assert counts(report) == {**PLAIN, TOTP: (5, 0, 0), SSO: (2, 0, 0), PROVIDERS: (1, 0, 0)}
    tokens = await stored_tokens(sessions)
    for column in ENCRYPTED_COLUMNS:
        assert tokens[column.label].keys() == stored.plaintexts[column.label].keys()
        for row_id, token in tokens[column.label].items():
            assert token.startswith(f"v1.{NEW_KEY_ID}.")
            plaintext = keyring.decrypt_str(token, context=column.context(row_id))
            assert plaintext == stored.plaintexts[column.label][row_id]
    assert [(s.column, s.done, s.total) for s in steps] == [
        (PROVIDERS, 1, 1),
        (SSO, 2, 2),
        (TOTP, 2, 5),
        (TOTP, 4, 5),
        (TOTP, 5, 5),
        (WEBHOOK_BEFORE, 1, 1),
        (WEBHOOK, 1, 1),
    ]


@pytest.mark.anyio
async def test_rotation_keeps_edit_timestamps(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions, with_unreadable=False)
    async with sessions() as session:
        await rotate_all(session, keyring_for(rotated_settings(settings)))
    async with sessions() as session:
        edited = set(await session.scalars(select(TeamSsoConfig.updated_at)))
    assert edited == {LAST_EDIT}


@pytest.mark.anyio
async def test_a_second_rotation_has_nothing_to_do(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions, with_unreadable=False)
    keyring = keyring_for(rotated_settings(settings))
    async with sessions() as session:
        await rotate_all(session, keyring)
    after_first = await stored_tokens(sessions)

    async with sessions() as session:
        report = await rotate_all(session, keyring)

    assert counts(report) == {TOTP: (0, 5, 0), SSO: (0, 2, 0), PROVIDERS: (0, 1, 0), **CURRENT}
    assert await stored_tokens(sessions) == after_first


@pytest.mark.anyio
async def test_a_dry_run_counts_and_changes_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions, with_unreadable=False)
    before = await stored_tokens(sessions)

    async with sessions() as session:
        report = await rotate_all(
            session, keyring_for(rotated_settings(settings)), batch_size=2, dry_run=True
        )

    assert report.dry_run
    assert counts(report) == {**PLAIN, TOTP: (5, 0, 0), SSO: (2, 0, 0), PROVIDERS: (1, 0, 0)}
    assert await stored_tokens(sessions) == before


@pytest.mark.anyio
async def test_an_unreadable_secret_is_reported_and_left_alone(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stored = await seed(sessions, with_unreadable=True)
    before = await stored_tokens(sessions)

    async with sessions() as session:
        report = await rotate_all(session, keyring_for(rotated_settings(settings)))

    assert counts(report) == {**PLAIN, TOTP: (5, 0, 1), SSO: (2, 0, 0), PROVIDERS: (1, 0, 0)}
    (unreadable,) = next(column for column in report.columns if column.column == TOTP).unreadable
    assert unreadable.row_id == stored.unreadable_user_id
    assert STRAY_KEY_ID in unreadable.reason
    after = await stored_tokens(sessions)
    assert after[TOTP][unreadable.row_id] == before[TOTP][unreadable.row_id]


@pytest.mark.anyio
async def test_a_tampered_secret_under_the_current_key_is_unreadable(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions, with_unreadable=False)
    async with sessions() as session:
        factor = (await session.scalars(select(TotpFactor).limit(1))).one()
        token = factor.secret_encrypted
        factor.secret_encrypted = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        await session.commit()

    async with sessions() as session:
        report = await rotate_all(session, Keyring.from_secret(TEST_SECRET))

    assert counts(report)[TOTP] == (0, 4, 1)


@pytest.mark.anyio
async def test_batch_size_must_be_positive(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match="batch_size"):
            await rotate_all(session, Keyring.from_secret(TEST_SECRET), batch_size=0)


# The command line


@pytest.fixture
def cli_database(
    cli_environment: None, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> Settings:
    """A migrated database the command uses, with the new key configured and current."""
    monkeypatch.setenv("LUNA_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("LUNA_ENCRYPTION_KEYS", json.dumps({NEW_KEY_ID: NEW_KEY}))
    monkeypatch.setenv("LUNA_ENCRYPTION_KEY_CURRENT", NEW_KEY_ID)
    return settings


def seed_database(settings: Settings, *, with_unreadable: bool) -> Secrets:
    async def work() -> Secrets:
        engine = create_engine(settings)
        try:
            return await seed(create_session_factory(engine), with_unreadable=with_unreadable)
        finally:
            await engine.dispose()

    return asyncio.run(work())


def tokens_in(settings: Settings) -> dict[str, dict[str, str]]:
    async def work() -> dict[str, dict[str, str]]:
        engine = create_engine(settings)
        try:
            return await stored_tokens(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(work())


def under_new_key(tokens: dict[str, dict[str, str]]) -> bool:
    prefix = f"v1.{NEW_KEY_ID}."
    return all(token.startswith(prefix) for column in tokens.values() for token in column.values())


def test_rotate_command_reencrypts_and_reports(cli_database: Settings) -> None:
    seed_database(cli_database, with_unreadable=False)

    dry = runner.invoke(app, ["secrets", "rotate", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{TOTP}: 5 to re-encrypt" in dry.output
    assert "nothing was written" in dry.output
    assert not any(under_new_key({TOTP: {k: t}}) for k, t in tokens_in(cli_database)[TOTP].items())

    result = runner.invoke(app, ["secrets", "rotate", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert f"{TOTP}: 5 re-encrypted" in result.output
    assert f"{SSO}: 2 re-encrypted" in result.output
    assert under_new_key(tokens_in(cli_database))


def test_rotate_command_fails_on_unreadable_secrets(cli_database: Settings) -> None:
    stored = seed_database(cli_database, with_unreadable=True)

    result = runner.invoke(app, ["secrets", "rotate"])

    assert result.exit_code == ExitCode.FAILURE
    assert f"row {stored.unreadable_user_id}" in result.output
    assert "could not be decrypted" in result.output


def test_rotate_command_refuses_a_malformed_key(
    cli_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUNA_ENCRYPTION_KEYS", json.dumps({NEW_KEY_ID: "too-short"}))
    result = runner.invoke(app, ["secrets", "rotate"])
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert NEW_KEY_ID in result.output


def test_generate_key_prints_a_usable_key(cli_environment: None) -> None:
    result = runner.invoke(app, ["secrets", "generate-key"])

    assert result.exit_code == 0, result.output
    key_id = re.search(r"id:\s+(\S+)", result.output).group(1)  # type: ignore[union-attr]
    key = re.search(r"key:\s+(\S+)", result.output).group(1)  # type: ignore[union-attr]
    assert key_id == key_id_for(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))
    assert f"LUNA_ENCRYPTION_KEY_CURRENT={key_id}" in result.output
    assert json.dumps({key_id: key}) in result.output
    keyring = Keyring.from_secret(TEST_SECRET, {key_id: key}, current=key_id)
    assert keyring.decrypt(keyring.encrypt(b"x", context=b"c"), context=b"c") == b"x"
