"""Single sign-on configuration: each team's OpenID Connect provider, and its rules.

A team on a plan with SSO (the plan's ``sso`` entitlement) registers its provider: the issuer,
checked against its discovery document when saved, and a client id and secret, the
secret sealed with the keyring and bound to its row and never shown again. Only owners
and admins see or change it. With ``sso_required`` the team's members may no longer
sign in with a password (:func:`password_login_allowed`). The sign-in itself is in
:mod:`luna.identity.sso_sign_in`, the protocol in :mod:`luna.identity.sso_provider`.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from luna.errors import Forbidden, NotFound, ValidationFailed
from luna.identity.sso_provider import SsoProviderFailed, discover_provider
from luna.identity.sso_schemas import SsoConfigIn, SsoConfigOut
from luna.observability.logging import get_logger
from luna.plans.entitlements import check_entitlement
from luna.plans.models import Plan
from luna.security.crypto import Keyring, column_context
from luna.settings import Settings
from luna.tenancy import audit
from luna.tenancy.audit import RequestOrigin
from luna.tenancy.models import Membership, SsoLoginAttempt, Team, TeamSsoConfig
from luna.tenancy.permissions import role_allows

log = get_logger(__name__)

NO_ORIGIN = RequestOrigin()


def client_secret_context(team_id: str) -> bytes:
    """What binds a team's sealed client secret to its row."""
    return column_context("team_sso_configs", "client_secret_encrypted", team_id)


def redirect_uri(settings: Settings, team_id: str) -> str:
    """Where the provider sends the browser back to, as registered at the provider."""
    return settings.public_link(f"/api/v1/auth/sso/{team_id}/callback")


def describe_sso_config(config: TeamSsoConfig, settings: Settings) -> SsoConfigOut:
    """A configuration as the API shows it: without the secret, with the URLs to register."""
    callback = redirect_uri(settings, config.team_id)
    return SsoConfigOut(
        team_id=config.team_id,
        issuer=config.issuer,
        client_id=config.client_id,
        has_client_secret=config.client_secret_encrypted is not None,
        allowed_domains=list(config.allowed_domains),
        default_role=config.default_role,
        enabled=config.enabled,
        sso_required=config.sso_required,
        redirect_uri=callback,
        sign_in_url=callback.removesuffix("/callback") + "/start",
        created_at=config.created_at,
        updated_at=config.updated_at,
    )


