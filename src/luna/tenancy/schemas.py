"""Request and response shapes of teams, workspaces and the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from luna.db.pagination import Page
from luna.schemas import RequestModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class WorkspaceOut(BaseModel):
    """A workspace."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    team_id: str
    name: str
    demo: bool = Field(
        description="A demo workspace: sample agents and recorded runs that never count "
        "towards the team's plan or usage."
    )
    created_at: datetime


class TeamOut(BaseModel):
    """A team the user belongs to, with their role in it."""

    id: str
    name: str
    plan: str
    personal: bool
    role: str
    workspaces: list[WorkspaceOut]


class UserOut(BaseModel):
    """The signed-in user."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    email_verified: bool
    has_password: bool = Field(
        description="False for an account made through single sign-on that never set one."
    )
    created_at: datetime


class Me(BaseModel):
    """The signed-in user with every team, role and workspace they can reach."""

    user: UserOut
    teams: list[TeamOut]


class TeamCreate(RequestModel):
    """A new team; its first workspace is created with it."""

    name: Name


class WorkspaceCreate(RequestModel):
    """A new workspace in a team the caller manages."""

    team_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    name: Name


class WorkspaceUpdate(RequestModel):
    """A workspace's new name."""

    name: Name


class TeamUpdate(RequestModel):
    """A team's new name."""

    name: Name


class WorkspacePage(Page[WorkspaceOut]):
    """The caller's workspaces, all on one page (`next_cursor` is null)."""


class TeamPage(Page[TeamOut]):
    """The caller's teams, all on one page (`next_cursor` is null)."""
