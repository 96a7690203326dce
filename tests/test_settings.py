"""Settings: validation names each bad variable; development needs no configuration."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from luna.settings import SettingsError, load_settings, normalise_database_url


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run each test in an empty directory with no LUNA_* variables."""
    import os

    for name in list(os.environ):
        if name.startswith("LUNA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def problems(**environment: str) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(**environment)
    return dict(caught.value.problems)


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.env == "development"
    assert settings.is_sqlite
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / '.luna' / 'luna.db'}"
    assert settings.should_migrate_on_start
    assert settings.resolved_log_format == "console"


def test_development_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    first = load_settings()
    second = load_settings()
    assert first.secret_key is not None and second.secret_key is not None
    assert len(first.secret_key.get_secret_value()) >= 32
    assert first.secret_key.get_secret_value() == second.secret_key.get_secret_value()
    mode = stat.S_IMODE((tmp_path / ".luna" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNA_PORT", "9001")
    monkeypatch.setenv("LUNA_DATABASE_URL", "postgresql://luna:pw@db:5432/luna")
    settings = load_settings()
    assert settings.port == 9001
    assert settings.resolved_database_url == "postgresql+asyncpg://luna:pw@db:5432/luna"
    assert not settings.should_migrate_on_start


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LUNA_LOG_LEVEL=DEBUG\n")
    assert load_settings().log_level == "DEBUG"


def test_nonsense_database_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNA_DATABASE_URL", "nonsense")
    assert "LUNA_DATABASE_URL" in problems()


def test_unsupported_database_is_named() -> None:
    assert (
        "unsupported driver 'mysql'" in problems(database_url="mysql://x@y/z")["LUNA_DATABASE_URL"]
    )


def test_every_bad_variable_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNA_PORT", "70000")
    monkeypatch.setenv("LUNA_LOG_LEVEL", "LOUD")
    monkeypatch.setenv("LUNA_REDIS_URL", "http://cache")
    assert set(problems()) == {"LUNA_PORT", "LUNA_LOG_LEVEL", "LUNA_REDIS_URL"}


def test_production_requires_a_secret() -> None:
    assert "required in production" in problems(env="production")["LUNA_SECRET_KEY"]


def test_short_secret_is_refused_and_not_echoed() -> None:
    found = problems(env="production", secret_key="short-secret")
    assert "at least 32 characters" in found["LUNA_SECRET_KEY"]
    assert "short-secret" not in str(found)


def test_production_requires_its_public_url() -> None:
    found = problems(env="production", secret_key="s" * 40)
    assert "required in production" in found["LUNA_PUBLIC_URL"]


def test_the_default_public_url_follows_where_luna_serve_listens() -> None:
    settings = load_settings(port=9000)
    assert str(settings.public_url) == "http://127.0.0.1:9000/"
    # A browser may call this machine by any of its loopback names.
    assert settings.trusted_origins == {
        "http://127.0.0.1:9000",
        "http://localhost:9000",
        "http://[::1]:9000",
    }
    everywhere = load_settings(host="0.0.0.0", port=8080)  # noqa: S104
    assert str(everywhere.public_url) == "http://localhost:8080/"
    assert str(load_settings(host="::1").public_url) == "http://[::1]:8000/"


def test_a_public_url_that_is_set_is_the_only_origin_besides_the_allowed_ones() -> None:
    settings = load_settings(port=9000, public_url="https://luna.example.com")
    assert settings.trusted_origins == {"https://luna.example.com"}
    # Production trusts a loopback public URL under the name it was given only.
    local = load_settings(env="production", secret_key="s" * 40, public_url="http://localhost:8000")
    assert local.trusted_origins == {"http://localhost:8000"}


def test_production_with_strong_secret_is_valid() -> None:
    settings = load_settings(
        env="production", secret_key="s" * 40, public_url="https://luna.example.com"
    )
    assert settings.resolved_log_format == "json"
    assert "s" * 40 not in repr(settings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///luna.db", "sqlite+aiosqlite:///luna.db"),
        ("postgres://u@h/luna", "postgresql+asyncpg://u@h/luna"),
        ("postgresql+psycopg://u@h/luna", "postgresql+psycopg://u@h/luna"),
    ],
)
def test_database_urls_get_async_drivers(raw: str, expected: str) -> None:
    assert normalise_database_url(raw) == expected


def test_postgres_url_needs_a_database() -> None:
    with pytest.raises(ValueError, match="names no database"):
        normalise_database_url("postgresql://u@h")