async def _team_for_manager(*, session: AsyncSession, team_id: str, user_id: str) -> Team:
    row = (
        await session.execute(
            select(Team, Membership.role)
            .join(Membership, Membership.team_id == Team.id)
            .where(Team.id == team_id, Membership.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"No team {team_id}.")
    team, role = row
    if not role_allows(role, "manage"):
        raise Forbidden(
            f"Your role ({role}) cannot configure single sign-on.", role=role, needs="manage"
        )
    return team


async def get_sso_config_for_manager(
    *, session: AsyncSession, team_id: str, user_id: str
) -> TeamSsoConfig:
    """The team's configuration, for an owner or admin; NotFound when it has none."""
    await _team_for_manager(session=session, team_id=team_id, user_id=user_id)
    config = await session.get(TeamSsoConfig, team_id)
    if config is None:
        raise NotFound("This team has no single sign-on configuration.")
    return config


async def save_sso_config(
    *,
    session: AsyncSession,
    keyring: Keyring,
    http: httpx.AsyncClient,
    settings: Settings,
    team_id: str,
    user_id: str,
    body: SsoConfigIn,
    now: datetime,
    origin: RequestOrigin = NO_ORIGIN,
) -> TeamSsoConfig:
    """Create or replace the team's provider after checking its discovery document."""
    team = await _team_for_manager(session=session, team_id=team_id, user_id=user_id)
    if body.enabled:
        await check_entitlement(session=session, team=team, entitlement="sso", now=now)
    config = await session.get(TeamSsoConfig, team_id)
    secret = _secret_to_store(config, body)
    await _validate_issuer(http=http, settings=settings, issuer=body.issuer)
    if config is None:
        config = TeamSsoConfig(team_id=team_id, created_at=now)
        session.add(config)
    config.issuer, config.client_id = body.issuer, body.client_id
    config.allowed_domains = list(body.allowed_domains)
    config.default_role, config.enabled = body.default_role, body.enabled
    config.sso_required, config.updated_at = body.sso_required, now
    if secret is not None:
        config.client_secret_encrypted = keyring.encrypt_str(
            secret, context=client_secret_context(team_id)
        )
    audit.record(
        session,
        team_id=team_id,
        action="sso.configured",
        actor_user_id=user_id,
        target_type="team",
        target_id=team_id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        data={
            "issuer": body.issuer,
            "enabled": body.enabled,
            "sso_required": body.sso_required,
            "secret_changed": secret is not None,
        },
    )
    await session.commit()
    return config


def _secret_to_store(config: TeamSsoConfig | None, body: SsoConfigIn) -> str | None:
    """The new secret to seal, or None to keep the stored one for the same client."""
    if body.client_secret is not None:
        return body.client_secret.get_secret_value()
    if (
        config is not None
        and config.client_secret_encrypted is not None
        and (config.issuer, config.client_id) == (body.issuer, body.client_id)
    ):
        return None
    message = "Required for a new configuration and whenever issuer or client_id changes."
    raise ValidationFailed(
        "A client_secret is required.",
        errors=[{"in": "body", "pointer": "#/client_secret", "message": message}],
    )


async def _validate_issuer(*, http: httpx.AsyncClient, settings: Settings, issuer: str) -> None:
    try:
        if settings.env == "production" and urlsplit(issuer).scheme != "https":
            raise SsoProviderFailed("Production installations need an https:// issuer.")
        await discover_provider(http=http, issuer=issuer)
    except SsoProviderFailed as exc:
        raise ValidationFailed(
            f"The issuer could not be validated: {exc.detail}",
            errors=[{"in": "body", "pointer": "#/issuer", "message": exc.detail}],
        ) from exc


async def delete_sso_config(
    *, session: AsyncSession, team_id: str, user_id: str, origin: RequestOrigin = NO_ORIGIN
) -> None:
    """Remove the team's provider and any sign-in still under way with it."""
    config = await get_sso_config_for_manager(session=session, team_id=team_id, user_id=user_id)
    await session.execute(delete(SsoLoginAttempt).where(SsoLoginAttempt.team_id == team_id))
    await session.delete(config)
    audit.record(
        session,
        team_id=team_id,
        action="sso.removed",
        actor_user_id=user_id,
        target_type="team",
        target_id=team_id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
    )
    await session.commit()


async def password_login_allowed(*, session: AsyncSession, user_id: str) -> bool:
    """False when the user belongs to a team whose single sign-on is in effect and required."""
    required = await session.scalar(
        select(TeamSsoConfig.team_id)
        .join(Membership, Membership.team_id == TeamSsoConfig.team_id)
        .join(Team, Team.id == TeamSsoConfig.team_id)
        .join(Plan, Plan.id == Team.plan)
        .where(
            Membership.user_id == user_id,
            TeamSsoConfig.enabled.is_(True),
            TeamSsoConfig.sso_required.is_(True),
            TeamSsoConfig.client_secret_encrypted.is_not(None),
            Plan.sso.is_(True),
        )
        .limit(1)
    )
    return required is None


async def enabled_sso_config(*, session: AsyncSession, team_id: str) -> TeamSsoConfig:
    """The team's provider if people may sign in with it now (enabled, with a secret, on
    a plan with SSO); NotFound otherwise."""
    row = (
        await session.execute(
            select(TeamSsoConfig, Plan.sso)
            .join(Team, Team.id == TeamSsoConfig.team_id)
            .join(Plan, Plan.id == Team.plan)
            .where(TeamSsoConfig.team_id == team_id)
        )
    ).first()
    usable = (
        row is not None and row[1] and row[0].enabled and row[0].client_secret_encrypted is not None
    )
    if row is None or not usable:
        raise NotFound("This team does not offer single sign-on.")
    config: TeamSsoConfig = row[0]
    return config
