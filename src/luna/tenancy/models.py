"""Teams own the plan; workspaces hold the work; memberships give people roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna.db.base import Base, TimestampMixin, utcnow
from luna.db.ids import new_id
from luna.security.encrypted_columns import SEALED_BY

ROLE_CHECK = "role IN ('owner', 'admin', 'member', 'viewer')"


class Team(TimestampMixin, Base):
    """The unit of billing: it has a plan, members and one or more workspaces."""

    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("team"))
    name: Mapped[str] = mapped_column(String(100))
    personal: Mapped[bool] = mapped_column(default=False)
    plan: Mapped[str] = mapped_column(String(32), default="starter")


class Workspace(TimestampMixin, Base):
    """Where agents, runs, API keys, provider credentials and usage live."""

    __tablename__ = "workspaces"
    __table_args__ = (
        # At most one demo workspace per team, even when two requests seed at once.
        Index(
            "uq_workspaces_team_id_demo",
            "team_id",
            unique=True,
            sqlite_where=text("demo"),
            postgresql_where=text("demo"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("ws"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # A demo workspace's agents, runs and usage never count towards the team's plan.
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The kill switch: while set, every run of the workspace is stopped and none starts.
    runs_halted_at: Mapped[datetime | None]
    runs_halted_by_user_id: Mapped[str | None] = mapped_column(String(40))
    runs_halted_reason: Mapped[str | None] = mapped_column(String(500))


class Membership(TimestampMixin, Base):
    """A user's role in a team, which applies to every workspace of the team."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        CheckConstraint(ROLE_CHECK, name="role"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("mem"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class Invitation(Base):
    """An emailed invitation to join a team with a role; single-use and expiring."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("inv"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class TeamSsoConfig(Base):
    """A team's OpenID Connect provider. The client secret is encrypted at rest."""

    __tablename__ = "team_sso_configs"
    __table_args__ = (
        CheckConstraint("default_role IN ('admin', 'member', 'viewer')", name="role"),
    )

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[str | None] = mapped_column(Text, info={SEALED_BY: "team_id"})
    allowed_domains: Mapped[list[Any]] = mapped_column(JSON, default=list)
    default_role: Mapped[str] = mapped_column(String(16), default="member")
    enabled: Mapped[bool] = mapped_column(default=True)
    sso_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SsoLoginAttempt(Base):
    """Server-side state of one OIDC sign-in: the state, nonce and PKCE verifier."""

    __tablename__ = "sso_login_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("sso"))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Who did what to a team, when, and from where. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("aud"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    actor_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_api_key_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
