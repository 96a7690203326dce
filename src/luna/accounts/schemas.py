"""The request that closes an account and the reasons that can hold it back."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from luna.identity.schemas import Password
from luna.schemas import RequestModel


class AccountDeletion(RequestModel):
    """The account's email address typed out, and its password when it has one."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Password | None = None


class DeletionBlocker(BaseModel):
    """A team that keeps the account open until something is done in it first."""

    team_id: str
    team_name: str
    reason: Literal["last-owner", "open-subscription", "active-runs"]
    message: str
