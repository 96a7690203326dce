"""Every setting Luna reads, in one validated pydantic-settings class.

Nothing else in the code base reads ``os.environ``. Settings come from ``LUNA_*``
environment variables, then from an optional ``.env`` file, then from defaults.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from luna.security.limits import parse_limit

ENV_PREFIX = "LUNA_"
MIN_SECRET_LENGTH = 32
SECRET_FILE_NAME = "secret_key"  # noqa: S105  (a file name, not a secret)
# The names of this machine's loopback address that a browser may use.
LOOPBACK_NAMES: Final = ("localhost", "127.0.0.1", "[::1]")

Environment = Literal["development", "test", "production"]
LogFormat = Literal["json", "console"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+psycopg",
}


def normalise_database_url(raw: str) -> str:
    """Parse a database URL and give it Luna's async driver.

    ``postgresql://`` becomes ``postgresql+asyncpg://`` and ``sqlite://`` becomes
    ``sqlite+aiosqlite://``; anything else is refused with a reason.
    """
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ValueError(
            "is not a database URL; expected sqlite:///path/to/luna.db "
            "or postgresql://user@host:5432/name"
        ) from exc
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(
            f"uses the unsupported driver {url.drivername!r}; Luna runs on SQLite and PostgreSQL"
        )
    if driver.startswith("postgresql") and not url.database:
        raise ValueError("names no database; add one, as in postgresql://host:5432/luna")
    return url.set(drivername=driver).render_as_string(hide_password=False)


class Settings(BaseSettings):
    """Luna's configuration. Each field is read from ``LUNA_<FIELD NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        validate_default=True,
    )

    env: Environment = Field(
        "development",
        description="development, test or production. Production refuses weak or missing secrets.",
    )
    data_dir: Path = Field(
        Path(".luna"),
        description="Directory for the embedded SQLite database and generated local secrets.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database. Default: SQLite in the data directory. "
        "PostgreSQL: postgresql://user:password@host:5432/luna",
    )
    database_pool_size: Annotated[int, Field(ge=1, le=200)] = Field(
        10, description="Connections each process keeps open to PostgreSQL."
    )
    database_echo: bool = Field(False, description="Log every SQL statement (development aid).")
    migrate_on_start: bool | None = Field(
        None,
        description="Apply pending migrations when `luna serve` starts. "
        "Default: on for SQLite, off for PostgreSQL (run `luna db migrate`).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Secret for signing and key derivation, at least 32 characters. "
        "Generated and stored in the data directory in development; required in production.",
    )
    encryption_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Extra keys for secrets at rest, as a JSON object of key id to urlsafe "
        "base64 32-byte key (`luna secrets generate-key`). Keep retired keys until "
        "`luna secrets rotate` has re-encrypted everything.",
    )
    encryption_key_current: str | None = Field(
        None,
        description="Id of the key that encrypts new secrets: one of LUNA_ENCRYPTION_KEYS. "
        "Default: the key derived from LUNA_SECRET_KEY.",
    )
    bearer_jwks_url: AnyHttpUrl | None = Field(
        None,
        description="JWKS of an identity provider whose bearer JWTs the API accepts for users "
        "who have signed in with it through SSO (Entra ID: "
        "https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys).",
    )
    bearer_issuers: list[str] = Field(
        default_factory=list,
        description="Exact `iss` values accepted, as a JSON list (Entra: both "
        "https://sts.windows.net/<tenant>/ and https://login.microsoftonline.com/<tenant>/v2.0).",
    )
    bearer_audiences: list[str] = Field(
        default_factory=list, description="Exact `aud` values accepted, as a JSON list."
    )
    bearer_algorithms: list[str] = Field(
        default_factory=lambda: ["RS256"], description="Signature algorithms accepted (asymmetric)."
    )
    redis_url: SecretStr | None = Field(
        None, description="Redis URL for shared cache, sessions and rate limits across replicas."
    )
    smtp_host: str | None = Field(
        None, description="SMTP server for outgoing email. Unset: emails are logged to the console."
    )
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = Field(587, description="SMTP port.")
    smtp_username: str | None = Field(None, description="SMTP user name, when it needs one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls (port 587), tls (port 465) or none (local relays only)."
    )
    email_from: str = Field(
        "Luna <no-reply@localhost>", description="The From address of Luna's emails."
    )
    redis_namespace: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")] = Field(
        "luna",
        description="Prefix of every Redis key, so installations can share a Redis server.",
    )
    host: str = Field("127.0.0.1", description="Address `luna serve` listens on.")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(8000, description="Port to listen on.")
    web_concurrency: Annotated[int, Field(ge=1, le=64)] = Field(
        1, description="API worker processes started by `luna serve`."
    )
    public_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://127.0.0.1:8000"),
        description="The URL users reach Luna at; used in links and as the allowed origin of "
        "browser writes. Required in production. Elsewhere it defaults to the address "
        "`luna serve` listens on (http://LUNA_HOST:LUNA_PORT), and a loopback address is "
        "also reached as localhost, 127.0.0.1 or [::1].",
    )
    log_level: LogLevel = Field("INFO", description="Lowest level of log record written.")
    log_format: LogFormat | None = Field(
        None, description="json or console. Default: console in development, json otherwise."
    )
    sentry_dsn: SecretStr | None = Field(
        None,
        description="Report unexpected errors to this Sentry (or GlitchTip) project's DSN; "
        "unset, nothing is reported. Events carry ids, never e-mails, bodies or secrets.",
    )
    otel_endpoint: AnyHttpUrl | None = Field(
        None,
        description="Send traces (OTLP over HTTP) to this collector, e.g. "
        "http://otel-collector:4318; unset, nothing is traced.",
    )
    otel_capture_content: bool = Field(
        False,
        description="Put prompts, answers and tool arguments and results in the model "
        "and tool spans (left out by default).",
    )
    otel_service_name: str = Field(
        "luna", max_length=64, description="The service name traces are tagged with."
    )
    sentry_environment: str | None = Field(
        None,
        max_length=64,
        description="The environment events are tagged with. Default: LUNA_ENV.",
    )
    in_process_worker: bool = Field(
        True,
        description="Run background work (email delivery, runs, schedules) inside each "
        "`luna serve` process too. Turn off when dedicated `luna worker` processes run it.",
    )
    shutdown_grace_seconds: Annotated[float, Field(ge=0, le=600)] = Field(
        20, description="Seconds a stopping process waits for in-flight work."
    )
    allowed_origins: list[AnyHttpUrl] = Field(
        default_factory=list,
        description="Extra origins (besides the public URL) allowed to make cookie-"
        "authenticated writes, as a JSON list.",
    )
    session_idle_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = Field(
        75, description="A session unused this long ends (sliding)."
    )
    session_absolute_hours: Annotated[int, Field(ge=1, le=24 * 30)] = Field(
        8, description="A session ends this long after sign-in, however active."
    )
    session_binding: Literal["ip", "subnet"] = Field(
        "subnet",
        description="What a session is bound to besides the User-Agent: the exact client IP, "
        "or its /24 (IPv4) or /64 (IPv6) network.",
    )
    auth_rate_limit: str = Field(
        "10/minute",
        description="Requests per client IP to sign-in, sign-up, password reset and MFA "
        "endpoints, in the limits notation (N/second|minute|hour|day).",
    )
    webhook_rate_limit: str = Field(
        "1200/minute",
        description="Deliveries per minute (or other period) accepted on each billing "
        "provider's webhook route, for all senders together, in the limits notation. "
        "Webhooks do not count against the API limits.",
    )
    api_rate_limit: str = Field(
        "100/minute",
        description="Requests per client IP to the rest of the API from callers without a "
        "plan (anonymous callers, identity-provider tokens); signed-in users and API keys get "
        "their team plan's budget.",
    )
    site_analytics_src: Annotated[str, Field(pattern=r"^/[^/\\][^\s\"'<>]*$")] | None = Field(
        None,
        description="Same-origin path of an analytics script for the public site (a "
        "self-hosted or proxied one: the CSP allows this origin only); loaded only after "
        "the visitor consents to analytics cookies.",
    )
    cache_ttl_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        60,
        description="How long cached hot reads (API keys, plans, a caller's teams) are served "
        "before they are read again; writes invalidate them at once in every process.",
    )
    max_body_bytes: Annotated[int, Field(ge=1024, le=1024**3)] = Field(
        1_048_576, description="Largest request body accepted, in bytes (413 beyond)."
    )
    login_max_failures: Annotated[int, Field(ge=3, le=100)] = Field(
        5, description="Failed sign-ins in a row that lock an account."
    )
    login_lockout_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = Field(
        15, description="How long a locked account stays locked."
    )
    run_system_database_url: str | None = Field(
        None,
        description="Database of the durable run engine (DBOS system tables). Default: "
        "`dbos.sqlite` in the data directory with SQLite, the main database with PostgreSQL.",
    )
    run_executor_id: str | None = Field(
        None,
        max_length=100,
        description="A name for this worker in the run engine's records (default: the host "
        "name). Each process adds its process id and a random suffix, so two processes never "
        "share an identity; the work of a worker that is gone is recovered through its lease.",
    )
    worker_lease_seconds: Annotated[float, Field(ge=1, le=600)] = Field(
        30,
        description="How long a worker's lease lasts unless renewed (every third of it); a "
        "worker silent for longer is taken for gone and its unfinished runs are recovered by "
        "another. Keep it above the longest pause a worker may make.",
    )
    run_concurrency_per_workspace: Annotated[int, Field(ge=1, le=1000)] = Field(
        4, description="Runs of one workspace that execute at once; the rest wait in the queue."
    )
    run_worker_concurrency: Annotated[int, Field(ge=1, le=10_000)] = Field(
        100, description="Runs one worker process executes at once, all workspaces together."
    )
    run_wait_timeout_seconds: Annotated[float, Field(ge=1, le=600)] = Field(
        60, description="Longest a run created in wait mode is awaited before answering 202."
    )
    run_model_timeout_seconds: Annotated[float, Field(ge=1, le=3600)] = Field(
        300, description="Longest one model request may take."
    )
    run_model_retries: Annotated[int, Field(ge=0, le=10)] = Field(
        3, description="Retries of a model request the provider says may be retried."
    )
    run_max_model_requests: Annotated[int, Field(ge=1, le=500)] = Field(
        50, description="Model requests one run may make before it fails."
    )
    tools_allow_private_networks: bool = Field(
        False,
        description="Let the http_fetch tool reach private, loopback and link-local addresses "
        "(off: only public hosts on the workspace's allow-list).",
    )
    providers_allow_private_networks: bool | None = Field(
        None,
        description="Let model providers' base URLs reach private, loopback and link-local "
        "addresses (local model servers such as Ollama). Default: on in development and "
        "test, off in production. Cloud metadata endpoints are refused either way.",
    )
    webhooks_allow_private_networks: bool | None = Field(
        None,
        description="Let outbound webhook endpoints be private, loopback and link-local "
        "addresses. Default: on in development and test, off in production. Cloud metadata "
        "endpoints are refused either way.",
    )
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        15, description="Longest one webhook delivery attempt waits for its endpoint's answer."
    )
    webhook_retry_base_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        5,
        description="Wait before a failed webhook delivery's first retry; each later wait "
        "is four times longer, up to six hours.",
    )
    webhook_retry_hours: Annotated[float, Field(gt=0, le=168)] = Field(
        24,
        description="How long a failing webhook delivery is retried, and how long an endpoint "
        "may fail before it is disabled (its owners are told by email).",
    )
    mcp_stdio_allowed: bool = Field(
        False, description="Let agents start stdio MCP servers (local commands) on workers."
    )
    bill_evaluation_runs: bool = Field(
        False,
        description="Count the runs of eval runs started from now on in the usage a "
        "customer pays for (by default evaluations are left out of it).",
    )
    eval_poll_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        1.0, description="How often an eval run looks for case runs that have finished."
    )
    default_plan: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")] = Field(
        "starter",
        description="The plan a new team starts on (a self-hosted install may start every "
        "team on enterprise).",
    )
    stripe_secret_key: SecretStr | None = Field(
        None, description="Stripe secret API key (sk_...): Checkout and the customer portal."
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None, description="Signing secret of the Stripe webhook endpoint (whsec_...)."
    )
    stripe_api_base: AnyHttpUrl | None = Field(
        None, description="Another address for the Stripe API (a local test double)."
    )
    lemonsqueezy_webhook_secret: SecretStr | None = Field(
        None, description="Signing secret of the LemonSqueezy webhook."
    )
    lemonsqueezy_checkout_url: AnyHttpUrl | None = Field(
        None,
        description="LemonSqueezy checkout link base; the variant and team are added to it.",
    )
    billing_grace_days: Annotated[int, Field(ge=0, le=60)] = Field(
        7, description="Days a team keeps its paid plan after a failed payment."
    )

    @field_validator("database_url")
    @classmethod
    def _database_url_is_supported(cls, value: str | None) -> str | None:
        return None if value is None else normalise_database_url(value)

    @field_validator("auth_rate_limit", "api_rate_limit", "webhook_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        parse_limit(value)
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_redis(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> Settings:
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if key and len(key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"LUNA_SECRET_KEY is too short: it needs at least {MIN_SECRET_LENGTH} characters"
            )
        if self.env == "production" and not key:
            raise ValueError("LUNA_SECRET_KEY is required in production")
        if self.bearer_jwks_url is not None and not (self.bearer_issuers and self.bearer_audiences):
            raise ValueError(
                "LUNA_BEARER_ISSUERS and LUNA_BEARER_AUDIENCES are required "
                "with LUNA_BEARER_JWKS_URL"
            )
        if "public_url" not in self.model_fields_set:
            if self.env == "production":
                raise ValueError(
                    "LUNA_PUBLIC_URL is required in production: the address users reach "
                    "Luna at, such as https://luna.example.com"
                )
            object.__setattr__(self, "public_url", _listening_url(self.host, self.port))
        current = self.encryption_key_current
        if current is not None and current not in self.encryption_keys:
            raise ValueError(
                "LUNA_ENCRYPTION_KEY_CURRENT names a key that is not in LUNA_ENCRYPTION_KEYS"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the configured one or SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'luna.db').resolve()}"

    @property
    def database(self) -> URL:
        """The database URL, parsed."""
        return make_url(self.resolved_database_url)

    @property
    def run_system_database(self) -> str:
        """The URL of the durable run engine's system database (a synchronous driver)."""
        if self.run_system_database_url:
            return self.run_system_database_url
        if self.is_sqlite:
            return f"sqlite:///{(self.data_dir / 'dbos.sqlite').resolve()}"
        return self.database.set(drivername="postgresql").render_as_string(hide_password=False)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite."""
        return self.database.get_backend_name() == "sqlite"

    @property
    def should_migrate_on_start(self) -> bool:
        """Whether `luna serve` applies migrations before it starts."""
        return self.is_sqlite if self.migrate_on_start is None else self.migrate_on_start

    def public_link(self, path: str) -> str:
        """An absolute link to ``path`` (``/app/billing?...``) on the public address."""
        return str(self.public_url).rstrip("/") + path

    @property
    def cache_redis_url(self) -> str | None:
        """Where the shared cache level lives: Redis when configured, else nowhere."""
        return None if self.redis_url is None else self.redis_url.get_secret_value()

    @property
    def rate_limit_storage(self) -> str:
        """Where rate-limit counters live: this process, or Redis shared by every replica."""
        if self.redis_url is None:
            return "async+memory://"
        return "async+" + self.redis_url.get_secret_value()

    @property
    def session_cookie_secure(self) -> bool:
        """Whether the session cookie is ``Secure``: always, except plain-http localhost
        outside production."""
        local = self.public_url.host in {*LOOPBACK_NAMES, "::1"}
        return self.env == "production" or self.public_url.scheme == "https" or not local

    @property
    def session_cookie_name(self) -> str:
        """``__Host-luna_session``, or ``luna_session`` where the cookie cannot be Secure."""
        return "__Host-luna_session" if self.session_cookie_secure else "luna_session"

    @property
    def trusted_origins(self) -> frozenset[str]:
        """Origins (scheme://host[:port]) allowed to send cookie-authenticated writes: the
        public URL's and the allowed ones; outside production, a loopback public URL under
        each of its names (a browser may say localhost where Luna says 127.0.0.1)."""
        origins = {_origin(url) for url in [self.public_url, *self.allowed_origins]}
        if self.env != "production" and self.public_url.host in LOOPBACK_NAMES:
            scheme, port = self.public_url.scheme, self.public_url.port
            origins |= {_origin(AnyHttpUrl(f"{scheme}://{name}:{port}")) for name in LOOPBACK_NAMES}
        return frozenset(origins)

    @property
    def providers_private_networks_allowed(self) -> bool:
        """Whether provider base URLs may reach private networks: the setting, or by
        default everywhere but production (local model servers are normal there)."""
        if self.providers_allow_private_networks is not None:
            return self.providers_allow_private_networks
        return self.env != "production"

    @property
    def webhooks_private_networks_allowed(self) -> bool:
        """Whether webhook endpoints may be private addresses: the setting, or by default
        everywhere but production."""
        if self.webhooks_allow_private_networks is not None:
            return self.webhooks_allow_private_networks
        return self.env != "production"

    @property
    def resolved_log_format(self) -> LogFormat:
        """The log format in use."""
        if self.log_format:
            return self.log_format
        return "console" if self.env == "development" else "json"


def _origin(url: AnyHttpUrl) -> str:
    default_port = {"http": 80, "https": 443}[url.scheme]
    port = "" if url.port in (None, default_port) else f":{url.port}"
    return f"{url.scheme}://{url.host}{port}"


class SettingsError(Exception):
    """Raised when the environment does not make valid settings; lists each bad variable."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {name}: {reason}" for name, reason in problems)
        super().__init__(f"invalid configuration:\n{lines}")


def variable_name(field_name: str) -> str:
    """The environment variable that sets a field."""
    return f"{ENV_PREFIX}{field_name.upper()}"


def _problems_from(error: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False, include_input=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            problems.append((variable_name(str(item["loc"][0])), message))
        else:  # a whole-model rule; its message names the variable
            name, _, reason = message.partition(" ")
            problems.append(
                (name, reason) if name.startswith(ENV_PREFIX) else ("settings", message)
            )
    return problems


def _listening_url(host: str, port: int) -> AnyHttpUrl:
    """The URL a browser on this machine reaches ``luna serve`` at, listening on ``host``."""
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104  (every address: this machine is localhost)
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return AnyHttpUrl(f"http://{host}:{port}")


def _ensure_local_secret(data_dir: Path) -> SecretStr:
    """Read the development secret from the data directory, creating it on first use."""
    path = data_dir / SECRET_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return SecretStr(path.read_text().strip())


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, raising :class:`SettingsError` when invalid.

    Outside production a missing secret key is generated once and kept in the data
    directory, so that a first ``luna serve`` needs no configuration.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_problems_from(exc)) from exc
    if settings.secret_key is None:
        secret = _ensure_local_secret(settings.data_dir)
        settings = settings.model_copy(update={"secret_key": secret})
    return settings
